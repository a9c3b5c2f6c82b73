"""OAuth 2.0 client credentials for the Submission API (as FIT-Connect's token endpoint).

`POST /token` (form-encoded: grant_type=client_credentials, client_id, client_secret, optional scope)
returns `{"access_token", "token_type": "Bearer", "expires_in", "scope"}`. Tokens are opaque random
strings; only their SHA-256 hash is stored, with the expiry and the granted scopes. Client secrets are
high-entropy random strings and stored as SHA-256 hashes too (a slow password hash buys nothing for
256-bit random secrets and would cost on every token request).

Scopes (FIT-Connect): `send:region:DE<ARS prefix>` optionally `+send:service:<urn>`,
`subscribe:destination:<id>`, `manage:destination:<id>`.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import uuid
from dataclasses import dataclass, field
from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone

from amtsweg.accounts import audit
from amtsweg.core.actors import is_system
from amtsweg.core.tenancy import can_act_for
from amtsweg.routing.models import Destination
from amtsweg.submissions.models import AccessToken, ApiClient

TOKEN_LIFETIME = timedelta(minutes=30)

# The region is FIT-Connect's ServiceRegion (`^DE[0-9]{0,12}$`): "DE" and an ARS prefix of ASCII digits
# (see amtsweg.core.keyformats; Python's \d would also take other scripts' digits).
SEND_RE = re.compile(r"^send:region:DE([0-9]{0,12})(?:\+send:service:(urn:[a-z0-9][a-z0-9-]{0,31}:[^\s+]+))?$")
SUBSCRIBE_RE = re.compile(r"^subscribe:destination:([0-9a-fA-F-]{32,36})$")
MANAGE_RE = re.compile(r"^manage:destination:([0-9a-fA-F-]{32,36})$")


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode("utf-8")).hexdigest()


def new_client_credentials() -> tuple[str, str]:
    """A fresh (client_id, client_secret) pair."""
    return str(uuid.uuid4()), secrets.token_urlsafe(40)


def destination_ids_in(scopes: list[str]) -> set[str]:
    """Destination ids named by subscribe/manage scopes (lower case)."""
    ids = set()
    for scope in scopes:
        if m := SUBSCRIBE_RE.match(scope) or MANAGE_RE.match(scope):
            ids.add(m.group(1).lower())
    return ids


def check_may_create(actor, authority, scopes: list[str]) -> None:
    """A person creates clients only for an Authority they act for (`can_act_for`: never a Land operator for a
    Kommune), and a client may only fetch or manage that Authority's own destinations. The API trusts the
    stored scopes, so this is the place that keeps one tenant's client off another tenant's applications."""
    if not can_act_for(actor, authority):
        raise PermissionDenied
    wanted = destination_ids_in(scopes)
    if wanted:
        own = {str(pk).lower() for pk in Destination.objects.filter(authority=authority).values_list("pk", flat=True)}
        if not wanted <= own:
            raise PermissionDenied


def create_client(*, name: str, kind: str, authority, scopes: list[str], actor) -> tuple[ApiClient, str]:
    """Create a client; returns it with its secret in clear text (shown once, never stored).

    `actor` is the acting person, whose scope is checked, or SYSTEM (demo data, commands); None raises TypeError.
    """
    for scope in scopes:
        if not is_valid_scope(scope):
            raise ValueError(f"invalid scope: {scope}")
    check_may_create(actor, authority, scopes)
    created_by = None if is_system(actor) else actor
    client_id, secret = new_client_credentials()
    with transaction.atomic():
        client = ApiClient.objects.create(
            name=name, kind=kind, authority=authority, client_id=client_id, secret_hash=hash_secret(secret),
            scopes=list(scopes), created_by=created_by,
        )
        audit.record(actor, authority, "api_client.created", client,
                     {"client_id": client_id, "kind": kind, "scopes": list(scopes)})
    return client, secret


@transaction.atomic
def revoke_client(client: ApiClient, *, actor) -> int:
    """Block a client at once: it gets no new tokens and every token it holds stops working. Returns the
    number of tokens revoked."""
    if not ApiClient.objects.editable_by(actor).filter(pk=client.pk).exists():
        raise PermissionDenied
    client.is_active = False
    client.revoked_at = timezone.now()
    client.save(update_fields=["is_active", "revoked_at"])
    revoked, _ = client.tokens.all().delete()
    audit.record(actor, client.authority, "api_client.revoked", client,
                 {"client_id": client.client_id, "tokens_revoked": revoked})
    return revoked


def is_valid_scope(scope: str) -> bool:
    """A scope a client may be given; whole-string matches (`$` alone would let a trailing newline through)."""
    return any(pattern.fullmatch(scope) for pattern in (SEND_RE, SUBSCRIBE_RE, MANAGE_RE))


def check_client(client_id: str, client_secret: str) -> ApiClient | None:
    client = ApiClient.objects.filter(client_id=client_id, is_active=True).select_related("authority").first()
    if client is None or not hmac.compare_digest(client.secret_hash, hash_secret(client_secret or "")):
        return None
    return client


def issue_token(client: ApiClient, scopes: list[str]) -> tuple[str, int]:
    token = secrets.token_urlsafe(32)
    AccessToken.objects.create(
        token_hash=hash_secret(token), client=client, scopes=list(scopes), expires_at=timezone.now() + TOKEN_LIFETIME
    )
    return token, int(TOKEN_LIFETIME.total_seconds())


@dataclass
class Grant:
    """What a bearer token allows."""

    client: ApiClient
    scopes: list[str]
    subscribe: set[str] = field(default_factory=set)  # destination ids (str)
    manage: set[str] = field(default_factory=set)
    send: list[tuple[str, str | None]] = field(default_factory=list)  # (ARS prefix, service urn or None)

    @classmethod
    def from_scopes(cls, client: ApiClient, scopes: list[str]) -> Grant:
        grant = cls(client=client, scopes=scopes)
        for scope in scopes:
            if m := SUBSCRIBE_RE.match(scope):
                grant.subscribe.add(m.group(1).lower())
            elif m := MANAGE_RE.match(scope):
                grant.manage.add(m.group(1).lower())
            elif m := SEND_RE.match(scope):
                grant.send.append((m.group(1), m.group(2)))
        return grant

    def can_subscribe(self, destination_id) -> bool:
        return str(destination_id).lower() in self.subscribe

    def can_read_destination(self, destination_id) -> bool:
        return str(destination_id).lower() in self.subscribe | self.manage

    def can_send(self, area_ars: str, service_identifier: str | None = None) -> bool:
        """A sender may address a destination whose Authority's area lies inside one of its regions."""
        for region, service in self.send:
            if area_ars.startswith(region) and (service is None or service_identifier in (None, service)):
                return True
        return False

    @property
    def is_sender(self) -> bool:
        return bool(self.send)


def grant_for_token(token: str) -> Grant | None:
    """The grant of a valid token: looked up on every request, so revocation and expiry apply at once."""
    try:
        # token_hash is unique: get() (no ORDER BY, unlike first()) over the one index lookup
        row = AccessToken.objects.select_related("client").get(
            token_hash=hash_secret(token), expires_at__gt=timezone.now(), client__is_active=True
        )
    except AccessToken.DoesNotExist:
        return None
    return Grant.from_scopes(row.client, row.scopes)


def purge_expired() -> int:
    deleted, _ = AccessToken.objects.filter(expires_at__lte=timezone.now() - timedelta(days=1)).delete()
    return deleted


def requested_scopes(client: ApiClient, scope_param: str | None) -> list[str] | None:
    """The scopes to grant: all of the client's, or the requested subset (None if any is not allowed)."""
    if not scope_param:
        return list(client.scopes)
    requested = scope_param.split()
    if not set(requested) <= set(client.scopes):
        return None
    return requested
