"""The recompute on real rows: each fact from the app that holds it, full and incremental, and what the pages read."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.assistants.tests.factories import FormDefinitionFactory, FormVersionFactory, sample_definition
from amtsweg.casework.models import ReceivingSystem
from amtsweg.casework.tests.factories import CaseFactory as BackOfficeCaseFactory
from amtsweg.catalogue.models import PublicService
from amtsweg.catalogue.tests.factories import OzgServiceFactory, PublicServiceFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.geo.tests.factories import MunicipalAssociationFactory, MunicipalityFactory
from amtsweg.maturity import compute, queries, services, snapshots
from amtsweg.maturity.criteria import Fact
from amtsweg.maturity.models import Area, Cell, ServiceRelevance
from amtsweg.postfach.models import Notice
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory
from amtsweg.submissions import events
from amtsweg.submissions.models import Event, Submission
from amtsweg.submissions.tests.factories import SubmissionFactory

KEY = "99102013000000"


@pytest.fixture
def world(db):
    """One Kommune (two Gemeinden in one Verband), a municipal OZG-Leistung with the Hundesteuer key and a
    federal one (not relevant), the Kommune's responsibility for Hundesteuer."""
    verband = MunicipalAssociationFactory()
    gemeinde = MunicipalityFactory(association=verband, population=12_000)
    neighbour = MunicipalityFactory(association=verband, population=3_000)
    service = OzgServiceFactory(name="Hundesteuer")
    PublicServiceFactory(key=KEY, leika_type="5", ozg_services=[service])
    PublicServiceFactory(leika_type="1", ozg_services=[OzgServiceFactory(name="Bundessache")])
    authority = AuthorityFactory(municipality=gemeinde)
    responsibility = ResponsibilityFactory(destination__authority=authority, leika_key=KEY)
    return {"gemeinde": gemeinde, "neighbour": neighbour, "verband": verband, "service": service,
            "authority": authority, "responsibility": responsibility}


def recompute() -> None:
    compute.recompute_all(actor=SYSTEM)


def the_cell(world) -> Cell:
    return Cell.objects.get(area__ars=world["gemeinde"].ars, service=world["service"])


def go_live(world, *, fee: int | None = None, upload: bool = False, status: str = "available",
            form_key: str = KEY) -> None:
    form = FormDefinitionFactory(leika_key=form_key, fee_cents=fee)
    definition = sample_definition()
    if upload:
        definition["steps"][0]["fieldsets"][0]["fields"].append(
            {"id": "nachweis", "type": "file", "label": {"de": "Nachweis"}})
    FormVersionFactory(form=form, definition=definition, published=True)
    offer = OfferFactory(form_slug=form.slug, public_services=[PublicService.objects.get(key=KEY)], status=status)
    SubscriptionFactory(offer=offer, authority=world["authority"], live=True)


def submit(world, *, accepted: bool = True, days_ago: int = 1) -> Submission:
    submission = SubmissionFactory(case__destination=world["responsibility"].destination,
                                   service_identifier=compute.LEIKA_URN + KEY)
    Submission.objects.filter(pk=submission.pk).update(
        status=Submission.Status.SUBMITTED, submitted_at=timezone.now() - timedelta(days=days_ago))
    if accepted:
        Event.objects.create(case=submission.case, submission=submission, event_type=events.ACCEPT, claims={},
                             issuer=Event.Issuer.DESTINATION)
    return submission


def test_relevance_follows_the_leika_typisation(world):
    compute.sync_relevance()
    relevant = ServiceRelevance.objects.get()
    assert relevant.service_id == world["service"].pk and relevant.demand_factor == 1.0
    assert compute.municipal_weight("4") == 0.5 and compute.municipal_weight("1, 2/3") == 1.0
    assert compute.municipal_weight("1") == 0 and compute.municipal_weight("2") == 0


def test_areas_are_gemeinden_real_verbaende_and_kreise_with_summed_population(world):
    MunicipalityFactory(association=MunicipalAssociationFactory(district=world["verband"].district),
                        population=500)  # a Verband key with one Gemeinde is that Gemeinde
    compute.sync_areas()
    kinds = {a.ars: a.kind for a in Area.objects.all()}
    assert kinds[world["verband"].code] == Area.Kind.VERBAND
    assert sum(1 for k in kinds.values() if k == Area.Kind.VERBAND) == 1
    verband = Area.objects.get(ars=world["verband"].code)
    kreis = Area.objects.get(ars=world["verband"].district.code)
    assert verband.population == 15_000 and kreis.population == 15_500
    assert verband.size_class == 2 and Area.objects.get(ars=world["gemeinde"].ars).size_class == 2


