"""Declared services: what a Kommune says it offers outside Amtsweg ("erklärt"), with the acting user explicit.

A declaration is stored and shown beside the measurement; it never changes a cell (`compute` does not read
this table), so "erklärt" can never be mixed with "gemessen".
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import transaction
from django.utils.translation import gettext as _

from amtsweg.accounts import audit
from amtsweg.core.tenancy import can_act_for, require_actor
from amtsweg.maturity.models import DeclaredService


def declare(actor, authority, service, *, url: str, declared_on: date, level_v2: int | None = None,
            level_v11: int | None = None, evidence: str = "") -> DeclaredService:
    """Record (or update) the Authority's declaration for one OZG-Leistung; audited."""
    require_actor(actor)
    if not can_act_for(actor, authority):
        raise PermissionDenied
    if level_v2 is not None and not 0 <= level_v2 <= 7:
        raise ValidationError({"level_v2": _("Reifegrad 2.0 reicht von 0 bis 7.")})
    if level_v11 is not None and not 0 <= level_v11 <= 4:
        raise ValidationError({"level_v11": _("Reifegrad 1.1 reicht von 0 bis 4.")})
    URLValidator(schemes=["https", "http"])(url)
    with transaction.atomic():
        declared, _created = DeclaredService.objects.update_or_create(
            authority=authority, service=service,
            defaults={"url": url, "declared_on": declared_on, "level_v2": level_v2, "level_v11": level_v11,
                      "evidence": evidence[:1000], "created_by": None if getattr(actor, "pk", None) is None
                      else actor})
        audit.record(actor, authority, "maturity.declared", declared,
                     {"service": service.pk, "url": url, "level_v2": level_v2, "level_v11": level_v11})
    return declared


def withdraw(actor, declared: DeclaredService) -> None:
    require_actor(actor)
    if not can_act_for(actor, declared.authority):
        raise PermissionDenied
    with transaction.atomic():
        audit.record(actor, declared.authority, "maturity.withdrawn", declared, {"service": declared.service_id})
        declared.delete()
