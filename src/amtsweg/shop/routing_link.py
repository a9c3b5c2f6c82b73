"""Where the shop meets routing: going live registers responsibilities, ending removes them, and live
subscriptions give citizens their "Online beantragen" link.

Only responsibilities the subscription itself created are removed when it ends; an entry the Kommune had
before stays (it is still legally responsible — only the online service ends).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.routing.models import Responsibility

from .models import Subscription


def register_responsibilities(subscription: Subscription) -> list[Responsibility]:
    area = subscription.authority.area_ars
    created = []
    for key in subscription.offer.public_services.exclude(key="").values_list("key", flat=True):
        existing = Responsibility.objects.filter(leika_key=key, area_ars=area).first()
        if existing is None:
            created.append(Responsibility.objects.create(
                leika_key=key, area_ars=area, authority=subscription.authority, destination=subscription.destination
            ))
        elif existing.authority_id != subscription.authority_id:
            raise ValidationError(
                _("Für die Leistung %(key)s ist in Ihrem Gebiet bereits „%(other)s“ zuständig eingetragen.")
                % {"key": key, "other": existing.authority.name}
            )
        elif existing.destination_id != subscription.destination_id:
            existing.destination = subscription.destination
            existing.save(update_fields=["destination", "updated_at"])
    return created


def remove_responsibilities(subscription: Subscription) -> None:
    for responsibility in subscription.responsibilities.all():
        responsibility.delete()
    subscription.responsibilities.clear()


@dataclass(frozen=True)
class OnlineLink:
    url: str | None  # None: live, but its form is not on this platform (yet)
    offer_name: str
    authority_name: str
    fee_cents: int | None


def online_link(leika_key: str, ars: str, day: date | None = None) -> OnlineLink | None:
    """The live online service for this service and place, the most specific area first, or None."""
    day = day or timezone.localdate()
    candidates = (
        Subscription.objects.live_on(day)
        .filter(offer__public_services__key=leika_key)
        .select_related("offer", "authority")
    )
    best = None
    for sub in candidates:
        if ars.startswith(sub.authority.area_ars) and (best is None or
                                                       len(sub.authority.area_ars) > len(best.authority.area_ars)):
            best = sub
    if best is None:
        return None
    return OnlineLink(_form_url(best, ars), best.offer.name, best.authority.name, best.local_fee_cents)


def _form_url(subscription: Subscription, ars: str) -> str | None:
    """The platform's own assistant for the offer, if it has a published one."""
    from amtsweg.assistants.models import FormDefinition

    slug = subscription.offer.form_slug
    if not slug or not FormDefinition.objects.filter(slug=slug).exists():
        return None
    try:
        return reverse("assistants:start", kwargs={"slug": slug}) + f"?ars={ars}"
    except NoReverseMatch:
        return None


def configured_fee_cents(leika_key: str, ars: str) -> int | None:
    """The fee the responsible Kommune set for this service at this place (cents), or None when it set none.

    The assistant charges this instead of the form's default fee (assistants.integrations.fee_cents): the fee
    is the Kommune's by statute; the offer only suggests one.
    """
    link = online_link(leika_key, ars)
    return link.fee_cents if link is not None else None
