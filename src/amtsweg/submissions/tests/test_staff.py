"""Staff management of API clients (/verwaltung/api-clients/) and the applicant's status page."""

from __future__ import annotations

import re
from urllib.parse import urlencode

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client

from amtsweg.accounts.models import AuditEntry
from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory
from amtsweg.submissions import events, oauth, status
from amtsweg.submissions.models import AccessToken, ApiClient
from amtsweg.submissions.tests.factories import ApiClientFactory, bearer, payload_for, submit_payload

pytestmark = pytest.mark.django_db


def _staff_client(user) -> Client:
    client = Client()
    login_staff(client, user)
    return client


def test_kommune_admin_creates_a_subscriber_client_and_sees_the_secret_once():
    destination = DestinationFactory()
    admin = UserFactory(kommune_admin=True, authority=destination.authority)
    client = _staff_client(admin)

    form = client.get("/verwaltung/api-clients/neu/subscriber/")
    assert form.status_code == 200 and destination.name in form.content.decode()
    response = client.post("/verwaltung/api-clients/neu/subscriber/",
                           {"name": "Hundesteuer-Fachverfahren", "destinations": [str(destination.pk)]})
    assert response.status_code == 302  # POST/redirect/GET: a reload must not create a second client
    response = client.get(response["Location"])
    assert response.status_code == 200 and response["Cache-Control"] == "no-store"
    html = response.content.decode()
    client_id = re.search(r'id="client-id">([^<]+)<', html).group(1)
    secret = re.search(r'id="client-secret">([^<]+)<', html).group(1)
    api_client = ApiClient.objects.get(client_id=client_id)
    assert api_client.authority == destination.authority and api_client.created_by == admin
    assert api_client.scopes == [f"subscribe:destination:{destination.pk}"]
    assert api_client.secret_hash == oauth.hash_secret(secret) and secret not in api_client.secret_hash
    entry = AuditEntry.objects.get(action="api_client.created")
    assert entry.actor == admin and entry.authority == destination.authority
    assert entry.details["scopes"] == api_client.scopes and secret not in str(entry.details)
    token = Client().post("/token", urlencode({"grant_type": "client_credentials", "client_id": client_id,
                                               "client_secret": secret}),
                          content_type="application/x-www-form-urlencoded")
    assert token.status_code == 200
    listing = client.get("/verwaltung/api-clients/").content.decode()
    assert "Hundesteuer-Fachverfahren" in listing and secret not in listing


def test_reloading_after_creating_a_client_creates_no_second_one_and_never_shows_the_secret_again():
    destination = DestinationFactory()
    admin = UserFactory(kommune_admin=True, authority=destination.authority)
    client = _staff_client(admin)
    data = {"name": "Hundesteuer-Fachverfahren", "destinations": [str(destination.pk)]}
    created = client.post("/verwaltung/api-clients/neu/subscriber/", data, follow=True)
    secret = re.search(r'id="client-secret">([^<]+)<', created.content.decode()).group(1)
    page_url = created.redirect_chain[-1][0]

    reloaded = client.get(page_url)  # what the browser reloads after the redirect
    html = reloaded.content.decode()
    assert reloaded.status_code == 200 and secret not in html and 'id="client-secret"' not in html
    assert "bereits angezeigt und kann nicht erneut angezeigt werden" in html
    assert ApiClient.objects.filter(name="Hundesteuer-Fachverfahren", is_active=True).count() == 1
    assert AuditEntry.objects.filter(action="api_client.created").count() == 1
    other_admin = UserFactory(kommune_admin=True)  # another Kommune never sees the page
    assert _staff_client(other_admin).get(page_url).status_code == 404


def test_an_admin_cannot_pick_another_kommunes_destination():
    own, foreign = DestinationFactory(), DestinationFactory()
    admin = UserFactory(kommune_admin=True, authority=own.authority)
    response = _staff_client(admin).post("/verwaltung/api-clients/neu/subscriber/",
                                         {"name": "Fremd", "destinations": [str(foreign.pk)]})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert not ApiClient.objects.exists()


def _land_operator_of(authority):
    """A Land operator of the Kommune's Land (its own office is a Land authority of the same Land)."""
    from amtsweg.accounts.tests.factories import AuthorityFactory
    from amtsweg.geo.models import Land

    office = AuthorityFactory(land_office=True, land=Land.objects.get(code=authority.land_code))
    return UserFactory(land_operator=True, authority=office)


