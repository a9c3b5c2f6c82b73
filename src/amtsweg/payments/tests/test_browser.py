"""The test provider's pay page in Chromium: accessible, keyboard-operable, and the whole round trip."""

import pytest

from amtsweg.core.testing import assert_no_axe_violations
from amtsweg.payments.models import PaymentStatus
from amtsweg.payments.services import get_transaction, start_payment

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pay_page_is_accessible_and_pays_with_the_keyboard(test_provider, page):
    tx = start_payment(reference="ANTRAG-77", amount_cents=1000, purpose="Meldebescheinigung",
                       return_url=f"{test_provider.url}/quellen/")
    page.goto(tx.redirect_url)
    assert page.locator("h1").inner_text() == "Testbezahldienst"
    assert "10,00 EUR" in page.locator("main").inner_text()
    assert_no_axe_violations(page)
    page.get_by_role("button", name="Bezahlen").focus()
    page.keyboard.press("Enter")
    page.wait_for_url("**/quellen/")
    assert get_transaction("ANTRAG-77").status == PaymentStatus.PAID
    # Back to the pay page after the decision: it says so, and stays accessible.
    page.goto(tx.redirect_url)
    assert "bereits entschieden" in page.locator("main").inner_text()
    assert_no_axe_violations(page)


def test_unknown_payment_page_is_accessible(test_provider, page):
    page.goto(f"{test_provider.url}/bezahlung/UNBEKANNT/rueckkehr/")
    assert page.locator("h1").inner_text() == "Zahlung nicht gefunden"
    assert_no_axe_violations(page)
