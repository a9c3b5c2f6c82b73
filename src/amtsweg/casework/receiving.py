"""A destination's receiving system: Amtsweg-Sachbearbeitung or an external Fachverfahren, and its keys.

Choosing Amtsweg-Sachbearbeitung (`enable`) makes the back office the destination's receiving system, like a
Fachverfahren: it generates the destination's RSA-4096 encryption key pair and its signature key pair (for
the accept/reject events) with joserfc, keeps the private halves only wrapped by the vault's KEK
(`ReceivingKey`), and registers the public halves on the destination through routing's `add_key`, so the
external Fachverfahren's keys are retired with routing's usual grace period and online services encrypt for
the back office from now on. The push channels that went to the Fachverfahren (callback, directory) are
switched off and remembered; the destination's e-mail notice stays. `disable` switches back: the channels
return, and the Kommune registers its Fachverfahren's key again (routing), which retires the back office's.
Applications already encrypted for the back office's key are still taken in.

Rotation (`rotate_keys`) works as for external keys: new pairs, the old ones stay usable for decryption in
routing's grace period.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from joserfc.jwk import RSAKey

from amtsweg.accounts import audit
from amtsweg.casework import vault
from amtsweg.casework.models import ReceivingKey, ReceivingSystem, Team
from amtsweg.core import pki
from amtsweg.core.actors import is_system
from amtsweg.core.tenancy import ADMIN_ROLES, can_act_for
from amtsweg.routing import services as routing
from amtsweg.routing.models import Destination

RSA_BITS = 4096
ALG = {"encryption": "RSA-OAEP-256", "signature": "PS512"}
KEY_OPS = {"encryption": ["wrapKey"], "signature": ["verify"]}
# The channels that deliver to an external Fachverfahren: off while the back office receives.
EXTERNAL_PUSH = {Destination.Channel.CALLBACK, Destination.Channel.DIRECTORY}


def generate_private_key() -> RSAKey:
    """A fresh RSA-4096 key pair (joserfc). A module function so tests can hand out cached pairs."""
    return RSAKey.generate_key(RSA_BITS, private=True)


key_generator: Callable[[], RSAKey] = generate_private_key


def check_may_switch(actor: Any, authority) -> None:
    """Only the Authority's administrators (or the system) choose the receiving system: it decides who holds
    the keys to the applications. Land operators never, for a Kommune (`can_act_for`)."""
    if is_system(actor):
        return
    if not can_act_for(actor, authority) or not (actor.is_superuser or actor.role in ADMIN_ROLES):
        raise PermissionDenied


def receiving_system(destination: Destination) -> ReceivingSystem | None:
    return ReceivingSystem.objects.filter(destination=destination).first()


def is_active(destination_id) -> bool:
    """Whether the back office is the destination's receiving system, as of the routing index this process
    resolves destinations with.

    The intake asks on every application, inside its transaction: the active destinations are read once per
    routing index instead (a query per application cost ~0.3 ms on SQLite, a round trip on PostgreSQL). Every
    change of a `ReceivingSystem` bumps the index (`changed`), so processes see it when they see the keys
    and channels the change came with; the intake takes those from the same index.
    """
    from amtsweg.routing.resolution import get_index

    index = get_index()
    cached = _active_destinations
    if cached is None or cached[0] is not index:
        ids = frozenset(ReceivingSystem.objects.filter(active=True).values_list("destination_id", flat=True))
        cached = _remember_active(index, ids)
    return destination_id in cached[1]


_active_destinations: tuple[object, frozenset] | None = None  # (routing index, active destination ids)


def _remember_active(index: object, ids: frozenset) -> tuple[object, frozenset]:
    global _active_destinations
    _active_destinations = (index, ids)
    return _active_destinations


def changed(sender, **kwargs) -> None:
    """A receiving system was switched (post_save/post_delete, connected in CaseworkConfig.ready): it decides
    where applications go, like routing's own data, so it bumps the routing index."""
    from amtsweg.routing.resolution import invalidate

    if not kwargs.get("raw"):
        invalidate()


@transaction.atomic
def enable(destination: Destination, *, actor: Any, default_team: Team | None = None,
           grace_days: int = routing.DEFAULT_GRACE_DAYS) -> ReceivingSystem:
    """Make Amtsweg-Sachbearbeitung the destination's receiving system (idempotent while active)."""
    check_may_switch(actor, destination.authority)
    if default_team is not None and default_team.authority_id != destination.authority_id:
        raise PermissionDenied
    system, _created = ReceivingSystem.objects.select_for_update().get_or_create(destination=destination)
    if system.active and not _created and _holds_active_keys(destination):
        return system
    if not system.active or _created:
        system.previous_channels = list(destination.channels or [])
    remaining = [c for c in (destination.channels or []) if c not in EXTERNAL_PUSH] or [Destination.Channel.PULL]
    if remaining != list(destination.channels or []):
        routing.update_destination(destination, actor=actor, channels=remaining)
    if not _holds_active_keys(destination):
        _new_keys(destination, actor=actor, grace_days=grace_days)
    system.active = True
    system.default_team = default_team
    system.save()
    audit.record(actor, destination.authority, "casework.receiving_enabled", destination,
                 {"destination": str(destination.pk)})
    return system


