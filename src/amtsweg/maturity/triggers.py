"""The incremental recompute, triggered by the changes that move a maturity cell.

The facts live in earlier apps (routing, shop, casework, postfach, submissions) that do not know this app, so it
listens to their signals (README "Architecture": later apps plug into earlier ones). Each handler schedules
`compute.recompute_for` for the Kommunen and LeiKa keys the change touches, after the change's transaction
commits (the recompute must see it; `robust`: a failed recompute is logged and never undoes the change — the
daily full run repairs it). The platform itself acts here: `core.actors.SYSTEM`.

Being online does not hang on a subscription (see `compute`): an anchor is online when its destination is
deliverable and a published form exists for the key (its own form or a Land offer's). So these change cells too,
of every area whose responsible destination may be deliverable for the keys concerned — the whole Land of an
offer, every Land with a responsibility for a form's own key, and the areas of the responsibilities of a changed
destination: publishing a form version or changing a form's fee or key (every offer with that form, the form's
key before and after), an offer's status, form, Land or LeiKa keys (before and after; other edits of an offer
recompute nothing), a destination's status and its encryption keys (activated, retired). Their scope is looked
up after commit too, so a save costs at most one read more in its own transaction (an offer's stored status,
form and Land; destinations and offers are saved in bulk by demos and tests).

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


def _after_commit(work) -> None:
    if enabled():
        transaction.on_commit(work, robust=True)


def _recompute(scope: dict[str, set[str]]) -> None:
    from amtsweg.maturity import compute

    for area_ars, keys in sorted(scope.items()):
        compute.recompute_for(actor=SYSTEM, area_ars=area_ars, leika_keys=sorted(keys))


def destination_scope(destination_ids) -> dict[str, set[str]]:
    """Area → keys of the responsibilities that deliver to these destinations."""
    from amtsweg.routing.models import Responsibility

    scope: dict[str, set[str]] = {}
    for area_ars, key in Responsibility.objects.filter(destination_id__in=list(destination_ids)).values_list(
            "area_ars", "leika_key"):
        scope.setdefault(area_ars, set()).add(key)
    return scope


def offer_scope(offer_ids, extra_keys: dict[int, set[str]] | None = None) -> dict[str, set[str]]:
    """Area → keys whose cells an offer change can move: the offers' Länder (a Land offer's published form makes
    every deliverable anchor of the Land online) and the responsibilities of their subscribers elsewhere (a
    subscription adds its form wherever its Authority is responsible). `extra_keys`: keys an offer had before."""
    from amtsweg.routing.models import Responsibility
    from amtsweg.shop.models import Offer, Subscription

    offer_ids = list(offer_ids)
    keys_of: dict[int, set[str]] = {pk: set(keys) for pk, keys in (extra_keys or {}).items()}
    for offer_id, key in Offer.public_services.through.objects.filter(offer_id__in=offer_ids).exclude(
            publicservice__key="").values_list("offer_id", "publicservice__key"):
        keys_of.setdefault(offer_id, set()).add(key)
    scope: dict[str, set[str]] = {}
    for offer_id, land_code in Offer.objects.filter(pk__in=offer_ids).values_list("pk", "land_code"):
        if keys_of.get(offer_id):
            scope.setdefault(land_code, set()).update(keys_of[offer_id])
    subscribers: dict[int, set[str]] = {}
    for offer_id, authority_id in Subscription.objects.filter(offer_id__in=offer_ids).values_list(
            "offer_id", "authority_id"):
        subscribers.setdefault(authority_id, set()).update(keys_of.get(offer_id, ()))
    for authority_id, area_ars, key in Responsibility.objects.filter(authority_id__in=subscribers).values_list(
            "authority_id", "area_ars", "leika_key"):
        if key in subscribers[authority_id] and key not in scope.get(area_ars[:2], ()):
            scope.setdefault(area_ars, set()).add(key)
    return scope


#: What of an offer decides where its form is online (`compute.land_forms`); other edits (name, description,
#: costs) change no cell and recompute nothing — a Land-wide recompute takes seconds in a large Land.
OFFER_ONLINE_FIELDS = ("status", "form_slug", "land_code")


def offer_saving(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: an offer's status, form or Land changes — recompute its keys in its Land (and in the Land it
    leaves) after commit. A new offer has no keys yet; they come with the m2m signal."""
    from amtsweg.shop.models import Offer

    if raw or instance.pk is None:
        return
    stored = Offer.objects.filter(pk=instance.pk).values(*OFFER_ONLINE_FIELDS).first()
    if stored is None or all(stored[name] == getattr(instance, name) for name in OFFER_ONLINE_FIELDS):
        return
    offer_id, before = instance.pk, stored["land_code"]
    keys = set(_offer_keys(offer_id))

    def work() -> None:
        scope = offer_scope([offer_id])
        if before not in scope and keys:
            scope[before] = keys
        _recompute(scope)

    _after_commit(work)


