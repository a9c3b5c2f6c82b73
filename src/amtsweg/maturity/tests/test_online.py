"""Online in the maturity cells means what the intake does (issue 16 item 1, "one truth about responsibility").

A citizen can apply online wherever routing resolves to a deliverable destination and a form is published; a
subscription of the responsible Authority is not needed (a Land-wide fallback office serves the Gemeinden
without an entry of their own). These tests pin the cells to `routing.resolution` itself and to the catalogue's
`online_coverage` counts, follow every change that moves "online" through the incremental recompute, and
check the property that the incremental recompute always ends where a full one does.
"""

from __future__ import annotations

from datetime import date

import pytest
from django.test import override_settings
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra.django import TestCase as HypothesisTestCase

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.assistants.tests.factories import FormDefinitionFactory, FormVersionFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.maturity import compute
from amtsweg.maturity.criteria import Fact
from amtsweg.maturity.models import Area, Cell
from amtsweg.maturity.tests.worlds import DOG, PERMIT, build_fallback_world
from amtsweg.routing import resolution
from amtsweg.routing.models import Destination
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.shop.models import Offer
from amtsweg.shop.tests.factories import SubscriptionFactory


@pytest.fixture
def fallback_world(db, settings):
    settings.ROUTING_INDEX_CHECK_SECONDS = 0
    resolution.invalidate(bump=False)
    world = build_fallback_world()
    compute.recompute_all(actor=SYSTEM)
    yield world


def cell_of(municipality_or_ars, service) -> Cell:
    ars = getattr(municipality_or_ars, "ars", municipality_or_ars)
    return Cell.objects.get(area__ars=ars, service=service)


def form_published(key: str, land_code: str, authority_id: int | None) -> bool:
    """The rule in plain ORM: a published form for the key — keyed to it (`FormDefinition.leika_key`, any Land),
    through an available or pilot offer of the Land, or through a live subscription of the responsible
    Authority."""
    offers = Offer.objects.filter(public_services__key=key, form_slug__gt="")
    land = offers.filter(land_code=land_code, status__in=[Offer.Status.AVAILABLE, Offer.Status.PILOT])
    own = offers.filter(subscriptions__authority_id=authority_id, subscriptions__live_since__lte=date.today())
    from amtsweg.assistants.models import FormVersion

    slugs = set(land.values_list("form_slug", flat=True)) | set(own.values_list("form_slug", flat=True))
    published = FormVersion.objects.filter(published_at__isnull=False)
    return published.filter(form__slug__in=slugs).exists() or published.filter(form__leika_key=key).exists()


def test_a_fallback_served_gemeinde_is_online_through_the_land_office(fallback_world):
    g3 = fallback_world["gemeinden"][2]
    cell = cell_of(g3, fallback_world["services"][DOG])
    assert cell.facts & (Fact.LIVE | Fact.FORM) == Fact.LIVE | Fact.FORM
    assert cell.authority_id == fallback_world["land_office"].pk
    assert (cell.level_v2, cell.level_v11) == (2, 2)


def test_the_most_specific_entry_decides_even_when_it_is_not_deliverable(fallback_world):
    g1, g2 = fallback_world["gemeinden"][:2]
    assert cell_of(g1, fallback_world["services"][DOG]).facts & Fact.LIVE
    cell = cell_of(g2, fallback_world["services"][DOG])
    assert not cell.facts & Fact.LIVE and cell.authority_id == fallback_world["own"][g2].pk
    assert not resolution.responsible_office(DOG, ars=g2.ars).online


def test_a_planned_offer_is_online_only_for_its_live_subscriber(fallback_world):
    permit = fallback_world["services"][PERMIT]
    g1, _g2, g3, g4, g5 = fallback_world["gemeinden"]
    assert cell_of(g5, permit).facts & Fact.LIVE  # its own live subscription brings the published form
    for gemeinde in (g1, g3, g4):
        assert not cell_of(gemeinde, permit).facts & (Fact.LIVE | Fact.FORM)


def assert_cells_agree_with_routing(services: dict) -> None:
    """For every area and service: cell LIVE ⇔ routing finds a deliverable destination and a form is published,
    and the cell's Authority is the one routing names."""
    resolution.invalidate(bump=False)
    for area in Area.objects.all():
        for key, service in services.items():
            office = resolution.responsible_office(key, ars=area.ars)
            cell = cell_of(area.ars, service)
            expected = office.online and form_published(key, area.land_code, office.authority.pk)
            assert bool(cell.facts & Fact.LIVE) == expected, (area.ars, area.kind, key)
            assert cell.authority_id == (office.authority.pk if office.found else None)


def test_cells_agree_with_routing_and_the_catalogue_counts(fallback_world):
    """Per area as routing answers; per Land, the Gemeinden online equal `online_coverage` for the key with a
    Land offer (the catalogue's "Online in allen … Gemeinden")."""
    assert_cells_agree_with_routing(fallback_world["services"])
    [coverage] = resolution.online_coverage(DOG)
    online = Cell.objects.filter(area__kind=Area.Kind.GEMEINDE, area__land_code=coverage.land_ars,
                                 service=fallback_world["services"][DOG])
    assert sum(1 for c in online if c.facts & Fact.LIVE) == coverage.online == 4
    assert coverage.municipalities == 5


