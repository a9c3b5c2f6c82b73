"""Hooks to the citizen login, the payment platform and the status page, loaded by dotted path.

Identity and payments are later stages than the assistant; like `hand_over()`, the assistant never imports
them statically but looks them up by name (overridable in settings), so imports stay one-way and the
assistant still works (anonymous, no fees) while those apps are absent.

"Absent" is decided by INSTALLED_APPS, never by catching ImportError: a hook whose app is not installed
is off; a hook inside an installed app that does not import is a bug and fails loudly.
"""

from __future__ import annotations

import functools
import hashlib
import logging
from importlib import import_module
from typing import Any

from django.apps import apps
from django.conf import settings
from django.core.signals import setting_changed
from django.dispatch import receiver
from django.utils.module_loading import import_string

LEVELS = ["niedrig", "substantiell", "hoch"]
log = logging.getLogger(__name__)


def _installed(path: str) -> bool:
    """Whether the dotted path lies inside an installed app (the hook is switched on)."""
    return bool(path) and apps.get_containing_app_config(path) is not None


def _load(setting: str, default: str) -> Any | None:
    return _hook(getattr(settings, setting, default))


@functools.cache
def _hook(path: str) -> Any | None:
    """The callable at `path` when its app is installed, else None: looked up once per process and path. The
    views ask for the identity and other hooks several times on every page of the form, and the app registry's
    scan for the containing app cost about 2 % of an application's CPU (issue 18)."""
    return import_string(path) if _installed(path) else None


@receiver(setting_changed)
def _forget_hooks(*, setting: str, **kwargs) -> None:
    """Another set of installed apps (tests switch apps off) switches hooks on or off."""
    if setting == "INSTALLED_APPS":
        _hook.cache_clear()


def citizen_identity(request) -> Any | None:
    getter = _load("AMTSWEG_IDENTITY_GETTER", "amtsweg.identity.session.get_citizen_identity")
    return getter(request) if getter else None


def login_url(request, next_url: str, min_level: str | None = None) -> str | None:
    """Where to log in for `min_level`, or `None` when no login is possible (no provider configured)."""
    builder = _load("AMTSWEG_IDENTITY_LOGIN_URL", "amtsweg.identity.session.offered_login_url")
    return builder(request, next_url, min_level=min_level) if builder else None


def level_satisfies(actual: str | None, required: str | None) -> bool:
    if not required:
        return True
    if not actual:
        return False
    check = _load("AMTSWEG_IDENTITY_SATISFIES", "amtsweg.identity.levels.satisfies")
    if check:
        return bool(check(actual, required))
    return actual in LEVELS and LEVELS.index(actual) >= LEVELS.index(required)


def responsible_office(leika_key: str, ars: str) -> Any | None:
    """Who receives this service's applications from this Gemeinde, and whether online (an object with
    `online`, `message` and `contact()`; see routing.resolution.Office). Must answer as the configured
    intake routes: AMTSWEG_RESPONSIBLE_OFFICE names the lookup that belongs to AMTSWEG_SUBMISSION_INTAKE
    (both default to the platform's own routing). Empty: the intake routes on its own, nothing is checked."""
    path = getattr(settings, "AMTSWEG_RESPONSIBLE_OFFICE", "amtsweg.routing.resolution.responsible_office")
    return import_string(path)(leika_key, ars=ars) if path else None


def owner_key(identity: Any | None) -> str:
    """A stable, non-reversible key for 'this citizen account' (provider + subject)."""
    if identity is None:
        return ""
    raw = f"{identity.provider}\x00{identity.subject}\x00{settings.SECRET_KEY}"
    return hashlib.sha256(raw.encode()).hexdigest()


def link_application(reference: str, owner: str) -> None:
    """Put a just submitted application into the Postfach of the citizen account with owner key `owner`
    (AMTSWEG_APPLICATION_OWNER names a callable `(reference, owner_key)`). Called inside the hand-over's
    transaction: the link is stored with the application or not at all. Without a Postfach app nothing
    happens; anonymous applications (no key) are not linked."""
    if not owner or not reference:
        return
    hook = _load("AMTSWEG_APPLICATION_OWNER", "amtsweg.postfach.services.link_application")
    if hook is not None:
        hook(reference, owner)


def payment_services() -> Any | None:
    """The payments service module (start_payment, refresh_status, get_transaction), if installed."""
    path = getattr(settings, "AMTSWEG_PAYMENT_MODULE", "amtsweg.payments.services")
    if not _installed(path):
        return None
    module = import_module(path)
    names = ("start_payment", "refresh_status", "get_transaction")
    return module if all(hasattr(module, name) for name in names) else None


def status_link(reference: str) -> str | None:
    """The applicant's signed status-page URL (or path) for this submission reference, or None.

    The submissions app owns the status page and its signed links; AMTSWEG_STATUS_LINK names a callable
    `(reference) -> str | None`. A missing app or a failing lookup only hides the link on the receipt.
    """
    builder = _load("AMTSWEG_STATUS_LINK", "amtsweg.submissions.status.status_link")
    if builder is None or not reference:
        return None
    try:
        return builder(reference) or None
    except Exception:  # noqa: BLE001 - the receipt must show even if the status page is unavailable
        log.warning("status link lookup failed", extra={"reference": reference})
        return None


def fee_cents(form: Any, ars: str | None) -> int | None:
    """The fee a citizen pays for `form` at the place `ars`: the fee the responsible Kommune configured for
    its online service (AMTSWEG_LOCAL_FEE names a callable `(leika_key, ars) -> cents | None`), else the
    form's default fee. Without a place (start page) or without the shop app, the form's fee."""
    default = form.fee_cents
    if not ars or not form.leika_key:
        return default
    lookup = _load("AMTSWEG_LOCAL_FEE", "amtsweg.shop.routing_link.configured_fee_cents")
    if lookup is None:
        return default
    configured = lookup(form.leika_key, ars)
    return default if configured is None else configured