def offer_deleted(sender, instance, **kwargs) -> None:
    """An offer is deleted (pre_delete: its keys are gone afterwards, without an m2m signal)."""
    keys = set(_offer_keys(instance.pk))
    land_code = instance.land_code
    if keys:
        _after_commit(lambda: _recompute({land_code: keys}))


def offer_services_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """An offer's LeiKa keys changed: the cells of the keys it had and has."""
    from amtsweg.catalogue.models import PublicService
    from amtsweg.shop.models import Offer

    if action not in ("pre_clear", "post_add", "post_remove"):
        return
    if reverse:  # a PublicService's offers changed
        offer_ids = set(pk_set or ()) if action != "pre_clear" else set(
            instance.offers.values_list("pk", flat=True))
        keys = {instance.key} - {""}
        extra = {pk: keys for pk in offer_ids}
    else:
        offer_ids = {instance.pk}
        if action == "pre_clear":
            keys = set(Offer.public_services.through.objects.filter(offer_id=instance.pk)
                       .values_list("publicservice__key", flat=True))
        else:
            keys = set(PublicService.objects.filter(pk__in=pk_set or ()).values_list("key", flat=True))
        extra = {instance.pk: keys - {""}}
    _after_commit(lambda: _recompute(offer_scope(offer_ids, extra)))


def form_version_changed(sender, instance, raw=False, **kwargs) -> None:
    """A form version was published: every offer with that form, and the form's own LeiKa key."""
    if not raw and instance.published_at is not None:
        form_changed(sender, instance.form, raw=raw)


def form_key_scope(keys) -> dict[str, set[str]]:
    """Land → keys: a published form counts for its `leika_key` in every Land (`compute.key_forms`), so in each
    Land with a responsibility for the key (a Land without one has no anchor to move)."""
    from amtsweg.routing.models import Responsibility

    scope: dict[str, set[str]] = {}
    for area_ars, key in Responsibility.objects.filter(leika_key__in=[k for k in keys if k]).values_list(
            "area_ars", "leika_key"):
        scope.setdefault(area_ars[:2], set()).add(key)
    return scope


def form_saving(sender, instance, raw=False, **kwargs) -> None:
    """pre_save: a form's LeiKa key changes — the key it leaves loses the form (recomputed after commit; the new
    key is `form_changed`'s)."""
    from amtsweg.assistants.models import FormDefinition

    if raw or instance.pk is None:
        return
    before = FormDefinition.objects.filter(pk=instance.pk).values_list("leika_key", flat=True).first()
    if before and before != instance.leika_key:
        _after_commit(lambda: _recompute(form_key_scope([before])))


def form_changed(sender, instance, raw=False, **kwargs) -> None:
    """A form's fee (or anything of it) changed: every offer with that form, and the form's own LeiKa key."""
    if raw:
        return
    slug, key = instance.slug, instance.leika_key

    def work() -> None:
        from amtsweg.shop.models import Offer

        scope = offer_scope(Offer.objects.filter(form_slug=slug).values_list("pk", flat=True))
        for area_ars, keys in form_key_scope([key]).items():
            scope.setdefault(area_ars, set()).update(keys)
        _recompute(scope)

    _after_commit(work)


def destination_changed(sender, instance, raw=False, **kwargs) -> None:
    """A destination's status changed (or it was saved): whether its anchors are deliverable."""
    if not raw:
        destination_id = instance.pk
        _after_commit(lambda: _recompute(destination_scope([destination_id])))


