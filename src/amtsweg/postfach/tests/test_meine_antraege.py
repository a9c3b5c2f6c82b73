""""Meine Anträge": a logged-in citizen's applications, in plain German, and nobody else's."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.assistants import integrations
from amtsweg.assistants import services as assistant_services
from amtsweg.postfach import services
from amtsweg.postfach.models import Application
from amtsweg.submissions import status
from amtsweg.submissions.status_page import article_kind, default_headline

from .factories import apply, citizen_identity, login_citizen

pytestmark = pytest.mark.django_db
INDEX = "/postfach/"


def test_an_application_made_while_logged_in_is_in_that_citizens_postfach(client, routed_responsibility):
    login_citizen(client, subject="erika")
    submission = apply(client)
    page = client.get(INDEX)
    body = page.content.decode()
    assert page.status_code == 200
    assert submission.public_reference in body
    assert "Ihr Antrag ist beim Bürgerbüro Völklingen eingegangen." in body
    assert status.status_path(submission.public_reference) in body
    assert "Security Event Token" not in body and "submitted" not in body
    owner = integrations.owner_key(citizen_identity("erika"))
    assert Application.objects.get().owner_key == owner  # a keyed hash, not the subject or a user id
    assert "erika" not in owner


def test_other_citizens_and_anonymous_applicants_see_none_of_it(client, routed_responsibility, settings):
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = True  # a login to offer (none is offered without a provider)
    login_citizen(client, subject="erika")
    submission = apply(client)
    other = Client()
    login_citizen(other, subject="max", given_name="Max")
    body = other.get(INDEX).content.decode()
    assert submission.public_reference not in body
    assert "noch keinen Antrag gestellt" in body
    anonymous = Client().get(INDEX).content.decode()
    assert submission.public_reference not in anonymous and "Mit Bürgerkonto anmelden" in anonymous
    staff = Client()
    staff.force_login(UserFactory(authority=routed_responsibility.authority))
    assert submission.public_reference not in staff.get(INDEX).content.decode()


def test_an_anonymous_application_is_linked_to_no_account(client, routed_responsibility):
    apply(client)
    assert not Application.objects.exists()
    login_citizen(client, subject="erika")  # logging in afterwards does not claim it
    assert "noch keinen Antrag gestellt" in client.get(INDEX).content.decode()


def test_a_paid_application_lands_in_the_postfach_of_the_account_that_left_for_the_pay_page(routed_responsibility):
    state = assistant_services.DraftState(owner_key="k" * 64)
    assert assistant_services.DraftState(**state.as_json()).owner_key == "k" * 64
    assert assistant_services.DraftState(**{"answers": {}}).owner_key == ""  # drafts stored before this field


def test_linking_is_idempotent_and_needs_a_key(routed_responsibility):
    submission = apply(Client())
    assert services.link_application(submission.public_reference, "") is None
    first = services.link_application(submission.public_reference, "a" * 64)
    again = services.link_application(submission.public_reference, "b" * 64)
    assert first.pk == again.pk and Application.objects.get().owner_key == "a" * 64
    assert services.link_application("AW-ZZZZ-ZZZZ-ZZZZ", "a" * 64) is None


@pytest.mark.parametrize(("name", "kind"), [
    ("Bürgerbüro Völklingen", "m"), ("Stadt Völklingen", "f"), ("Landkreis Saarlouis – Kreisverwaltung", "m"),
    ("Große Kreisstadt Saarlouis", "f"), ("Kreisstadt Merzig", "f"), ("Ordnungsamt Homburg", "m"),
    ("Landeshauptstadt Saarbrücken", "f"), ("Regionalverband Saarbrücken", "m"), ("IT-Dienstleistungszentrum", "m"),
    ("Saarpfalz-Kreis", "m"), ("XYZ Völklingen", ""),
])
def test_the_office_gets_the_right_article(name, kind):
    assert article_kind(name) == kind


def test_status_page_says_where_the_application_stands_without_protocol_words(client, routed_responsibility):
    submission = apply(client)
    body = client.get(status.status_path(submission.public_reference)).content.decode()
    assert "Ihr Antrag ist beim Bürgerbüro Völklingen eingegangen." in body
    assert "Security Event Token" not in body
    submission.destination.authority.name = "Zweckgemeinschaft XYZ"
    assert default_headline(submission) == \
        "Ihr Antrag ist bei der zuständigen Stelle (Zweckgemeinschaft XYZ) eingegangen."
    submission.status = submission.Status.REJECTED
    assert "nicht angenommen" in default_headline(submission)


def test_navigation_names_the_postfach(client):
    body = client.get(reverse("catalogue:home")).content.decode()
    assert f'href="{INDEX}"' in body and "Meine Anträge" in body


def _queries_for(client, url: str) -> int:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_meine_antraege_costs_the_same_queries_for_one_application_or_many(client, routed_responsibility):
    """The headline of each row needs the back-office case's state: it comes with the list, not one query
    per row (issue 14)."""
    from amtsweg.casework.tests.factories import on_casework
    from amtsweg.delivery import services as outbox

    login_citizen(client, subject="erika")
    on_casework(routed_responsibility)
    apply(client)
    outbox.run_until_idle()
    client.get(INDEX)  # warm: session, cached keys
    one = _queries_for(client, INDEX)
    for _ in range(3):
        apply(client)
    outbox.run_until_idle()
    assert client.get(INDEX).content.decode().count('class="kern-card__body"') == 4
    assert _queries_for(client, INDEX) == one


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_forwarded_applications_cost_no_queries_of_their_own(client, routed_responsibility,
                                                               django_assert_num_queries):
    """A forwarded row names where the application went (the forwarding entry and the new submission's
    authority): both come for all rows at once, not two queries per forwarded row (issue 13)."""
    from amtsweg.accounts.tests.factories import UserFactory
    from amtsweg.casework import forwarding
    from amtsweg.casework.models import Case
    from amtsweg.routing.tests.factories import ResponsibilityFactory

    from .factories import casework_application

    login_citizen(client, subject="erika")
    responsible = ResponsibilityFactory(leika_key=routed_responsibility.leika_key)
    worker = UserFactory(authority=routed_responsibility.destination.authority)

    def forward_one() -> None:
        _submission, case = casework_application(client, routed_responsibility)
        forwarding.forward(Case.objects.get(pk=case.pk), responsible.destination, actor=worker)

    forward_one()
    client.get(INDEX)  # warm: session, cached keys
    one = _queries_for(client, INDEX)
    forward_one()
    forward_one()
    with django_assert_num_queries(one):
        page = client.get(INDEX).content.decode()
    assert page.count('class="kern-card__body"') == 6  # three forwarded, three at their new place
    assert page.count("weitergeleitet") >= 3