def test_a_form_keyed_to_the_service_is_online_without_an_offer(fallback_world):
    """The Waffenbesitzkarte case: a published form with the service's LeiKa key and no shop offer carrying it;
    the intake accepts applications wherever routing delivers, so the cells say online there (with the form's
    fee and uploads), and not where routing cannot deliver (the Kreis office without keys)."""
    permit = fallback_world["services"][PERMIT]
    g1, _g2, g3, g4, _g5 = fallback_world["gemeinden"]
    form = FormDefinitionFactory(leika_key=PERMIT, fee_cents=2500)
    FormVersionFactory(form=form, published=True)
    compute.recompute_all(actor=SYSTEM)
    for gemeinde in (g1, g3):
        cell = cell_of(gemeinde, permit)
        assert cell.facts & (Fact.LIVE | Fact.FORM | Fact.FEE | Fact.ONLINE_PAYMENT) == (
            Fact.LIVE | Fact.FORM | Fact.FEE | Fact.ONLINE_PAYMENT)
        assert cell.authority_id == fallback_world["land_office"].pk
    assert not cell_of(g4, permit).facts & Fact.LIVE
    assert_cells_agree_with_routing(fallback_world["services"])


def test_publishing_a_keyed_form_without_offer_is_followed_incrementally(fallback_world, settings,
                                                                         django_capture_on_commit_callbacks):
    """Publishing a version of a form with no offer recomputes its own LeiKa key in the Länder that route it;
    changing the form's key takes the old key offline again."""
    settings.AMTSWEG_MATURITY_INCREMENTAL = True
    permit = fallback_world["services"][PERMIT]
    g3 = fallback_world["gemeinden"][2]
    form = FormDefinitionFactory(leika_key=PERMIT)
    version = FormVersionFactory(form=form)
    assert not cell_of(g3, permit).facts & Fact.LIVE
    with django_capture_on_commit_callbacks(execute=True):
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    assert cell_of(g3, permit).facts & Fact.LIVE
    with django_capture_on_commit_callbacks(execute=True):
        form.leika_key = "99012008099000"
        form.save()
    assert not cell_of(g3, permit).facts & Fact.LIVE
    incremental = list(Cell.objects.order_by("area_id", "service_id").values_list("facts", "authority_id"))
    compute.recompute_all(actor=SYSTEM)
    assert list(Cell.objects.order_by("area_id", "service_id").values_list("facts", "authority_id")) == incremental


def test_an_undeliverable_land_destination_takes_the_fallback_offline(fallback_world):
    g3 = fallback_world["gemeinden"][2]
    Destination.objects.filter(pk=fallback_world["land_destination"].pk).update(status=Destination.Status.INACTIVE)
    compute.recompute_all(actor=SYSTEM)
    assert not cell_of(g3, fallback_world["services"][DOG]).facts & Fact.LIVE
    assert cell_of(fallback_world["gemeinden"][0], fallback_world["services"][DOG]).facts & Fact.LIVE


@pytest.mark.parametrize("change", ["retire_offer", "publish_nothing", "retire_key", "deactivate", "drop_key",
                                    "offer_of_other_land"])
def test_each_change_that_moves_online_is_followed_incrementally(fallback_world, change, settings,
                                                                  django_capture_on_commit_callbacks):
    """The triggers: offer status and keys, the Land of the offer, the destination's status and keys."""
    settings.AMTSWEG_MATURITY_INCREMENTAL = True
    g3 = fallback_world["gemeinden"][2]
    dog = fallback_world["services"][DOG]
    offer = fallback_world["dog_offer"]
    destination = fallback_world["land_destination"]
    with django_capture_on_commit_callbacks(execute=True):
        if change == "retire_offer":
            offer.status = Offer.Status.RETIRED
            offer.save()
        elif change == "publish_nothing":  # the offer's form is swapped for one without a published version
            offer.form_slug = FormDefinitionFactory(leika_key=DOG).slug
            offer.save()
        elif change == "retire_key":
            for key in destination.keys.filter(purpose="encryption"):
                key.retired_at = timezone.now()
                key.save()
        elif change == "deactivate":
            destination.status = Destination.Status.INACTIVE
            destination.save()
        elif change == "drop_key":
            offer.public_services.clear()
        elif change == "offer_of_other_land":
            offer.land_code = "07"
            offer.save()
    assert not cell_of(g3, dog).facts & Fact.LIVE, change
    incremental = list(Cell.objects.order_by("area_id", "service_id").values_list("facts", "level_v2",
                                                                                   "level_v11", "authority_id"))
    compute.recompute_all(actor=SYSTEM)
    assert list(Cell.objects.order_by("area_id", "service_id").values_list(
        "facts", "level_v2", "level_v11", "authority_id")) == incremental


