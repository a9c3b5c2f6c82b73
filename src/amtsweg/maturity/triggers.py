"""The incremental recompute, triggered by the changes that move a maturity cell.

The facts live in earlier apps (routing, shop, casework, postfach, submissions) that do not know this app, so it
listens to their signals (README "Architecture": later apps plug into earlier ones). Each handler schedules
`compute.recompute_for` for the Kommunen and LeiKa keys the change touches, after the change's transaction
commits (the recompute must see it; `robust`: a failed recompute is logged and never undoes the change — the
daily full run repairs it). The platform itself acts here: `core.actors.SYSTEM`.

Application-driven facts (received, accepted, notice, closed) change a cell only the first time in the
evidence window, so those handlers look at the cells first and recompute only when their bit is still missing,
and note in the cache that (destination, key, fact) was checked today: the next applications of the day cost
no query at all (`_check_cells`).
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.core.cache import cache
from django.db import transaction
from django.utils import timezone

from amtsweg.core.actors import SYSTEM
from amtsweg.maturity import criteria

logger = logging.getLogger(__name__)


def enabled() -> bool:
    return bool(getattr(settings, "AMTSWEG_MATURITY_INCREMENTAL", True))


def schedule(area_ars: str, leika_keys: list[str]) -> None:
    """Recompute the cells of the Kommunen under `area_ars` for these LeiKa keys once the transaction commits."""
    if not enabled() or not area_ars or not leika_keys:
        return
    from amtsweg.maturity import compute

    keys = sorted(set(leika_keys))
    transaction.on_commit(lambda: compute.recompute_for(actor=SYSTEM, area_ars=area_ars, leika_keys=keys),
                          robust=True)


def _offer_keys(offer_id: int) -> list[str]:
    from amtsweg.shop.models import Offer

    return list(Offer.public_services.through.objects.filter(offer_id=offer_id)
                .exclude(publicservice__key="").values_list("publicservice__key", flat=True))


def subscription_changed(sender, instance, **kwargs) -> None:
    schedule(instance.authority.area_ars, _offer_keys(instance.offer_id))


def responsibility_changed(sender, instance, **kwargs) -> None:
    schedule(instance.area_ars, [instance.leika_key])


def receiving_system_changed(sender, instance, **kwargs) -> None:
    from amtsweg.routing.models import Responsibility

    by_area: dict[str, list[str]] = {}
    for area_ars, key in Responsibility.objects.filter(destination_id=instance.destination_id).values_list(
            "area_ars", "leika_key"):
        by_area.setdefault(area_ars, []).append(key)
    for area_ars, keys in by_area.items():
        schedule(area_ars, keys)


def fact_seen(destination_id, leika_key: str, fact: criteria.Fact) -> None:
    """An application-driven fact happened for (destination, key): after commit, recompute where a cell still
    lacks it. Nothing runs inside the application's own transaction (the intake's hot path)."""
    if not enabled():
        return
    transaction.on_commit(lambda: _check_cells(destination_id, leika_key, fact), robust=True)


def _checked_key(destination_id, leika_key: str, fact: criteria.Fact) -> str:
    """Cache key saying the cells of (destination, key) were checked (and recomputed where needed) for `fact`
    today, under the current routing data (`routing.resolution` bumps its version on every change to
    responsibilities, destinations and keys, so a new area under the destination is checked afresh)."""
    from amtsweg.routing.resolution import get_index

    return (f"amtsweg.maturity.checked:{get_index().version}:{timezone.localdate().isoformat()}:"
            f"{destination_id}:{leika_key}:{int(fact)}")


def _check_cells(destination_id, leika_key: str, fact: criteria.Fact) -> None:
    """Recompute the cells of (destination, key) that still lack `fact`; at most once a day per process (or per
    cache, with Redis) and routing version. A fact seen today stays in the evidence window for
    `criteria.EVIDENCE_DAYS`, and every recompute reads it from the applications again, so until tomorrow a
    further application cannot add it anywhere. Without the note every application ran five queries after its
    commit, a fifth of the intake's time (`benchmarks/delivery.py`, SQLite: intake_ratio 0.32 -> 0.42)."""
    from amtsweg.maturity import compute
    from amtsweg.maturity.compute import services_of_keys
    from amtsweg.maturity.models import Area, Cell
    from amtsweg.routing.models import Responsibility

    checked = _checked_key(destination_id, leika_key, fact)
    if cache.get(checked):
        return
    service_ids = services_of_keys([leika_key])
    for area_ars in set(Responsibility.objects.filter(destination_id=destination_id, leika_key=leika_key)
                        .values_list("area_ars", flat=True)) if service_ids else ():
        area = Area.objects.filter(ars=area_ars).first()
        if area is not None:
            facts = Cell.objects.filter(area=area, service_id__in=service_ids).values_list("facts", flat=True)
            if facts and all(f & fact == fact for f in facts):
                continue
        compute.recompute_for(actor=SYSTEM, area_ars=area_ars, leika_keys=[leika_key])
    cache.set(checked, True, timeout=CHECKED_SECONDS)