@transaction.atomic
def disable(destination: Destination, *, actor: Any) -> ReceivingSystem:
    """Switch back to the external Fachverfahren: its push channels return; the Kommune then registers the
    Fachverfahren's encryption key in routing (which retires the back office's key with a grace period)."""
    check_may_switch(actor, destination.authority)
    system = ReceivingSystem.objects.select_for_update().get(destination=destination)
    if not system.active:
        return system
    channels = system.previous_channels or [Destination.Channel.PULL]
    if list(channels) != list(destination.channels or []):
        routing.update_destination(destination, actor=actor, channels=list(channels))
    system.active = False
    system.save()
    audit.record(actor, destination.authority, "casework.receiving_disabled", destination,
                 {"destination": str(destination.pk)})
    return system


@transaction.atomic
def rotate_keys(destination: Destination, *, actor: Any, grace_days: int = routing.DEFAULT_GRACE_DAYS) -> None:
    """New encryption and signature key pairs; the previous ones are retired by routing with a grace period
    (their private halves stay here, so applications encrypted for them are still opened)."""
    check_may_switch(actor, destination.authority)
    if not is_active(destination.pk):
        raise PermissionDenied
    _new_keys(destination, actor=actor, grace_days=grace_days)


def _holds_active_keys(destination: Destination) -> bool:
    held = set(ReceivingKey.objects.filter(destination=destination).values_list("kid", flat=True))
    encryption, signature = destination.active_encryption_key(), destination.active_signature_key()
    return bool(encryption and signature and encryption.kid in held and signature.kid in held)


def _context(destination_id, kid: str) -> bytes:
    return f"destination:{destination_id}|kid:{kid}".encode()


def _new_keys(destination: Destination, *, actor: Any, grace_days: int) -> None:
    current = vault.kek()
    for purpose in ("encryption", "signature"):
        private = key_generator()
        kid = f"amtsweg-{purpose[:3]}-{secrets.token_hex(8)}"
        public = dict(private.as_dict(private=False), kid=kid, alg=ALG[purpose], key_ops=KEY_OPS[purpose])
        if settings.AMTSWEG_EMBEDDED:  # the demo PKI certifies the back office's keys (FIT-Connect: x5c)
            public["x5c"] = pki.issue_x5c(private.public_key, f"Amtsweg-Sachbearbeitung {kid}", purpose=purpose)
        ReceivingKey.objects.create(
            destination=destination, kid=kid, purpose=purpose, kek_id=current.key_id,
            wrapped_private=current.wrap(private.as_pem(private=True), context=_context(destination.pk, kid)),
        )
        # Outside embedded mode Amtsweg has no CA of the administration PKI to certify keys it generates
        # itself; the platform holds their private halves, so no chain is demanded (README: Keys and
        # certificates, the remaining deviation).
        routing.add_key(destination, public, purpose, grace_days=grace_days, actor=actor, require_chain=False)


# --- private keys for the ingest (unwrapped once per process) ---------------------------------------------

_private: dict[tuple[str, str], RSAKey] = {}
_lock = threading.Lock()


def private_key(destination_id, kid: str) -> RSAKey | None:
    """The back office's private key `kid` of the destination, or None if it holds no such key."""
    cache_key = (str(destination_id), kid)
    key = _private.get(cache_key)
    if key is not None:
        return key
    row = ReceivingKey.objects.filter(destination_id=destination_id, kid=kid).first()
    if row is None:
        return None
    pem = vault.kek().unwrap(bytes(row.wrapped_private), context=_context(destination_id, kid))
    key = RSAKey.import_key(pem)
    with _lock:
        _private[cache_key] = key
    return key


def signing_key(destination_id) -> tuple[str, RSAKey] | None:
    """(kid, private key) of the destination's active signature key (the newest activated, not retired one),
    if the back office holds it. Which key that is comes from the routing index (`signature_keys`: no query per
    event); a process that has not seen a rotation yet signs with the previous key for at most the index's
    check interval, and that key still verifies (retired keys do during their grace period)."""
    from amtsweg.routing.resolution import signature_keys

    active = next((key.kid for key in signature_keys(destination_id) if not key.retired), None)
    if active is None:
        return None
    key = private_key(destination_id, active)
    return (active, key) if key is not None else None


def forget_cached_keys() -> None:
    with _lock:
        _private.clear()
