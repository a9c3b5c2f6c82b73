"""Shop use cases as plain functions: what a Kommune sees, ordering, going live, ending, onboarding.

Views call these; tests call them directly. Every function that acts for a user checks that the
subscription belongs to that user's tenant through `Subscription.objects.visible_to(user)`.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.accounts.models import Authority, User
from amtsweg.catalogue.models import OzgService

from .models import AgreementAcceptance, AgreementVersion, Offer, Subscription


@dataclass(frozen=True)
class ShopEntry:
    offer: Offer
    state: str  # "connected", "in_progress", "available", "planned", "retired"
    subscription: Subscription | None
    open_ozg_services: int  # OZG-Leistungen of the offer not yet online for this Kommune


def online_ozg_ids(authority: Authority, day: date | None = None) -> set[int]:
    """OZG-IDs the authority already offers online through live subscriptions."""
    day = day or timezone.localdate()
    live = Subscription.objects.filter(authority=authority).live_on(day)
    return set(
        OzgService.objects.filter(public_services__offers__subscriptions__in=live).values_list("ozg_id", flat=True)
    )


def shop_for(authority: Authority, day: date | None = None) -> list[ShopEntry]:
    """The offers of the authority's Land with their state for this authority, most useful first."""
    day = day or timezone.localdate()
    offers = list(
        Offer.objects.filter(land_code=authority.land_code)
        .exclude(status=Offer.Status.RETIRED)
        .prefetch_related("public_services__ozg_services")
    )
    subs = {
        s.offer_id: s
        for s in Subscription.objects.filter(authority=authority).exclude(status=Subscription.Status.ENDED)
    }
    already = online_ozg_ids(authority, day)
    entries = []
    for offer in offers:
        sub = subs.get(offer.pk)
        ozg_ids = {o.ozg_id for ps in offer.public_services.all() for o in ps.ozg_services.all()}
        if sub and sub.is_live_on(day):
            state = "connected"
        elif sub:
            state = "in_progress"
        elif offer.status == Offer.Status.PLANNED:
            state = "planned"
        else:
            state = "available"
        entries.append(ShopEntry(offer, state, sub, len(ozg_ids - already)))
    rank = {"in_progress": 0, "available": 1, "connected": 2, "planned": 3}
    entries.sort(key=lambda e: (rank[e.state], -e.open_ozg_services, e.offer.name))
    return entries


def _require_admin(user: User, authority: Authority) -> None:
    if not (user.is_superuser or (user.authority_id == authority.pk and user.is_kommune_admin)):
        raise PermissionDenied(_("Nur die Administration der Kommune darf Angebote bestellen."))


@transaction.atomic
def accept_agreement(*, offer: Offer, agreement: AgreementVersion, user: User, authority: Authority | None = None
                     ) -> Subscription:
    """Record that `user` accepted exactly `agreement` for their Authority; opens the subscription."""
    authority = authority or user.authority
    _require_admin(user, authority)
    if agreement.offer_id != offer.pk:
        raise ValidationError(_("Diese Vereinbarung gehört nicht zu diesem Angebot."))
    if not offer.orderable:
        raise ValidationError(_("Dieses Angebot kann derzeit nicht bestellt werden."))
    if offer.land_code != authority.land_code:
        raise ValidationError(_("Dieses Angebot gilt nicht für Ihr Land."))
    subscription = (
        Subscription.objects.select_for_update()
        .filter(offer=offer, authority=authority)
        .exclude(status=Subscription.Status.ENDED)
        .first()
    )
    if subscription is None:
        subscription = Subscription.objects.create(offer=offer, authority=authority,
                                                   office_name=authority.name, contact_email=authority.email,
                                                   contact_phone=authority.phone,
                                                   opening_hours=authority.opening_hours)
    AgreementAcceptance.objects.get_or_create(
        subscription=subscription,
        agreement=agreement,
        defaults={
            "accepted_by": user,
            "accepted_by_username": user.get_username(),
            "agreement_sha256": agreement.sha256,
        },
    )
    return subscription


def has_accepted_current_agreement(subscription: Subscription) -> bool:
    current = subscription.offer.current_agreement()
    return current is not None and subscription.acceptances.filter(agreement=current).exists()


