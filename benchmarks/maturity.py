"""Benchmark: the maturity measurement (issue 17) over all Kommunen × relevant OZG-Leistungen, on PostgreSQL.

Run from the repository root: `.venv/bin/python benchmarks/maturity.py [--share 0.3] [--seed 17]`.
On a throw-away database (dropped afterwards) it imports the real reference data (every Gemeinde,
Gemeindeverband and Kreis; the OZG catalogue with its LeiKa typisation) and builds a realistic rollout:

* per Land 40 offers of the Land's shop, each for the LeiKa keys of one or two relevant OZG-Leistungen, with a
  published form (every second with an upload field, every third with a fee);
* every Kreis an Authority with a destination and Kreis-wide responsibilities for 30 services;
* per Land a Land office whose destination takes the applications for its offers' LeiKa keys Land-wide (the
  fallback of every Gemeinde without an entry of its own, as in the Saarland demo): those services are online
  everywhere in the Land (issue 16 item 1);
* every destination active with an active encryption key (deliverable, what routing and the intake need);
* `--share` of the Gemeinden (default 30 %) an Authority with a destination, 5–25 live subscriptions to its
  Land's offers and the responsibilities that go with them; a fifth of those destinations on
  Amtsweg-Sachbearbeitung;
* 150,000 submissions in the last 120 days for those (destination, key) pairs, 80 % accepted, and back-office
  cases, notices and closed cases for the casework destinations.

Printed (`figure: value`):

* `maturity_cells`: stored cells = Kommunen × relevant OZG-Leistungen; every cell is evaluated by the same
  rule (level-0 cells included), none is implied;
* `maturity_first_recompute_s`: the full recompute into an empty table;
* `maturity_full_recompute_s`: the full recompute again (the daily case: the table is full);
* `maturity_incremental_ms`: a Gemeinde takes over one more offer (a live subscription is saved): from the save
  until its cells are rewritten after commit (median of 9; `maturity_incremental_max_ms` the slowest);
* `maturity_offer_change_max_ms`: an offer of one of the three largest Länder changes status (as a published
  form would change it too): from the save until the cells of its keys in its whole Land are rewritten after commit
  (the slowest of the three);
* `maturity_dashboard_p95_ms`: the Kommune page's queries (`kommune_overview`, `gaps(20)`, `peer_rank`) for 200
  random Gemeinden, p95 of their sum;
* `load_avg_1m`: the machine's load when it finished (the figures depend on it).
"""

from __future__ import annotations

import os
import random
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

from benchkit import PostgresDatabase, setup_django

OFFERS_PER_LAND = 40
KREIS_SERVICES = 30
SUBMISSIONS = 150_000


def log(message: str) -> None:
    print(f"# {message}", file=sys.stderr, flush=True)


