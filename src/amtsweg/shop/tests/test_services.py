from datetime import date, timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.catalogue.tests.factories import PublicServiceFactory
from amtsweg.geo.tests.factories import MunicipalityFactory
from amtsweg.routing.models import Responsibility
from amtsweg.routing.tests.factories import DestinationFactory
from amtsweg.shop import services
from amtsweg.shop.models import AgreementAcceptance, Subscription
from amtsweg.shop.routing_link import online_link
from amtsweg.shop.tests.factories import AgreementVersionFactory, OfferFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db


def _order_to_live(offer, kommune_admin, on=None):
    sub = services.accept_agreement(offer=offer, agreement=offer.current_agreement(), user=kommune_admin)
    destination = DestinationFactory(authority=kommune_admin.authority)
    services.configure(sub, user=kommune_admin, office_name="Bürgeramt", contact_email="ba@kommune.example",
                       destination=destination)
    return services.go_live(sub, user=kommune_admin, on=on or date.today())


def test_accepting_v1_records_who_when_and_which_version(kommune_admin):
    offer = OfferFactory()
    v1 = offer.current_agreement()
    sub = services.accept_agreement(offer=offer, agreement=v1, user=kommune_admin)
    acceptance = AgreementAcceptance.objects.get(subscription=sub)
    assert acceptance.agreement == v1
    assert acceptance.accepted_by == kommune_admin and acceptance.accepted_by_username == kommune_admin.username
    assert acceptance.agreement_sha256 == v1.sha256
    assert acceptance.accepted_at is not None


def test_accepting_v1_does_not_accept_v2(kommune_admin):
    offer = OfferFactory()
    sub = services.accept_agreement(offer=offer, agreement=offer.current_agreement(), user=kommune_admin)
    AgreementVersionFactory(offer=offer, version=2, text="Neue Fassung mit geänderter Haftung.")
    assert not services.has_accepted_current_agreement(sub)
    services.configure(sub, user=kommune_admin, office_name="BA", contact_email="ba@x.example",
                       destination=DestinationFactory(authority=kommune_admin.authority))
    with pytest.raises(ValidationError, match="aktuelle Version"):
        services.go_live(sub, user=kommune_admin)
    services.accept_agreement(offer=offer, agreement=offer.current_agreement(), user=kommune_admin)
    assert services.has_accepted_current_agreement(sub)
    assert services.go_live(sub, user=kommune_admin).status == Subscription.Status.LIVE


def test_published_agreement_text_is_immutable():
    agreement = OfferFactory().current_agreement()
    agreement.text = "heimlich geändert"
    with pytest.raises(ValueError):
        agreement.save()


def test_staff_without_admin_role_cannot_order():
    staff = UserFactory()
    offer = OfferFactory()
    with pytest.raises(PermissionDenied):
        services.accept_agreement(offer=offer, agreement=offer.current_agreement(), user=staff)


def test_planned_and_foreign_land_offers_cannot_be_ordered(kommune_admin):
    planned = OfferFactory(planned=True)
    with pytest.raises(ValidationError):
        services.accept_agreement(offer=planned, agreement=planned.current_agreement(), user=kommune_admin)
    foreign = OfferFactory(land_code="01")
    with pytest.raises(ValidationError):
        services.accept_agreement(offer=foreign, agreement=foreign.current_agreement(), user=kommune_admin)


def test_go_live_registers_routing_for_the_kommune_area(kommune_admin):
    key_service = PublicServiceFactory()
    offer = OfferFactory(public_services=[key_service])
    sub = _order_to_live(offer, kommune_admin)
    resp = Responsibility.objects.get(leika_key=key_service.key, area_ars=kommune_admin.authority.area_ars)
    assert resp.destination == sub.destination
    link = online_link(key_service.key, kommune_admin.authority.area_ars)
    assert link is not None and link.authority_name == kommune_admin.authority.name


def test_other_kommune_citizens_are_not_routed_there(kommune_admin):
    key_service = PublicServiceFactory()
    offer = OfferFactory(public_services=[key_service])
    _order_to_live(offer, kommune_admin)
    other = MunicipalityFactory()
    assert online_link(key_service.key, other.ars) is None