def test_publishing_a_form_brings_the_land_online_incrementally(fallback_world, settings,
                                                                 django_capture_on_commit_callbacks):
    settings.AMTSWEG_MATURITY_INCREMENTAL = True
    offer = fallback_world["dog_offer"]
    form = FormDefinitionFactory(leika_key=DOG)
    version = FormVersionFactory(form=form)
    with django_capture_on_commit_callbacks(execute=True):
        offer.form_slug = form.slug
        offer.save()
    g3 = fallback_world["gemeinden"][2]
    assert not cell_of(g3, fallback_world["services"][DOG]).facts & Fact.LIVE
    with django_capture_on_commit_callbacks(execute=True):
        version.published_at = timezone.now()
        version.save(update_fields=["published_at"])
    assert cell_of(g3, fallback_world["services"][DOG]).facts & Fact.LIVE


OPERATIONS = ("subscribe", "publish", "retire_offer", "reopen_offer", "deactivate", "activate", "retire_key",
              "own_entry", "drop_keys", "add_keys", "fee", "keyed_form")


@override_settings(ROUTING_INDEX_CHECK_SECONDS=0, AMTSWEG_MATURITY_INCREMENTAL=True)
class IncrementalEqualsFull(HypothesisTestCase):
    """Property: whatever changes happen, each followed by its incremental recompute, the cells agree with
    routing after each, and at the end they are what a full recompute makes of the same data (facts, levels and
    Authority)."""

    @settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(st.sampled_from(OPERATIONS), min_size=1, max_size=4))
    def test_incremental_equals_full(self, operations):
        from amtsweg.catalogue.models import PublicService

        resolution.invalidate(bump=False)  # the index counter rolled back with the previous example
        world = build_fallback_world()
        offer = world["dog_offer"]
        form = FormDefinitionFactory(leika_key=DOG)
        pending = FormVersionFactory(form=form)
        Offer.objects.filter(pk=offer.pk).update(form_slug=form.slug)  # no published form yet
        offer.refresh_from_db()
        compute.recompute_all(actor=SYSTEM)
        g1, _g2, g3, _g4, _g5 = world["gemeinden"]
        destination = world["land_destination"]
        for operation in operations:
            with self.captureOnCommitCallbacks(execute=True):
                if operation == "subscribe" and not offer.subscriptions.exists():
                    SubscriptionFactory(offer=offer, authority=world["own"][g1], live=True, local_fee_cents=500)
                elif operation == "publish" and pending.published_at is None:
                    pending.published_at = timezone.now()
                    pending.save(update_fields=["published_at"])
                elif operation in ("retire_offer", "reopen_offer"):
                    offer.status = Offer.Status.RETIRED if operation == "retire_offer" else Offer.Status.PILOT
                    offer.save()
                elif operation in ("deactivate", "activate"):
                    destination.status = (Destination.Status.INACTIVE if operation == "deactivate"
                                          else Destination.Status.ACTIVE)
                    destination.save()
                elif operation == "retire_key":
                    for key in destination.keys.filter(purpose="encryption", retired_at__isnull=True):
                        key.retired_at = timezone.now()
                        key.save()
                elif operation == "own_entry" and not world["own"].get(g3):
                    world["own"][g3] = AuthorityFactory(municipality=g3)
                    ResponsibilityFactory(destination__authority=world["own"][g3], leika_key=DOG)
                elif operation == "drop_keys":
                    offer.public_services.clear()
                elif operation == "add_keys":
                    offer.public_services.add(PublicService.objects.get(key=DOG))
                elif operation == "fee":
                    form.fee_cents = 1500
                    form.save()
                elif operation == "keyed_form" and not world.get("keyed_form"):  # no offer carries it
                    world["keyed_form"] = FormDefinitionFactory(leika_key=PERMIT)
                    FormVersionFactory(form=world["keyed_form"], published=True)
            assert_cells_agree_with_routing(world["services"])
        incremental = list(Cell.objects.order_by("area_id", "service_id").values_list(
            "facts", "level_v2", "level_v11", "authority_id"))
        compute.recompute_all(actor=SYSTEM)
        full = list(Cell.objects.order_by("area_id", "service_id").values_list(
            "facts", "level_v2", "level_v11", "authority_id"))
        assert incremental == full, operations


def test_an_offer_edit_that_cannot_move_online_recomputes_nothing(fallback_world, settings,
                                                                  django_capture_on_commit_callbacks):
    """A Land-wide recompute takes seconds in a large Land (benchmarks/maturity.py): only status, form and Land
    of an offer decide where it is online."""
    settings.AMTSWEG_MATURITY_INCREMENTAL = True
    offer = fallback_world["dog_offer"]
    with django_capture_on_commit_callbacks() as callbacks:
        offer.description = "Neue Beschreibung"
        offer.annual_cost_cents += 100
        offer.save()
    assert callbacks == []
    with django_capture_on_commit_callbacks() as callbacks:
        offer.status = Offer.Status.PILOT
        offer.save()
    assert len(callbacks) == 1
