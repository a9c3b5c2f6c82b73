"""Turning a verified identity into a logged-in citizen account."""

from __future__ import annotations

import hashlib
import logging

from django.contrib.auth import get_user_model, login, logout
from django.db import transaction
from django.http import HttpRequest

from amtsweg.identity.models import CitizenProfile
from amtsweg.identity.session import CitizenIdentity, clear_citizen_identity, store_citizen_identity

logger = logging.getLogger(__name__)
PREFILL_FIELDS = ("given_name", "family_name", "street", "house_number", "postcode", "city", "email", "level")


def _username(provider: str, subject: str) -> str:
    """A stable, non-personal username (the subject itself may be personal, e.g. an e-mail at some OPs)."""
    digest = hashlib.sha256(f"{provider}\x00{subject}".encode()).hexdigest()[:32]
    return f"citizen-{digest}"


@transaction.atomic
def upsert_citizen(identity: CitizenIdentity):
    """Create or update the citizen account and its profile for this (provider, subject)."""
    user_model = get_user_model()
    profile = (
        CitizenProfile.objects.select_for_update().select_related("user")
        .filter(provider=identity.provider, subject=identity.subject).first()
    )
    if profile is None:
        user, created = user_model.objects.get_or_create(
            username=_username(identity.provider, identity.subject),
            defaults={"role": user_model.Role.CITIZEN, "authority": None},
        )
        if created:
            user.set_unusable_password()
        profile = CitizenProfile(user=user, provider=identity.provider, subject=identity.subject)
    user = profile.user
    if user.role != user_model.Role.CITIZEN or user.authority_id is not None:
        # A staff account can never be reached through a citizen login.
        raise PermissionError("identity is bound to a non-citizen account")
    for name in PREFILL_FIELDS:
        setattr(profile, name, getattr(identity, name))
    profile.save()
    user.first_name = identity.given_name[:150]
    user.last_name = identity.family_name[:150]
    user.email = identity.email
    user.save()
    return user


def login_citizen(request: HttpRequest, identity: CitizenIdentity):
    """Log the citizen in (new session id) and keep the identity with its level in the session."""
    user = upsert_citizen(identity)
    if request.user.is_authenticated and request.user.pk != user.pk:
        logout(request)
    login(request, user, backend="django.contrib.auth.backends.ModelBackend")
    store_citizen_identity(request, identity)
    logger.info("citizen login", extra={"provider": identity.provider, "level": identity.level, "user_id": user.pk})
    return user


def logout_citizen(request: HttpRequest) -> None:
    clear_citizen_identity(request)
    logout(request)