def test_a_land_operator_never_gets_a_client_for_a_kommunes_destination():
    """Issue 12.1: the Land could create a subscriber client for a Kommune's destination and fetch its
    applications with it."""
    kommune_destination = DestinationFactory()
    submission = submit_payload(payload_for(ResponsibilityFactory(destination=kommune_destination)))
    operator = _land_operator_of(kommune_destination.authority)
    client = _staff_client(operator)
    form = client.get("/verwaltung/api-clients/neu/subscriber/").content.decode()
    assert str(kommune_destination.pk) not in form
    response = client.post("/verwaltung/api-clients/neu/subscriber/",
                           {"name": "Land liest mit", "destinations": [str(kommune_destination.pk)]})
    assert response.status_code == 200 and 'aria-invalid="true"' in response.content.decode()
    assert not ApiClient.objects.exists()
    # The domain function refuses as well, whoever calls it.
    with pytest.raises(PermissionDenied):
        oauth.create_client(name="x", kind=ApiClient.Kind.SUBSCRIBER, authority=kommune_destination.authority,
                            scopes=[f"subscribe:destination:{kommune_destination.pk}"], actor=operator)
    with pytest.raises(PermissionDenied):
        oauth.create_client(name="x", kind=ApiClient.Kind.SUBSCRIBER, authority=operator.authority,
                            scopes=[f"subscribe:destination:{kommune_destination.pk}"], actor=operator)
    assert not ApiClient.objects.exists()
    assert submission.destination_id == kommune_destination.pk


def test_a_kommune_admin_cannot_smuggle_another_destination_into_a_clients_scopes():
    own, foreign = DestinationFactory(), DestinationFactory()
    admin = UserFactory(kommune_admin=True, authority=own.authority)
    with pytest.raises(PermissionDenied):
        oauth.create_client(name="x", kind=ApiClient.Kind.SUBSCRIBER, authority=own.authority,
                            scopes=[f"subscribe:destination:{own.pk}", f"subscribe:destination:{foreign.pk}"],
                            actor=admin)
    client, _secret = oauth.create_client(name="ok", kind=ApiClient.Kind.SUBSCRIBER, authority=own.authority,
                                          scopes=[f"subscribe:destination:{own.pk}"], actor=admin)
    assert client.scopes == [f"subscribe:destination:{own.pk}"]


@pytest.mark.parametrize(
    ("scope", "valid"),
    [
        ("send:region:DE10", True),
        ("send:region:DE064", True),  # Regierungsbezirk Darmstadt
        ("send:region:DE", True),  # FIT-Connect's ServiceRegion ^DE[0-9]{0,12}$: the whole country
        ("send:region:DE100410100100+send:service:urn:de:fim:leika:leistung:99102013000000", True),
        ("send:region:DE١٠", False),  # \d took Arabic-Indic digits into a stored scope
        ("send:region:DE10\n", False),  # $ took a trailing newline
        ("send:region:DE1004101001001", False),
        ("subscribe:destination:0b3c5e8a-54a4-4c35-9d0e-5d2c1d4f6a7b\n", False),
    ],
)
def test_scopes_are_checked_whole_and_with_ascii_region_keys(scope, valid):
    assert oauth.is_valid_scope(scope) is valid


def test_a_land_operator_sees_no_kommune_clients_and_cannot_revoke_them():
    kommune_client = ApiClientFactory(subscriber_for=DestinationFactory(), name="Verfahren der Kommune")
    operator = _land_operator_of(kommune_client.authority)
    client = _staff_client(operator)
    assert "Verfahren der Kommune" not in client.get("/verwaltung/api-clients/").content.decode()
    assert client.post(f"/verwaltung/api-clients/{kommune_client.pk}/sperren/").status_code == 404
    with pytest.raises(PermissionDenied):
        oauth.revoke_client(kommune_client, actor=operator)
    kommune_client.refresh_from_db()
    assert kommune_client.is_active


def test_a_land_operator_creates_clients_for_the_lands_own_destinations():
    from amtsweg.accounts.tests.factories import AuthorityFactory

    land_destination = DestinationFactory(authority=AuthorityFactory(land_office=True, name="Landesverwaltungsamt"))
    operator = _land_operator_of(land_destination.authority)
    response = _staff_client(operator).post("/verwaltung/api-clients/neu/subscriber/",
                                            {"name": "Landesverfahren", "destinations": [str(land_destination.pk)]})
    assert response.status_code == 302
    assert ApiClient.objects.get(name="Landesverfahren").authority == land_destination.authority


def test_staff_of_one_kommune_cannot_see_or_revoke_anothers_clients():
    mine = ApiClientFactory(subscriber_for=DestinationFactory(), name="Mein Verfahren")
    theirs = ApiClientFactory(subscriber_for=DestinationFactory(), name="Fremdes Verfahren")
    admin = UserFactory(kommune_admin=True, authority=mine.authority)
    client = _staff_client(admin)
    html = client.get("/verwaltung/api-clients/").content.decode()
    assert "Mein Verfahren" in html and "Fremdes Verfahren" not in html
    assert client.post(f"/verwaltung/api-clients/{theirs.pk}/sperren/").status_code == 404
    theirs.refresh_from_db()
    assert theirs.is_active