@transaction.atomic
def configure(subscription: Subscription, *, user: User, office_name: str, contact_email: str,
              contact_phone: str = "", opening_hours: str = "", local_fee_cents: int | None = None,
              destination=None) -> Subscription:
    _require_admin(user, subscription.authority)
    if destination is not None and destination.authority_id != subscription.authority_id:
        raise ValidationError(_("Der Zustellpunkt gehört nicht zu Ihrer Behörde."))
    subscription.office_name = office_name
    subscription.contact_email = contact_email
    subscription.contact_phone = contact_phone
    subscription.opening_hours = opening_hours
    subscription.local_fee_cents = local_fee_cents
    subscription.destination = destination
    if subscription.status == Subscription.Status.ORDERED:
        subscription.status = Subscription.Status.CONFIGURED
    subscription.save()
    return subscription


@transaction.atomic
def go_live(subscription: Subscription, *, user: User, on: date | None = None) -> Subscription:
    """Switch the service on for the Kommune's area: routing entries for each LeiKa key of the offer."""
    from . import routing_link

    _require_admin(user, subscription.authority)
    on = on or timezone.localdate()
    if not has_accepted_current_agreement(subscription):
        raise ValidationError(_("Bitte akzeptieren Sie zuerst die aktuelle Version der Vereinbarung."))
    if subscription.destination_id is None:
        raise ValidationError(_("Bitte wählen Sie einen Zustellpunkt für die Anträge."))
    if not subscription.office_name or not subscription.contact_email:
        raise ValidationError(_("Bitte geben Sie die zuständige Stelle und eine Kontakt-E-Mail an."))
    created = routing_link.register_responsibilities(subscription)
    subscription.responsibilities.add(*created)
    subscription.status = Subscription.Status.LIVE
    subscription.live_since = on
    subscription.ends_on = None
    subscription.save()
    return subscription


def notice_months(subscription: Subscription) -> int:
    """The notice period of the agreement version the Kommune accepted (the current one if none is recorded)."""
    acceptance = subscription.acceptances.select_related("agreement").order_by("-accepted_at").first()
    agreement = acceptance.agreement if acceptance else subscription.offer.current_agreement()
    return agreement.notice_months if agreement else 0


def earliest_end(subscription: Subscription, today: date | None = None) -> date:
    """The first day without service the Kommune may choose on its own: notice period "zum Monatsende".

    Given today, add the notice months; the service runs to the end of that month, so the end (the first day
    without service, see `ends_on`) is the first of the following month. With the Land's exception: today.
    """
    today = today or timezone.localdate()
    if subscription.early_end_allowed_at is not None:
        return today
    months = today.month - 1 + notice_months(subscription) + 1
    return date(today.year + months // 12, months % 12 + 1, 1)


@transaction.atomic
def allow_early_end(subscription: Subscription, *, user: User) -> Subscription:
    """The Land lets a Kommune end before the notice period is over (recorded with who and when)."""
    if not (user.is_superuser or (user.is_land_operator and user.authority
                                  and user.authority.land_code == subscription.offer.land_code)):
        raise PermissionDenied(_("Nur der Land-Betrieb darf Ausnahmen von der Kündigungsfrist erlauben."))
    subscription.early_end_allowed_by = user
    subscription.early_end_allowed_at = timezone.now()
    subscription.save(update_fields=["early_end_allowed_by", "early_end_allowed_at", "updated_at"])
    return subscription


@transaction.atomic
def end_subscription(subscription: Subscription, *, user: User, on: date) -> Subscription:
    """End the subscription on `on` (the last day of service is the day before), not before the agreement's
    notice period is over unless the Land allowed an exception."""
    _require_admin(user, subscription.authority)
    if subscription.live_since and on < subscription.live_since:
        raise ValidationError(_("Das Ende darf nicht vor dem Beginn liegen."))
    earliest = earliest_end(subscription)
    if on < earliest:
        raise ValidationError(
            _("Nach der Vereinbarung (Kündigungsfrist %(months)s Monate zum Monatsende) ist das Ende frühestens "
              "zum %(date)s möglich. Ein früheres Ende kann nur der Land-Betrieb erlauben.")
            % {"months": notice_months(subscription), "date": earliest.strftime("%d.%m.%Y")})
    subscription.ends_on = on
    subscription.save(update_fields=["ends_on", "updated_at"])
    apply_endings(timezone.localdate())
    return subscription


@transaction.atomic
def apply_endings(today: date) -> int:
    """Take ended subscriptions off the routing; idempotent, run daily and whenever an end is set."""
    from . import routing_link

    due = Subscription.objects.select_for_update().filter(ends_on__lte=today).exclude(status=Subscription.Status.ENDED)
    count = 0
    for subscription in due:
        routing_link.remove_responsibilities(subscription)
        subscription.status = Subscription.Status.ENDED
        subscription.save(update_fields=["status", "updated_at"])
        count += 1
    return count