CHECKED_SECONDS = 24 * 3600  # the key names the day; this only lets the cache forget yesterday's notes


def submission_submitted(sender, submission, **kwargs) -> None:
    from amtsweg.maturity.compute import LEIKA_URN

    if submission.service_identifier.startswith(LEIKA_URN):
        fact_seen(submission.destination_id, submission.service_identifier[len(LEIKA_URN):], criteria.Fact.RECEIVED)


def destination_event_received(sender, submission, event, **kwargs) -> None:
    from amtsweg.maturity.compute import LEIKA_URN

    if submission.service_identifier.startswith(LEIKA_URN):
        fact = criteria.Fact.STATUS
        if event.event_type.endswith("accept-submission"):
            fact |= criteria.Fact.ACCEPTED
        fact_seen(submission.destination_id, submission.service_identifier[len(LEIKA_URN):], fact)


def case_saved(sender, instance, created=False, **kwargs) -> None:
    if created:
        fact_seen(instance.destination_id, instance.leika_key, criteria.Fact.STATUS)
    elif instance.closed_at is not None:
        fact_seen(instance.destination_id, instance.leika_key, criteria.Fact.ARCHIVED)


def notice_saved(sender, instance, created=False, **kwargs) -> None:
    if created:
        case = instance.case
        fact_seen(case.destination_id, case.leika_key, criteria.Fact.NOTICE)


def connect() -> None:
    """Connect the fact-holding apps' signals (from `MaturityConfig.ready`)."""
    from django.db.models.signals import post_delete, post_save

    from amtsweg.casework.models import Case, ReceivingSystem
    from amtsweg.postfach.models import Notice
    from amtsweg.routing.models import Responsibility
    from amtsweg.shop.models import Subscription
    from amtsweg.submissions import signals as submission_signals

    uid = "amtsweg.maturity."
    post_save.connect(subscription_changed, sender=Subscription, dispatch_uid=uid + "subscription")
    post_save.connect(responsibility_changed, sender=Responsibility, dispatch_uid=uid + "responsibility-save")
    post_delete.connect(responsibility_changed, sender=Responsibility, dispatch_uid=uid + "responsibility-delete")
    post_save.connect(receiving_system_changed, sender=ReceivingSystem, dispatch_uid=uid + "receiving-save")
    post_delete.connect(receiving_system_changed, sender=ReceivingSystem, dispatch_uid=uid + "receiving-delete")
    post_save.connect(case_saved, sender=Case, dispatch_uid=uid + "case")
    post_save.connect(notice_saved, sender=Notice, dispatch_uid=uid + "notice")
    submission_signals.submission_submitted.connect(submission_submitted, dispatch_uid=uid + "submitted")
    submission_signals.destination_event_received.connect(destination_event_received, dispatch_uid=uid + "event")