def test_go_live_needs_destination_and_contact(kommune_admin):
    offer = OfferFactory()
    sub = services.accept_agreement(offer=offer, agreement=offer.current_agreement(), user=kommune_admin)
    with pytest.raises(ValidationError, match="Zustellpunkt"):
        services.go_live(sub, user=kommune_admin)


def test_destination_of_another_authority_is_refused(kommune_admin):
    offer = OfferFactory()
    sub = services.accept_agreement(offer=offer, agreement=offer.current_agreement(), user=kommune_admin)
    with pytest.raises(ValidationError):
        services.configure(sub, user=kommune_admin, office_name="BA", contact_email="ba@x.example",
                           destination=DestinationFactory())


def test_ending_in_the_future_keeps_service_until_then_and_removes_routing_after(kommune_admin):
    key_service = PublicServiceFactory()
    offer = OfferFactory(public_services=[key_service])
    sub = _order_to_live(offer, kommune_admin, on=date.today() - timedelta(days=30))
    end = services.earliest_end(sub)
    services.end_subscription(sub, user=kommune_admin, on=end)
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.LIVE
    assert online_link(key_service.key, kommune_admin.authority.area_ars) is not None
    assert online_link(key_service.key, kommune_admin.authority.area_ars, day=end) is None
    assert services.apply_endings(end) == 1
    sub.refresh_from_db()
    assert sub.status == Subscription.Status.ENDED
    area = kommune_admin.authority.area_ars
    assert not Responsibility.objects.filter(leika_key=key_service.key, area_ars=area).exists()
    assert services.apply_endings(end) == 0  # idempotent


def test_after_the_end_citizens_fall_back_to_the_district_service(kommune_admin):
    key_service = PublicServiceFactory()
    offer = OfferFactory(public_services=[key_service])
    district_authority = AuthorityFactory(district_office=True,
                                          district=kommune_admin.authority.municipality.district)
    district_admin = UserFactory(kommune_admin=True, authority=district_authority)
    _order_to_live(offer, district_admin, on=date.today() - timedelta(days=60))
    sub = _order_to_live(offer, kommune_admin, on=date.today() - timedelta(days=30))
    assert online_link(key_service.key, kommune_admin.authority.area_ars).authority_name == kommune_admin.authority.name
    services.allow_early_end(sub, user=UserFactory(land_operator=True))
    services.end_subscription(sub, user=kommune_admin, on=date.today())
    link = online_link(key_service.key, kommune_admin.authority.area_ars)
    assert link is not None and link.authority_name == district_authority.name


def test_shop_marks_connected_available_and_open_services(kommune_admin):
    live_offer = OfferFactory(name="A live")
    _order_to_live(live_offer, kommune_admin)
    OfferFactory(name="B available", public_services=[PublicServiceFactory(), PublicServiceFactory()])
    OfferFactory(name="C other land", land_code="01")
    entries = {e.offer.name: e for e in services.shop_for(kommune_admin.authority)}
    assert entries["A live"].state == "connected"
    assert entries["B available"].state == "available"
    assert entries["B available"].open_ozg_services == 2
    assert "C other land" not in entries


def test_orders_are_tenant_isolated(kommune_admin):
    sub = SubscriptionFactory(authority=kommune_admin.authority)
    other_admin = UserFactory(kommune_admin=True)
    assert list(Subscription.objects.visible_to(kommune_admin)) == [sub]
    assert not Subscription.objects.visible_to(other_admin).exists()
    with pytest.raises(PermissionDenied):
        services.configure(sub, user=other_admin, office_name="x", contact_email="x@x.example")
    with pytest.raises(PermissionDenied):
        services.end_subscription(sub, user=other_admin, on=date.today())


def test_onboarding_takes_a_regierungsbezirk_authority():
    """A Regierungspräsidium's area is a 3-digit ARS (Land + Regierungsbezirk, here 064 Darmstadt), which
    routing stores; the onboarding refused it as "kein Regionalschlüssel (2, 5, 9 oder 12 Ziffern)"."""
    from amtsweg.shop.onboarding import import_onboarding_csv

    operator = UserFactory(land_operator=True, authority__land__code="06", authority__land__name="Hessen")
    presidium = AuthorityFactory(land_office=True, land=operator.authority.land, area_ars="064",
                                 name="Regierungspräsidium Darmstadt")
    offer = OfferFactory(slug="waffenrecht", land_code="06")
    header = "ars;angebot;zustaendige_stelle;email\n"
    good = f"064;{offer.slug};Dezernat Waffenrecht;waffen@rpda.example\n"
    bad = f"06x;{offer.slug};Amt;amt@rpda.example\n"

    report = import_onboarding_csv((header + good + bad).encode(), user=operator)
    assert [(e.line, e.reason) for e in report.errors] == [
        (3, "ARS „06x“ ist kein Regionalschlüssel (2, 3, 5, 9 oder 12 Ziffern).")]

    report = import_onboarding_csv((header + good).encode(), user=operator)
    assert report.ok, report.errors
    assert Subscription.objects.get().authority == presidium


