"""Staff pages: dead letters with the reason, resend, tenant isolation (UI and browser/axe)."""

import pytest
from django.urls import reverse

from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.delivery.models import OutboxMessage
from amtsweg.delivery.tests.factories import OutboxMessageFactory

LIST = "/verwaltung/zustellung/"


@pytest.mark.django_db
def test_staff_see_their_dead_letters_with_reason_and_can_resend(client):
    staff = UserFactory()
    dead = OutboxMessageFactory(dead=True, authority=staff.authority)
    OutboxMessageFactory(delivered=True, authority=staff.authority)
    client.force_login(staff)
    response = client.get(LIST, {"status": "dead"})
    assert response.status_code == 200
    html = response.content.decode()
    assert str(dead.submission_id) in html
    assert "Zustellfrist abgelaufen nach 7 Versuchen" in html
    response = client.post(reverse("delivery:resend", args=[dead.pk]))
    assert response.status_code == 302 and response["Location"] == f"{LIST}?status=dead"
    dead.refresh_from_db()
    assert dead.status == OutboxMessage.Status.PENDING


@pytest.mark.django_db
def test_staff_of_another_kommune_can_neither_see_nor_resend(client):
    mine = OutboxMessageFactory(dead=True)
    other = UserFactory()
    client.force_login(other)
    html = client.get(LIST).content.decode()
    assert str(mine.submission_id) not in html
    assert client.post(reverse("delivery:resend", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.status == OutboxMessage.Status.DEAD


@pytest.mark.django_db
def test_a_land_operator_neither_sees_nor_resends_a_kommunes_deliveries(client):
    """Issue 12.1: delivery orders name a Kommune's applications; the Land saw and resent them."""
    from amtsweg.accounts.testing import login_staff

    mine = OutboxMessageFactory(dead=True)
    operator = UserFactory(land_operator=True)
    assert operator.authority.land_code == mine.authority.land_code
    login_staff(client, operator)
    assert str(mine.submission_id) not in client.get(LIST).content.decode()
    assert client.post(reverse("delivery:resend", args=[mine.pk])).status_code == 404
    mine.refresh_from_db()
    assert mine.status == OutboxMessage.Status.DEAD


@pytest.mark.django_db
def test_anonymous_and_citizens_are_kept_out(client):
    assert client.get(LIST).status_code == 302
    client.force_login(UserFactory(citizen=True))
    assert client.get(LIST).status_code == 403


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_dead_letter_page_resend_in_the_browser_without_axe_violations(live_server, page):
    from amtsweg.core.testing import assert_no_axe_violations

    staff = UserFactory()
    dead = OutboxMessageFactory(dead=True, authority=staff.authority)
    page.context.add_cookies([_session_cookie(staff, live_server.url)])
    page.goto(f"{live_server.url}{LIST}?status=dead")
    assert page.get_by_role("heading", level=1).inner_text() == "Zustellung an die Fachverfahren"
    assert "Zustellfrist abgelaufen" in page.inner_text("table")
    assert_no_axe_violations(page)
    page.get_by_role("button", name=f"Einreichung {dead.submission_id} erneut senden").click()
    page.get_by_text("Die Zustellung wird erneut versucht.").wait_for()
    dead.refresh_from_db()
    assert dead.status == OutboxMessage.Status.PENDING


def _session_cookie(user, url):
    from django.conf import settings
    from django.test import Client

    client = Client()
    client.force_login(user)
    return {"name": settings.SESSION_COOKIE_NAME, "value": client.cookies[settings.SESSION_COOKIE_NAME].value,
            "url": url}


@pytest.mark.django_db
@pytest.mark.usefixtures("routing_index_as_in_production")
def test_the_list_names_each_delivery_by_its_aw_number(client, django_assert_max_num_queries):
    """Applicants, Bürgeramt and case file name an application by its AW number, not its UUID (issue 16)."""
    from amtsweg.submissions.tests.factories import SubmissionFactory

    staff = UserFactory()
    submissions = [SubmissionFactory() for _ in range(3)]
    for submission in submissions:
        OutboxMessageFactory(dead=True, authority=staff.authority, submission_id=submission.pk)
    client.force_login(staff)
    first = client.get(LIST).content.decode()
    for submission in submissions:
        assert submission.public_reference.startswith("AW-") and submission.public_reference in first
    assert "Vorgangsnummer" in first
    with django_assert_max_num_queries(12):  # one lookup for the page, not one per row
        client.get(LIST)
