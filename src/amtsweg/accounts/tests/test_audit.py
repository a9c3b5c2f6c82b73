"""The audit trail: `audit.record` and the read-only, tenant-scoped protocol page /verwaltung/protokoll/."""

import pytest

from amtsweg.accounts import audit, services
from amtsweg.accounts.models import AuditEntry
from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.core.actors import SYSTEM

pytestmark = pytest.mark.django_db
PAGE = "/verwaltung/protokoll/"


def test_account_changes_are_recorded_with_actor_and_authority(kommune_a):
    admin = UserFactory(authority=kommune_a, kommune_admin=True)
    account, password = services.create_staff_account(admin, authority=kommune_a, username="neu.konto",
                                                      role="kommune_staff")
    services.set_active(admin, account, False)
    services.set_active(admin, account, True)
    services.reset_second_factor(admin, account)
    entries = list(AuditEntry.objects.order_by("pk"))
    assert [e.action for e in entries] == ["account.created", "account.deactivated", "account.activated",
                                           "account.second_factor_reset"]
    for entry in entries:
        assert entry.actor == admin and entry.actor_username == admin.username
        assert entry.authority == kommune_a and entry.target_id == str(account.pk)
        assert password not in str(entry.details)


def test_unknown_actions_are_refused(kommune_a):
    with pytest.raises(ValueError, match="unknown audit action"):
        audit.record(SYSTEM, kommune_a, "destination.stolen", kommune_a)


def test_the_system_is_recorded_as_such(kommune_a):
    entry = audit.record(SYSTEM, kommune_a, "authority.created", kommune_a)
    entry.refresh_from_db()
    assert entry.actor is None and entry.actor_username == "" and entry.by_system


def test_an_entry_without_an_actor_is_refused(kommune_a):
    """Issue 13 item 10: a forgotten actor is a programming error, never "the system"."""
    with pytest.raises(TypeError, match="SYSTEM"):
        audit.record(None, kommune_a, "authority.created", kommune_a)
    assert not AuditEntry.objects.exists()


def test_record_many_writes_one_entry_per_target_and_refuses_like_record(kommune_a, kommune_b):
    admin = UserFactory(authority=kommune_a, kommune_admin=True)
    written = audit.record_many(SYSTEM, [(kommune_a, "authority.changed", kommune_a, {"name": "A"}),
                                         (kommune_b, "authority.changed", kommune_b, None)])
    assert [(e.authority, e.actor, e.actor_username, e.target_id) for e in written] == [
        (kommune_a, None, "", str(kommune_a.pk)), (kommune_b, None, "", str(kommune_b.pk))]
    assert AuditEntry.objects.count() == 2
    with pytest.raises(ValueError):
        audit.record_many(admin, [(kommune_a, "nonsense.done", kommune_a, None)])
    with pytest.raises(TypeError):
        audit.record_many(None, [])
    assert AuditEntry.objects.count() == 2


def test_a_retention_deletion_is_shown_in_german(kommune_a):
    shown = dict(audit.format_details({"reference": "AW-1", "closed_on": "2025-01-31", "retention_days": 365,
                                       "categories": {"application": 1, "attachments": 2, "postfach_links": 1}}))
    assert shown["Gelöschte Inhalte (Anzahl)"] == ("Antrag (Angaben, Zahlung, Kontaktadresse): 1; Anlagen des "
                                                   "Antrags: 2; Zuordnung zum Bürgerkonto: 1")
    assert shown["Aufbewahrungsfrist (Tage)"] == "365"