def test_revoking_a_client_invalidates_its_tokens():
    api_client = ApiClientFactory(subscriber_for=DestinationFactory())
    authorization = bearer(api_client)
    admin = UserFactory(kommune_admin=True, authority=api_client.authority)
    staff = _staff_client(admin)
    # issue 16: the list links to a page that says what blocking does; a POST without its button blocks nothing
    assert f'href="/verwaltung/api-clients/{api_client.pk}/sperren/"' in staff.get("/verwaltung/api-clients/").text
    for unconfirmed in (staff.get(f"/verwaltung/api-clients/{api_client.pk}/sperren/"),
                        staff.post(f"/verwaltung/api-clients/{api_client.pk}/sperren/")):
        assert unconfirmed.status_code == 200 and "lässt sich nicht aufheben" in unconfirmed.text
        api_client.refresh_from_db()
        assert api_client.is_active
    response = staff.post(f"/verwaltung/api-clients/{api_client.pk}/sperren/", {"confirm": "ja"})
    assert response.status_code == 302
    api_client.refresh_from_db()
    assert not api_client.is_active and api_client.revoked_at is not None
    assert not AccessToken.objects.filter(client=api_client).exists()
    assert Client(HTTP_AUTHORIZATION=authorization).get("/v1/submissions").status_code == 401
    entry = AuditEntry.objects.get(action="api_client.revoked")
    assert entry.actor == admin and entry.authority == api_client.authority
    assert entry.details == {"client_id": api_client.client_id, "tokens_revoked": 1}


def test_plain_staff_and_citizens_may_not_manage_clients():
    staff = UserFactory()  # Kommune staff, not an administrator
    assert _staff_client(staff).get("/verwaltung/api-clients/").status_code == 403
    citizen = UserFactory(citizen=True)
    client = Client()
    client.force_login(citizen)
    assert client.get("/verwaltung/api-clients/").status_code == 403
    assert Client().get("/verwaltung/api-clients/").status_code == 302  # to the login


def test_only_the_land_creates_sender_clients_inside_its_land():
    admin = UserFactory(kommune_admin=True)
    assert _staff_client(admin).get("/verwaltung/api-clients/neu/sender/").status_code == 403
    operator = UserFactory(land_operator=True)
    land = operator.authority.land_code
    client = _staff_client(operator)
    outside = client.post("/verwaltung/api-clients/neu/sender/", {"name": "Fremdes Land", "region": "09"})
    assert outside.status_code == 200 and "in Ihrem Land" in outside.content.decode()
    created = client.post("/verwaltung/api-clients/neu/sender/",
                          {"name": "Bauportal", "region": land, "leika_key": "99012008001000"})
    assert created.status_code == 302
    sender = ApiClient.objects.get(name="Bauportal")
    assert sender.kind == ApiClient.Kind.SENDER
    assert sender.scopes == [f"send:region:DE{land}+send:service:urn:de:fim:leika:leistung:99012008001000"]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        # digits of another script passed \d and went into the stored scope (send:region:DE١٠)
        ("region", "١٠", "2, 3, 5, 9 oder 12 Ziffern"),
        ("leika_key", "99١٠٢٠١٣٠٠٠٠٠٠", "beginnt mit 99"),
        ("region", "1004", "2, 3, 5, 9 oder 12 Ziffern"),
    ],
)
def test_sender_form_takes_only_keys_routing_knows(field, value, message):
    from amtsweg.submissions.forms import SenderClientForm

    data = {"name": "Bauportal", "region": "10", "leika_key": "", field: value}
    form = SenderClientForm(data, user=UserFactory(is_superuser=True))
    assert not form.is_valid()
    assert message in " ".join(form.errors[field])
    assert SenderClientForm({**data, field: {"region": "100", "leika_key": "99012008001000"}[field]},
                            user=UserFactory(is_superuser=True)).is_valid()


def test_status_page_needs_the_signed_link_and_shows_verified_events(settings):
    responsibility = ResponsibilityFactory()
    submission = submit_payload(payload_for(responsibility))
    client = Client()
    assert client.get(f"/status/{submission.public_reference}/falsch/").status_code == 404
    other = "AW-AAAA-BBBB-CCCC"
    assert client.get(f"/status/{other}/{status.signature(other)}/").status_code == 404

    response = client.get(status.status_path(submission.public_reference))
    assert response.status_code == 200
    html = response.content.decode()
    assert submission.public_reference in html
    assert "Antrag verschlüsselt eingereicht" in html
    assert "kern-badge--danger" not in html and "Herkunft nicht bestätigt" not in html  # both steps verified
    # A tampered token shows as not verified.
    event = submission.events.get(event_type=events.SUBMIT)
    event.token = event.token[:-10] + "AAAAAAAAAA"
    event.save(update_fields=["token"])
    html = client.get(status.status_path(submission.public_reference)).content.decode()
    assert html.count("kern-badge--danger") == 1 and "Herkunft nicht bestätigt" in html  # said in words
    # Personal data does not appear on the page.
    assert "Mustermann" not in html and "Bello" not in html


def test_reference_alone_shows_where_the_link_is_without_revealing_existence():
    submission = submit_payload(payload_for(ResponsibilityFactory()))
    known = Client().get(f"/status/{submission.public_reference}/")
    unknown = Client().get("/status/AW-ZZZZ-ZZZZ-ZZZZ/")
    assert known.status_code == unknown.status_code == 200
    assert "per E-Mail" in known.content.decode()
    assert "Antrag verschlüsselt eingereicht" not in known.content.decode()
