"""Every write to a destination or key is in the audit trail, with actor and authority, never a secret."""

import json

import pytest

from amtsweg.accounts.models import AuditEntry
from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.routing import services
from amtsweg.routing.tests.factories import public_jwk

pytestmark = pytest.mark.django_db


def actions(**filters) -> list[str]:
    return list(AuditEntry.objects.filter(**filters).order_by("pk").values_list("action", flat=True))


def test_destination_and_key_writes_are_recorded(offices):
    authority = offices["sb"].authority
    staff = UserFactory(authority=authority)
    created = services.create_destination(authority, name="Gewerbe", channels=["pull"],
                                          encryption_jwk=public_jwk("encryption", "audit-enc-0001"), actor=staff)
    destination = created.destination
    services.update_destination(destination, actor=staff, channels=["pull", "email"],
                                notification_email="gewerbe@example.org")
    services.update_destination(destination, actor=staff, name="Gewerbe")  # no change, no entry
    secret = services.regenerate_callback_secret(destination, actor=staff)
    old = destination.active_encryption_key()
    services.add_key(destination, public_jwk("encryption", "audit-enc-0002", number=1), "encryption",
                     grace_days=7, actor=staff)
    old.refresh_from_db()
    services.end_grace_period(old, actor=staff)
    assert actions(authority=authority) == [
        "destination.created", "key.added", "destination.changed", "destination.secret_regenerated",
        "key.retired", "key.added", "key.grace_ended"]
    entries = AuditEntry.objects.filter(authority=authority)
    assert {e.actor_id for e in entries} == {staff.pk}
    changed = entries.get(action="destination.changed").details
    assert changed == {"channels": {"from": ["pull"], "to": ["pull", "email"]},
                       "notification_email": {"from": "", "to": "gewerbe@example.org"}}
    text = json.dumps([e.details for e in entries])
    assert secret not in text and created.callback_secret not in text


def test_a_key_added_on_the_staff_page_is_recorded(client, offices):
    destination = offices["sb"]
    admin = UserFactory(authority=destination.authority, kommune_admin=True)
    login_staff(client, admin)
    jwk = json.dumps(public_jwk("encryption", "audit-ui-0001", number=1))
    response = client.post(f"/verwaltung/zustellpunkte/{destination.pk}/schluessel/",
                           {"purpose": "encryption", "grace_days": 30, "jwk": jwk})
    assert response.status_code == 302
    entry = AuditEntry.objects.get(action="key.added")
    assert entry.actor == admin and entry.authority == destination.authority and entry.details["kid"] == "audit-ui-0001"