def test_every_relevant_cell_is_evaluated_and_stored_level_zero_included(world):
    recompute()
    assert Cell.objects.count() == Area.objects.count() * ServiceRelevance.objects.count() == 4
    other = Area.objects.exclude(ars=world["gemeinde"].ars).filter(kind=Area.Kind.GEMEINDE).get()
    cell = Cell.objects.get(area=other, service=world["service"])
    assert (cell.level_v2, cell.level_v11, cell.facts) == (0, 0, 0)


def test_a_responsibility_alone_is_information_stage_1(world):
    recompute()
    cell = the_cell(world)
    assert cell.facts == Fact.RESPONSIBLE and (cell.level_v2, cell.level_v11) == (1, 1)
    assert cell.authority_id == world["authority"].pk


def test_a_live_subscription_with_a_published_form_is_stage_2(world):
    go_live(world, upload=True)
    recompute()
    cell = the_cell(world)
    assert cell.facts == Fact.RESPONSIBLE | Fact.LIVE | Fact.FORM | Fact.UPLOADS
    assert (cell.level_v2, cell.level_v11) == (2, 2)


def test_a_fee_is_paid_online_through_the_assistant(world):
    go_live(world, fee=1500)
    recompute()
    assert the_cell(world).facts & (Fact.FEE | Fact.ONLINE_PAYMENT) == Fact.FEE | Fact.ONLINE_PAYMENT


def test_an_ended_subscription_to_a_retired_offer_is_not_live(world):
    # (an available offer of the Land would still bring its form, and so would a form keyed to KEY: test_online;
    # here the offer's form carries another LeiKa key)
    go_live(world, status="retired", form_key="99000000001000")
    from amtsweg.shop.models import Subscription

    Subscription.objects.update(ends_on=date.today())
    recompute()
    assert not the_cell(world).facts & Fact.LIVE


def test_received_and_accepted_applications_in_the_window_count(world):
    go_live(world)
    submit(world)
    recompute()
    cell = the_cell(world)
    assert cell.facts & (Fact.RECEIVED | Fact.ACCEPTED | Fact.STATUS) == Fact.RECEIVED | Fact.ACCEPTED | Fact.STATUS
    assert (cell.level_v2, cell.level_v11) == (4, 2)
    assert "Stufe 2: Bescheid wird nicht elektronisch zugestellt" in queries.cell(
        Area.objects.get(ars=world["gemeinde"].ars), world["service"]).reasons_v11


def test_applications_older_than_the_window_do_not_count(world):
    go_live(world)
    submit(world, days_ago=91)
    recompute()
    assert not the_cell(world).facts & Fact.RECEIVED


def test_back_office_notice_and_closed_case_reach_ozg_konform(world):
    go_live(world)
    submit(world)
    destination = world["responsibility"].destination
    ReceivingSystem.objects.create(destination=destination)
    case = BackOfficeCaseFactory(destination=destination, leika_key=KEY, closed_at=timezone.now(),
                                 state="closed")
    Notice.objects.create(case=case, decision="approved", document=b"%PDF", signature="x..y", kid="k")
    recompute()
    cell = the_cell(world)
    assert cell.facts & (Fact.CASEWORK | Fact.NOTICE | Fact.ARCHIVED) == Fact.CASEWORK | Fact.NOTICE | Fact.ARCHIVED
    assert (cell.level_v2, cell.level_v11) == (5, 3)


def test_the_most_specific_anchor_wins(world):
    # A Land-wide responsibility of another office does not override the Gemeinde's own.
    land_office = AuthorityFactory()
    ResponsibilityFactory(destination__authority=land_office, leika_key=KEY, area_ars=world["gemeinde"].ars[:2])
    recompute()
    assert the_cell(world).authority_id == world["authority"].pk
    other = Area.objects.get(ars=world["neighbour"].ars)
    assert Cell.objects.get(area=other, service=world["service"]).authority_id == land_office.pk


def test_a_subscription_change_is_reflected_incrementally(world, django_capture_on_commit_callbacks, settings):
    settings.AMTSWEG_MATURITY_INCREMENTAL = True
    recompute()
    assert the_cell(world).level_v11 == 1
    with django_capture_on_commit_callbacks(execute=True):
        go_live(world)
    assert the_cell(world).level_v11 == 2
    summary = Area.objects.get(ars=world["gemeinde"].ars).summary
    assert summary.levels_v11 == [0, 0, 1, 0, 0]