def test_the_protocol_page_shows_the_own_authoritys_entries_only(client, kommune_a, kommune_b):
    admin_a = UserFactory(authority=kommune_a, kommune_admin=True)
    admin_b = UserFactory(authority=kommune_b, kommune_admin=True)
    services.create_staff_account(admin_a, authority=kommune_a, username="konto.a", role="kommune_staff")
    services.create_staff_account(admin_b, authority=kommune_b, username="konto.b", role="kommune_staff")
    login_staff(client, admin_a)
    response = client.get(PAGE)
    page = response.content.decode()
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    assert "Konto angelegt" in page and "konto.a" in page and "konto.b" not in page
    # The Land sees none of the Kommunen's entries; plain staff do not open the page.
    operator = UserFactory(land_operator=True)
    login_staff(client, operator)
    assert "konto.a" not in client.get(PAGE).content.decode()
    login_staff(client, UserFactory(authority=kommune_a))
    assert client.get(PAGE).status_code == 403


def test_the_land_sees_its_own_offices_entries(client):
    operator = UserFactory(land_operator=True)
    office = AuthorityFactory(land_office=True, name="Landesverwaltungsamt")
    services.create_staff_account(operator, authority=office, username="lvwa.admin", role="kommune_admin")
    login_staff(client, operator)
    assert "lvwa.admin" in client.get(PAGE).content.decode()


def test_contact_changes_are_recorded_also_when_the_land_makes_them(client, kommune_a):
    operator = UserFactory(land_operator=True)
    services.update_contact(operator, kommune_a, phone="0681 1", email=kommune_a.email)
    entry = AuditEntry.objects.get(action="authority.changed")
    assert entry.actor == operator and entry.authority == kommune_a
    assert entry.details == {"phone": {"from": "0681 123456", "to": "0681 1"}}
    admin_a = UserFactory(authority=kommune_a, kommune_admin=True)
    login_staff(client, admin_a)
    assert "Kontaktdaten der Behörde geändert" in client.get(PAGE).content.decode()


def test_details_are_shown_in_german_without_changing_what_is_stored(kommune_a):
    """Walk finding after issue 12: "Einzelheiten" showed Python dict reprs with English keys and UTC ISO
    timestamps next to a local time column."""
    details = {
        "channels": {"from": ["pull"], "to": ["pull", "callback"]},
        "purpose": "encryption",
        "valid_until": "2026-12-03T07:30:00+00:00",
        "role": "kommune_admin",
        "scopes": [],
        "mystery": 3,
    }
    assert audit.format_details(details) == [
        ("Zustellwege", "pull → pull, callback"),
        ("Verwendung", "Verschlüsselung"),
        ("Zum Entschlüsseln gültig bis", "03.12.2026 08:30:00"),
        ("Rolle", "Kommune: Administration"),
        ("Berechtigungen (Scopes)", "–"),
        ("mystery", "3"),
    ]
    entry = audit.record(SYSTEM, kommune_a, "destination.changed", kommune_a, details)
    entry.refresh_from_db()
    assert entry.details == details


def test_the_protocol_page_renders_the_formatted_details(client, kommune_a):
    admin = UserFactory(authority=kommune_a, kommune_admin=True)
    audit.record(admin, kommune_a, "authority.changed", kommune_a,
                 {"opening_hours": {"from": "", "to": "Mo 8–12"}})
    login_staff(client, admin)
    page = client.get(PAGE).content.decode()
    assert "Öffnungszeiten: – → Mo 8–12" in page
    assert "{&#x27;from&#x27;" not in page and "opening_hours" not in page


def test_later_apps_name_their_own_codes_once():
    """The retention categories and the case and key codes are named where they are defined (registered at
    start-up), not copied into accounts, which the layers keep from importing them."""
    from amtsweg.casework import retention
    from amtsweg.casework.models import Case
    from amtsweg.core.plugins import AlreadyRegistered
    from amtsweg.routing.models import Destination, DestinationKey

    for code, label in retention.CATEGORIES.items():
        assert audit.detail_labels[code] is label
    for kind in (Case.State, Case.Decision, DestinationKey.Purpose, Destination.Status):
        for value, label in kind.choices:
            assert audit.detail_values[value] == label
    with pytest.raises(AlreadyRegistered):
        audit.register_labels({"application": "anything else"})
