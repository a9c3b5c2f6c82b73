import pytest

from amtsweg.core.testing import assert_no_axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_sources_page_is_accessible(live_server, page):
    page.goto(f"{live_server.url}/quellen/")
    assert page.locator("h1").inner_text() == "Quellen und Lizenzen"
    assert_no_axe_violations(page)