def test_incremental_and_full_recompute_agree(world, django_capture_on_commit_callbacks):
    recompute()
    with django_capture_on_commit_callbacks(execute=True):
        go_live(world)
        submit(world)
    incremental = list(Cell.objects.order_by("area_id", "service_id").values_list("facts", "level_v2", "level_v11"))
    recompute()
    assert list(Cell.objects.order_by("area_id", "service_id").values_list("facts", "level_v2", "level_v11")) == \
        incremental


def test_declared_services_are_kept_apart_and_audited(world):
    recompute()
    admin = UserFactory(kommune_admin=True, authority=world["authority"])
    services.declare(admin, world["authority"], world["service"], url="https://kommune.example/hund",
                     declared_on=date(2025, 1, 1), level_v2=7, level_v11=4, evidence="Screenshot")
    recompute()
    cell = the_cell(world)
    assert (cell.level_v2, cell.level_v11) == (1, 1)
    view = queries.cell(Area.objects.get(ars=world["gemeinde"].ars), world["service"])
    assert view.level_v11 == 1 and view.kind == "gemessen"
    assert view.declared["kind"] == "erklärt" and view.declared["level_v11"] == 4
    from amtsweg.accounts.models import AuditEntry

    assert AuditEntry.objects.filter(action="maturity.declared").count() == 1


def test_another_kommune_cannot_declare_for_this_one(world):
    from django.core.exceptions import PermissionDenied

    stranger = UserFactory(kommune_admin=True)
    with pytest.raises(PermissionDenied):
        services.declare(stranger, world["authority"], world["service"], url="https://x.example/",
                         declared_on=date(2025, 1, 1))


class DeclaredNeverOverridesMeasured(HypothesisTestCase):
    @settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.integers(0, 7), st.integers(0, 4), st.booleans())
    def test_declared_never_overrides_measured(self, v2, v11, live):
        verband = MunicipalAssociationFactory()
        gemeinde = MunicipalityFactory(association=verband)
        service = OzgServiceFactory()
        PublicServiceFactory(key=KEY, leika_type="5", ozg_services=[service])
        authority = AuthorityFactory(municipality=gemeinde)
        responsibility = ResponsibilityFactory(destination__authority=authority, leika_key=KEY)
        if live:
            go_live({"responsibility": responsibility, "authority": authority})
        compute.recompute_all(actor=SYSTEM)
        before = Cell.objects.get(area__ars=gemeinde.ars, service=service)
        services.declare(SYSTEM, authority, service, url="https://kommune.example/", declared_on=date(2025, 1, 1),
                         level_v2=v2, level_v11=v11)
        compute.recompute_all(actor=SYSTEM)
        after = Cell.objects.get(area__ars=gemeinde.ars, service=service)
        assert (after.level_v2, after.level_v11, after.facts) == (before.level_v2, before.level_v11, before.facts)
        overview = queries.kommune_overview(Area.objects.get(ars=gemeinde.ars))
        assert overview["levels_v11"][before.level_v11] == 1 and sum(overview["levels_v11"]) == 1


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_queries_for_the_pages(world):
    go_live(world)
    recompute()
    area = Area.objects.get(ars=world["gemeinde"].ars)
    overview = queries.kommune_overview(area)
    assert overview["relevant"] == 1 and overview["levels_v11"] == [0, 0, 1, 0, 0]
    assert overview["by_topic"][0]["levels_v11"] == [0, 0, 1, 0, 0]
    assert overview["area"]["size_class_label"] == "5.000 bis unter 20.000 Einwohner"
    [gap] = queries.gaps(area)
    assert gap.action["url_name"] == "casework:receiving" and gap.weight == 12_000.0
    rank = queries.peer_rank(area)
    assert rank["land"]["peers"] == 1 and rank["national"]["rank"] == 1
    [heat] = queries.land_heat(area.land_code)
    assert heat["areas"] == 2 and heat["levels_v11"] == [1, 0, 1, 0, 0]
    snapshots.take(actor=SYSTEM)
    [day] = queries.land_history(area.land_code)
    assert day["levels_v11"] == [1, 0, 1, 0, 0]
    public = queries.public_land(area.land_code)
    assert {a["ars"] for a in public["areas"]} == set(Area.objects.values_list("ars", flat=True))
    assert any("Once-Only" in line for line in public["not_measurable"])
    assert queries.area_for(world["authority"]) == area


def test_the_daily_snapshot_replaces_its_day(world):
    recompute()
    assert snapshots.take(actor=SYSTEM) == snapshots.take(actor=SYSTEM) == Area.objects.count()
    from amtsweg.maturity.models import AreaSnapshot

    assert AreaSnapshot.objects.count() == Area.objects.count()


