"""Where the shop meets routing: going live registers responsibilities, ending removes them, and live
subscriptions of the office routing resolves give citizens their "Online beantragen" link and fee.

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
from amtsweg.routing.resolution import responsible_office

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
    """The live online service of the office routing names for this service and place, or None.

    Which office that is, is `routing.resolution.responsible_office`'s answer, the one the place step, "Wer ist
    zuständig?" and the intake give (issue 16, one truth): a live subscription of a wider area (the Kreis) says
    nothing where a more specific office is registered, and none at all where applications cannot be delivered.
    The office's own live subscription names the offer and carries the fee that Kommune configured.
    """
    subscriptions = _live_subscriptions_of_office(leika_key, ars, day or timezone.localdate())
    sub = subscriptions.select_related("offer", "authority").first() if subscriptions is not None else None
    if sub is None:
        return None
    return OnlineLink(_form_url(sub, ars), sub.offer.name, sub.authority.name, sub.local_fee_cents)


def _live_subscriptions_of_office(leika_key: str, ars: str, day: date):
    """The live subscriptions for the service of the office routing names at this place, the newest first (the
    first one counts), or None when that office receives no online applications."""
    office = responsible_office(leika_key, ars=ars)
    if not office.online or office.authority is None:
        return None
    return (Subscription.objects.live_on(day).filter(offer__public_services__key=leika_key, authority=office.authority)
            .order_by("-live_since", "pk"))


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

    The subscription `online_link` names, but only its fee is read: the summary page and its submission ask
    for every application, and the offer, the authority and the form's link cost CPU there (issue 18).
    """
    subscriptions = _live_subscriptions_of_office(leika_key, ars, timezone.localdate())
    if subscriptions is None:
        return None
    return subscriptions.values_list("local_fee_cents", flat=True).first()