def test_the_notice_period_of_the_accepted_agreement_is_enforced_unless_the_land_allows_an_exception(kommune_admin):
    """Issue 16, item 8: "drei Monate zum Monatsende" was ignored; an end tomorrow took one click."""
    offer = OfferFactory()
    sub = _order_to_live(offer, kommune_admin, on=date.today() - timedelta(days=30))
    assert services.earliest_end(sub, date(2026, 12, 3)) == date(2027, 4, 1)  # Dec + 3 → end of March
    assert services.earliest_end(sub, date(2026, 1, 31)) == date(2026, 5, 1)
    with pytest.raises(ValidationError, match="frühestens zum"):
        services.end_subscription(sub, user=kommune_admin, on=date.today() + timedelta(days=1))
    with pytest.raises(PermissionDenied):
        services.allow_early_end(sub, user=kommune_admin)
    with pytest.raises(PermissionDenied):
        services.allow_early_end(sub, user=UserFactory(land_operator=True, authority__land__code="01",
                                                       authority__land__name="Schleswig-Holstein"))
    services.allow_early_end(sub, user=UserFactory(land_operator=True))
    services.end_subscription(sub, user=kommune_admin, on=date.today() + timedelta(days=1))


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_online_link_and_fee_follow_routing_not_the_nearest_live_subscription(client, kommune_admin):
    """Issue 16: the "Online beantragen" link on "Wer ist zuständig?" and the Kommune's fee came from the live
    subscription of the widest area around the place, while routing (the place step, the intake) delivers to
    a more specific office registered there: a Gemeinde whose own Bürgeramt is responsible was shown the
    Kreis's offer and charged the Kreis's fee. Both now ask routing's resolution which office it is."""
    from amtsweg.core.actors import SYSTEM
    from amtsweg.routing import services as routing
    from amtsweg.shop.routing_link import configured_fee_cents

    key_service = PublicServiceFactory()
    offer = OfferFactory(public_services=[key_service], name="Kreis-Dienst")
    gemeinde = kommune_admin.authority
    district_authority = AuthorityFactory(district_office=True, district=gemeinde.municipality.district)
    district_admin = UserFactory(kommune_admin=True, authority=district_authority)
    other = MunicipalityFactory(association=gemeinde.municipality.association)  # before routing builds its index
    sub = _order_to_live(offer, district_admin, on=date.today() - timedelta(days=10))
    Subscription.objects.filter(pk=sub.pk).update(local_fee_cents=4200)
    own = DestinationFactory(authority=gemeinde)
    routing.add_responsibility(key_service.key, gemeinde.area_ars, gemeinde, own, actor=SYSTEM)

    assert online_link(key_service.key, gemeinde.area_ars) is None
    assert configured_fee_cents(key_service.key, gemeinde.area_ars) is None
    page = client.get("/zustaendigkeit/", {"key": key_service.key, "ars": gemeinde.area_ars}).content.decode()
    assert gemeinde.name in page and "Kreis-Dienst" not in page
    # the Kreis's other Gemeinden still get the Kreis's offer and fee
    link = online_link(key_service.key, other.ars)
    assert link is not None and link.authority_name == district_authority.name and link.fee_cents == 4200
    assert configured_fee_cents(key_service.key, other.ars) == 4200
    # the fee alone, in one statement: asked on the summary page and at the submission of every application
    with CaptureQueriesContext(connection) as fee_queries:
        assert configured_fee_cents(key_service.key, other.ars) == 4200
    fee_sql = [q["sql"] for q in fee_queries.captured_queries if '"shop_subscription"' in q["sql"]]
    assert len(fee_sql) == 1 and '"shop_offer"."name"' not in fee_sql[0]