def test_a_subscription_without_responsibility_does_not_hide_the_kreis_responsibility(world):
    kreis_office = AuthorityFactory()
    ResponsibilityFactory(destination__authority=kreis_office, leika_key=KEY, area_ars=world["gemeinde"].ars[:5])
    neighbour_office = AuthorityFactory(municipality=world["neighbour"])
    offer = OfferFactory(public_services=[PublicService.objects.get(key=KEY)])
    SubscriptionFactory(offer=offer, authority=neighbour_office, live=True)
    recompute()
    cell = Cell.objects.get(area__ars=world["neighbour"].ars, service=world["service"])
    assert cell.authority_id == kreis_office.pk and cell.facts & Fact.RESPONSIBLE


def test_an_application_marks_the_cell_after_commit(world, django_capture_on_commit_callbacks, settings):
    from unittest.mock import patch

    from django.core.cache import cache

    from amtsweg.maturity import triggers

    settings.AMTSWEG_MATURITY_INCREMENTAL = True
    go_live(world)
    recompute()
    with django_capture_on_commit_callbacks(execute=True):
        triggers.submission_submitted(None, submission=submit(world, accepted=False))
    assert the_cell(world).facts & Fact.RECEIVED
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        triggers.submission_submitted(None, submission=submit(world, accepted=False))
    assert callbacks == []  # this process noted the check: not even a hook in the application's transaction
    cache.clear()  # as in another process, or the note forgotten: the check runs again, finds the fact …
    with django_capture_on_commit_callbacks(execute=True) as callbacks, \
            patch.object(triggers, "_checked_here", set()), patch.object(compute, "recompute_for") as recompute_for:
        triggers.submission_submitted(None, submission=submit(world, accepted=False))
    assert len(callbacks) == 1 and not recompute_for.called  # … and recomputes nothing


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_further_applications_of_the_day_cost_no_query_until_routing_changes(
        world, django_capture_on_commit_callbacks, django_assert_num_queries, settings):
    """The check runs once a day per destination, key and fact (a note in the cache); a routing change (new
    version of the index) makes the next application check again, so a newly responsible area gets the fact."""
    from amtsweg.maturity import triggers
    from amtsweg.routing.resolution import invalidate

    settings.AMTSWEG_MATURITY_INCREMENTAL = True
    go_live(world)
    recompute()
    with django_capture_on_commit_callbacks(execute=True):
        triggers.submission_submitted(None, submission=submit(world, accepted=False))
    second = submit(world, accepted=False)
    with django_assert_num_queries(0), django_capture_on_commit_callbacks(execute=True):
        triggers.submission_submitted(None, submission=second)
    Cell.objects.filter(area__ars=world["gemeinde"].ars).update(facts=0)  # as if the cell had been wiped
    invalidate()  # what every change to responsibilities, destinations and keys does
    with django_capture_on_commit_callbacks(execute=True):
        triggers.submission_submitted(None, submission=second)
    assert the_cell(world).facts & Fact.RECEIVED


def test_peer_rank_counts_peers_of_the_same_kind_and_size_class(db):
    from amtsweg.maturity.models import AreaSummary

    areas = [Area.objects.create(ars=f"10041000{n:04d}", kind=Area.Kind.GEMEINDE, name=f"G{n}", land_code="10",
                                 district_code="10041", population=8_000, size_class=2) for n in range(4)]
    other_land = Area.objects.create(ars="090410000001", kind=Area.Kind.GEMEINDE, name="B", land_code="09",
                                     population=8_000, size_class=2)
    bigger = Area.objects.create(ars="100410000099", kind=Area.Kind.GEMEINDE, name="Groß", land_code="10",
                                 population=80_000, size_class=3)
    for area, share in zip([*areas, other_land, bigger], [0.0, 0.25, 0.5, 0.75, 1.0, 1.0], strict=True):
        AreaSummary.objects.create(area=area, relevant=4, compliant_share=share)
    rank = queries.peer_rank(areas[2])
    assert rank["land"] == {"percentile": 75.0, "rank": 2, "peers": 4}
    assert rank["national"] == {"percentile": 60.0, "rank": 3, "peers": 5}


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_the_relevant_services_of_a_key_take_one_statement(world, django_assert_num_queries):
    """Asked after every application and accept event (triggers): only the relevant services of the key, without
    reading the whole relevance table."""
    compute.sync_relevance()
    other = OzgServiceFactory(name="Hundesteuer, Ermäßigung")  # a second, relevant service of the same key
    PublicService.objects.get(key=KEY).ozg_services.add(other)
    ServiceRelevance.objects.create(service=other)
    with django_assert_num_queries(1):
        assert compute.services_of_keys([KEY]) == sorted([world["service"].pk, other.pk])
    assert compute.services_of_keys(["99999999999999"]) == []