def build(rng: random.Random, share: float) -> dict:
    from django.core.management import call_command
    from django.db import connection
    from django.utils import timezone

    from amtsweg.accounts.models import Authority
    from amtsweg.assistants.models import FormDefinition, FormVersion
    from amtsweg.casework.models import Case as BackOfficeCase
    from amtsweg.casework.models import ReceivingSystem
    from amtsweg.catalogue.models import PublicService
    from amtsweg.geo.models import District, Land, Municipality
    from amtsweg.maturity import compute
    from amtsweg.maturity.models import ServiceRelevance
    from amtsweg.postfach.models import Notice
    from amtsweg.routing.models import Destination, DestinationKey, Responsibility
    from amtsweg.shop.models import Offer, Subscription
    from amtsweg.submissions import events
    from amtsweg.submissions.models import Case, Event, Submission

    t0 = time.perf_counter()
    call_command("migrate", interactive=False, verbosity=0)
    call_command("import_reference", verbosity=0)
    log(f"reference data imported in {time.perf_counter() - t0:.0f} s")
    t0 = time.perf_counter()
    compute.sync_relevance()
    relevant = list(ServiceRelevance.objects.values_list("service_id", flat=True))
    keys_of: dict[int, list[str]] = {}
    for key, service_id in (PublicService.objects.current().exclude(key="")
                            .filter(ozg_services__in=relevant).values_list("key", "ozg_services")):
        keys_of.setdefault(service_id, []).append(key)
    services = sorted(keys_of)
    lands = list(Land.objects.current())
    by_key = {ps.key: ps for ps in PublicService.objects.exclude(key="")}

    definition = {"title": {"de": "Antrag"}, "steps": [{"id": "s1", "title": {"de": "Angaben"}, "fieldsets": [
        {"id": "f1", "fields": [{"id": "name", "type": "text", "label": {"de": "Name"}}]}]}]}
    with_upload = {**definition, "steps": [{"id": "s1", "title": {"de": "Angaben"}, "fieldsets": [
        {"id": "f1", "fields": [{"id": "name", "type": "text", "label": {"de": "Name"}},
                                {"id": "nachweis", "type": "file", "label": {"de": "Nachweis"}}]}]}]}
    forms, offers, offer_keys = [], [], []
    for land in lands:
        for i in range(OFFERS_PER_LAND):
            slug = f"bench-{land.code}-{i}"
            chosen = rng.sample(services, rng.choice([1, 2]))
            forms.append(FormDefinition(slug=slug, title=slug, leika_key=keys_of[chosen[0]][0],
                                        fee_cents=1500 if i % 3 == 0 else None))
            offers.append(Offer(slug=slug, name=f"Online-Dienst {slug}", land_code=land.code, form_slug=slug,
                                provider_name="Land", provider_kind="land", kind="efa", status="available"))
            offer_keys.append([k for s in chosen for k in keys_of[s][:3]])
    FormDefinition.objects.bulk_create(forms)
    now = timezone.now()
    FormVersion.objects.bulk_create([FormVersion(form=f, number=1, published_at=now,
                                                 definition=with_upload if n % 2 == 0 else definition)
                                     for n, f in enumerate(FormDefinition.objects.order_by("pk"))])
    Offer.objects.bulk_create(offers)
    offers = list(Offer.objects.order_by("pk"))
    through = Offer.public_services.through
    through.objects.bulk_create([through(offer_id=o.pk, publicservice_id=by_key[k].pk)
                                 for o, keys in zip(offers, offer_keys, strict=True) for k in keys])
    offers_by_land: dict[str, list[tuple[Offer, list[str]]]] = {}
    for o, keys in zip(offers, offer_keys, strict=True):
        offers_by_land.setdefault(o.land_code, []).append((o, keys))

    districts = list(District.objects.current())
    gemeinden = [m for m in Municipality.objects.current().filter(is_city_district=False, district__isnull=False)
                 if m.ars[5] != "9"]
    chosen_gemeinden = rng.sample(gemeinden, int(len(gemeinden) * share))
    authorities = ([Authority(kind="land", area_ars=land.code, land_code=land.code, land=land,
                              name=f"Landesverwaltungsamt {land.name}", email="land@example.org") for land in lands]
                   + [Authority(kind="district", area_ars=d.code, land_code=d.code[:2], district=d,
                                name=f"Kreisverwaltung {d.name}", email="kreis@example.org") for d in districts]
                   + [Authority(kind="municipality", area_ars=m.ars, land_code=m.ars[:2], municipality=m,
                                name=f"Bürgeramt {m.name}", email="gemeinde@example.org") for m in chosen_gemeinden])
    Authority.objects.bulk_create(authorities, batch_size=2000)
    authorities = list(Authority.objects.all())
    Destination.objects.bulk_create([Destination(authority=a, name=f"Zustellpunkt {a.pk}", channels=["pull"],
                                                 metadata_versions=["1.0.0"]) for a in authorities], batch_size=2000)
    destination_of = {d.authority_id: d for d in Destination.objects.all()}
    DestinationKey.objects.bulk_create([DestinationKey(destination=d, kid=f"bench-{d.pk}", purpose="encryption",
                                                       jwk={"kty": "RSA", "kid": f"bench-{d.pk}"}, activated_at=now)
                                        for d in destination_of.values()], batch_size=2000)
    responsibilities, subscriptions = [], []
    today = date.today()
    for a in authorities:
        d = destination_of[a.pk]
        if a.kind == "land":
            for k in sorted({k for _o, keys in offers_by_land.get(a.land_code, []) for k in keys}):
                responsibilities.append(Responsibility(leika_key=k, area_ars=a.area_ars, authority=a, destination=d))
            continue
        if a.kind == "district":
            for k in {keys_of[s][0] for s in rng.sample(services, KREIS_SERVICES)}:
                responsibilities.append(Responsibility(leika_key=k, area_ars=a.area_ars, authority=a, destination=d))
            continue
        taken = rng.sample(offers_by_land.get(a.land_code, []), min(rng.randint(5, 25),
                                                                    len(offers_by_land.get(a.land_code, []))))
        seen: set[str] = set()
        for offer, keys in taken:
            subscriptions.append(Subscription(offer=offer, authority=a, status="live",
                                              live_since=today - timedelta(days=rng.randint(1, 700))))
            for k in keys:
                if k not in seen:
                    seen.add(k)
                    responsibilities.append(Responsibility(leika_key=k, area_ars=a.area_ars, authority=a,
                                                           destination=d))
    Subscription.objects.bulk_create(subscriptions, batch_size=5000)
    Responsibility.objects.bulk_create(responsibilities, batch_size=5000)
    casework_destinations = {d.pk for d in rng.sample(list(destination_of.values()), len(destination_of) // 5)}
    ReceivingSystem.objects.bulk_create([ReceivingSystem(destination_id=pk) for pk in casework_destinations])
    log(f"{len(offers)} offers, {len(authorities)} authorities, {len(subscriptions)} subscriptions, "
        f"{len(responsibilities)} responsibilities in {time.perf_counter() - t0:.0f} s")

    t0 = time.perf_counter()
    pairs = [(r.destination_id, r.leika_key, r.authority_id) for r in responsibilities]
    cases, submissions, accepts, bo_cases, notices = [], [], [], [], []
    for n in range(SUBMISSIONS):
        destination_id, key, authority_id = rng.choice(pairs)
        submitted = now - timedelta(days=rng.uniform(0, 120))
        case = Case(destination_id=destination_id)
        cases.append(case)
        submission = Submission(case=case, destination_id=destination_id, status="submitted",
                                service_identifier=f"urn:de:fim:leika:leistung:{key}", submitted_at=submitted,
                                public_reference=f"B{n:011d}")
        submissions.append(submission)
        if rng.random() < 0.8:
            accepts.append(Event(case=case, submission=submission, event_type=events.ACCEPT, claims={},
                                 issuer="destination", created_at=submitted + timedelta(hours=2)))
        if destination_id in casework_destinations:
            closed = submitted + timedelta(days=5) if rng.random() < 0.6 else None
            bo = BackOfficeCase(authority_id=authority_id, destination_id=destination_id, submission_id=submission.pk,
                                transport_case_id=case.pk, reference=f"AW-{n:09d}", leika_key=key,
                                service_name=key, received_at=submitted, state="closed" if closed else "received",
                                closed_at=closed, content=b"x")
            bo_cases.append(bo)
            if closed:
                notices.append(Notice(case=bo, decision="approved", document=b"%PDF", signature="a..b", kid="k",
                                      made_available_at=closed))
    for rows, model in ((cases, Case), (submissions, Submission), (accepts, Event), (bo_cases, BackOfficeCase),
                        (notices, Notice)):
        model.objects.bulk_create(rows, batch_size=5000)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    log(f"{len(submissions)} submissions, {len(accepts)} accepts, {len(bo_cases)} back-office cases, "
        f"{len(notices)} notices in {time.perf_counter() - t0:.0f} s")
    return {"offers_by_land": offers_by_land,
            "gemeinde_authorities": [a for a in authorities if a.kind == "municipality"]}


def run(share: float, seed: int) -> dict:
    from django.conf import settings
    from django.db import transaction
    from django.db.models import Count

    from amtsweg.core.actors import SYSTEM
    from amtsweg.maturity import compute, queries
    from amtsweg.maturity.models import Area, Cell
    from amtsweg.shop.models import Offer, Subscription

    rng = random.Random(seed)
    settings.AMTSWEG_MATURITY_INCREMENTAL = False  # seeding is bulk; switched on for the incremental figure
    data = build(rng, share)
    first = compute.recompute_all(actor=SYSTEM)
    log(f"first recompute: {first.cells} cells in {first.seconds:.1f} s")
    again = compute.recompute_all(actor=SYSTEM)
    log(f"second recompute: {again.cells} cells in {again.seconds:.1f} s")
    cells = Cell.objects.count()
    assert cells == again.cells == Area.objects.count() * Cell.objects.values("service_id").distinct().count()

    settings.AMTSWEG_MATURITY_INCREMENTAL = True
    timings = []
    authorities = rng.sample(data["gemeinde_authorities"], 9)
    for authority in authorities:
        taken = set(Subscription.objects.filter(authority=authority).values_list("offer_id", flat=True))
        offer, keys = next((o, k) for o, k in data["offers_by_land"][authority.land_code] if o.pk not in taken)
        before = Area.objects.get(ars=authority.area_ars).summary.computed_at
        started = time.perf_counter()
        with transaction.atomic():
            Subscription.objects.create(offer=offer, authority=authority, status="live",
                                        live_since=date.today() - timedelta(days=1))
        timings.append((time.perf_counter() - started) * 1000)
        # reflected: the Kommune's cells of the offer's services were rewritten and its summary recounted
        area = Area.objects.get(ars=authority.area_ars)
        assert area.summary.computed_at > before, (authority.area_ars, keys)
        assert Cell.objects.filter(area=area, service_id__in=compute.services_of_keys(keys)).exists()
    log("incremental: " + ", ".join(f"{t:.0f}" for t in timings) + " ms")

    # An offer changes (here: available → pilot, as publishing a form or a status change would): the cells of its
    # keys in its whole Land are rewritten after commit. The three Länder with the most Kommunen.
    largest = [row["land_code"] for row in Area.objects.values("land_code").annotate(n=Count("pk")).order_by("-n")[:3]]
    offer_timings = []
    for land_code in largest:
        offer = data["offers_by_land"][land_code][0][0]
        started = time.perf_counter()
        with transaction.atomic():
            changed = Offer.objects.get(pk=offer.pk)
            changed.status = Offer.Status.PILOT
            changed.save()
        offer_timings.append((time.perf_counter() - started) * 1000)
    log("offer change: " + ", ".join(f"{t:.0f}" for t in offer_timings) + " ms")

    dashboard = []
    areas = rng.sample(list(Area.objects.filter(kind=Area.Kind.GEMEINDE)), 200)
    for area in areas:
        started = time.perf_counter()
        queries.kommune_overview(area)
        queries.gaps(area, 20)
        queries.peer_rank(area)
        dashboard.append((time.perf_counter() - started) * 1000)
    dashboard.sort()
    return {
        "maturity_cells": cells,
        "maturity_areas": Area.objects.count(),
        "maturity_first_recompute_s": round(first.seconds, 1),
        "maturity_full_recompute_s": round(again.seconds, 1),
        "maturity_incremental_ms": round(statistics.median(timings)),
        "maturity_incremental_max_ms": round(max(timings)),
        "maturity_offer_change_max_ms": round(max(offer_timings)),
        "maturity_dashboard_p95_ms": round(dashboard[int(len(dashboard) * 0.95) - 1], 1),
        "load_avg_1m": round(os.getloadavg()[0], 2),
    }


def main(argv: list[str]) -> None:
    import argparse

    parser = argparse.ArgumentParser()
    parser.add_argument("--share", type=float, default=0.3, help="share of Gemeinden with subscriptions")
    parser.add_argument("--seed", type=int, default=17)
    args = parser.parse_args(argv)
    with (tempfile.TemporaryDirectory(prefix="amtsweg-bench-") as tmp,
          PostgresDatabase("amtsweg_maturity_bench") as url):
        setup_django(url, tmp)
        for key, value in run(args.share, args.seed).items():
            print(f"{key}: {value}")


if __name__ == "__main__":
    main(sys.argv[1:])