def destination_key_changed(sender, instance, raw=False, **kwargs) -> None:
    """An encryption key was activated, retired or removed: whether its destination is deliverable."""
    from amtsweg.routing.models import DestinationKey

    if not raw and instance.purpose == DestinationKey.Purpose.ENCRYPTION:
        destination_id = instance.destination_id
        _after_commit(lambda: _recompute(destination_scope([destination_id])))


def fact_seen(destination_id, leika_key: str, fact: criteria.Fact) -> None:
    """An application-driven fact happened for (destination, key): after commit, recompute where a cell still
    lacks it. Nothing runs inside the application's own transaction (the intake's hot path)."""
    if not enabled() or _checked_key(destination_id, leika_key, fact) in _checked_here:
        return  # this process found or wrote the note: nothing to register, nothing to run after commit
    transaction.on_commit(lambda: _check_cells(destination_id, leika_key, fact), robust=True)


# The notes of `_check_cells` this process found or wrote (their cache keys name the routing version and the
# day). Looked up before the after-commit check is even registered: that check cost every intake a cache read
# (on Redis a round trip) and the hook itself, ~0.2 ms of CPU in `benchmarks/delivery.py` (issue 13). Skipping
# it is safe for as long as the note is: the cells were checked for the fact under this routing version today.
_checked_here: set[str] = set()
_CHECKED_HERE_MAX = 10_000  # emptied when full (a new routing version or day makes new keys)


def _remember_checked(checked: str) -> None:
    if len(_checked_here) >= _CHECKED_HERE_MAX:
        _checked_here.clear()
    _checked_here.add(checked)


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
        _remember_checked(checked)
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
    _remember_checked(checked)


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
    from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete, pre_save

    from amtsweg.assistants.models import FormDefinition, FormVersion
    from amtsweg.casework.models import Case, ReceivingSystem
    from amtsweg.postfach.models import Notice
    from amtsweg.routing.models import Destination, DestinationKey, Responsibility
    from amtsweg.shop.models import Offer, Subscription
    from amtsweg.submissions import signals as submission_signals

    uid = "amtsweg.maturity."
    post_save.connect(subscription_changed, sender=Subscription, dispatch_uid=uid + "subscription")
    post_save.connect(responsibility_changed, sender=Responsibility, dispatch_uid=uid + "responsibility-save")
    post_delete.connect(responsibility_changed, sender=Responsibility, dispatch_uid=uid + "responsibility-delete")
    post_save.connect(receiving_system_changed, sender=ReceivingSystem, dispatch_uid=uid + "receiving-save")
    post_delete.connect(receiving_system_changed, sender=ReceivingSystem, dispatch_uid=uid + "receiving-delete")
    pre_save.connect(offer_saving, sender=Offer, dispatch_uid=uid + "offer-save")
    pre_delete.connect(offer_deleted, sender=Offer, dispatch_uid=uid + "offer-delete")
    m2m_changed.connect(offer_services_changed, sender=Offer.public_services.through, dispatch_uid=uid + "offer-keys")
    post_save.connect(form_version_changed, sender=FormVersion, dispatch_uid=uid + "form-version")
    pre_save.connect(form_saving, sender=FormDefinition, dispatch_uid=uid + "form-key")
    post_save.connect(form_changed, sender=FormDefinition, dispatch_uid=uid + "form")
    post_save.connect(destination_changed, sender=Destination, dispatch_uid=uid + "destination")
    post_save.connect(destination_key_changed, sender=DestinationKey, dispatch_uid=uid + "key-save")
    post_delete.connect(destination_key_changed, sender=DestinationKey, dispatch_uid=uid + "key-delete")
    post_save.connect(case_saved, sender=Case, dispatch_uid=uid + "case")
    post_save.connect(notice_saved, sender=Notice, dispatch_uid=uid + "notice")
    submission_signals.submission_submitted.connect(submission_submitted, dispatch_uid=uid + "submitted")
    submission_signals.destination_event_received.connect(destination_event_received, dispatch_uid=uid + "event")
