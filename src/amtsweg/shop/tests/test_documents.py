"""Issue 16, item 9: before accepting, the Kommune sees its cost share and can download the reuse agreement and
the AVV as PDF; the subscription status reads German (with an English translation)."""

from datetime import date

import pytest
from django.utils import translation

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.geo.tests.factories import MunicipalityFactory
from amtsweg.shop import documents
from amtsweg.shop.models import Subscription
from amtsweg.shop.reports import expected_share
from amtsweg.shop.tests.factories import OfferFactory, SubscriptionFactory

pytestmark = pytest.mark.django_db

DAY = date(2026, 6, 1)


def _authority(population):
    return AuthorityFactory(municipality=MunicipalityFactory(population=population))


def test_expected_share_applies_the_lands_rule_to_todays_participants_and_this_kommune():
    offer = OfferFactory(population_sharing=True, annual_cost_cents=1_800_000)
    SubscriptionFactory(offer=offer, authority=_authority(30_000), live=True)
    SubscriptionFactory(offer=offer, authority=_authority(50_000), status=Subscription.Status.CONFIGURED)  # not live
    own = _authority(10_000)

    estimate = expected_share(offer, own, DAY)

    assert (estimate.cents, estimate.participants, estimate.total_population) == (450_000, 2, 40_000)
    assert documents.share_estimate_text(estimate) == (
        "Voraussichtlicher Anteil Ihrer Kommune: 4.500,00 € im Jahr = 18.000,00 € × 10.000 Einwohner / "
        "40.000 Einwohner aller 2 teilnehmenden Kommunen (einschließlich Ihrer).")


def test_expected_share_equal_and_fixed():
    equal = OfferFactory(annual_cost_cents=1_200_000)
    SubscriptionFactory(offer=equal, live=True)
    SubscriptionFactory(offer=equal, live=True)
    assert expected_share(equal, _authority(5), DAY).cents == 400_000
    fixed = OfferFactory(fixed_fee=True)
    assert expected_share(fixed, _authority(5), DAY).cents == 120_000


def test_offer_and_order_page_show_the_cost_share_before_accepting(client):
    admin = UserFactory(kommune_admin=True, authority=_authority(10_000))
    offer = OfferFactory(population_sharing=True, annual_cost_cents=1_800_000)
    SubscriptionFactory(offer=offer, authority=_authority(30_000), live=True)
    login_staff(client, admin)

    for url in (f"/verwaltung/shop/{offer.slug}/", f"/verwaltung/shop/{offer.slug}/bestellen/"):
        page = client.get(url).text
        assert "Ihr voraussichtlicher Anteil" in page and "4.500,00 € im Jahr" in page, url
        assert "nach Einwohnerzahl" in page and "10.000 Einwohner / 40.000 Einwohner" in page, url
        assert f"/verwaltung/shop/{offer.slug}/nachnutzungsvereinbarung.pdf" in page, url
        assert f"/verwaltung/shop/{offer.slug}/avv.pdf" in page, url


def _printed(monkeypatch) -> list[str]:
    """Every text fpdf2 lays out (the PDF itself holds glyph ids, not text)."""
    from fpdf import FPDF

    texts: list[str] = []
    original = FPDF.multi_cell

    def spy(self, w, h=None, text="", *args, **kwargs):
        texts.append(text)
        return original(self, w, h, text, *args, **kwargs)

    monkeypatch.setattr(FPDF, "multi_cell", spy)
    return texts


def test_agreement_pdf_is_the_offers_agreement_with_the_kommunes_names_and_share(client, monkeypatch):
    admin = UserFactory(kommune_admin=True, authority=_authority(10_000))
    AuthorityFactory(land_office=True, land=admin.authority.municipality.land, name="IT-Dienstleistungszentrum")
    offer = OfferFactory(name="Hundesteuer online", provider_name="Landeshauptstadt Saarbrücken")
    agreement = offer.current_agreement()
    login_staff(client, admin)
    texts = _printed(monkeypatch)

    response = client.get(f"/verwaltung/shop/{offer.slug}/nachnutzungsvereinbarung.pdf")

    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response.content.startswith(b"%PDF")
    assert f'filename="nachnutzungsvereinbarung-{offer.slug}-v1.pdf"' in response["Content-Disposition"]
    printed = "\n".join(texts)
    assert "Nachnutzungsvereinbarung" in printed and "Hundesteuer online" in printed
    assert admin.authority.name in printed and "IT-Dienstleistungszentrum" in printed
    assert "Landeshauptstadt Saarbrücken" in printed
    assert agreement.text.split("\n")[1] in printed and agreement.sha256 in printed
    assert "Voraussichtlicher Anteil Ihrer Kommune" in printed and "Kündigungsfrist: 3 Monate" in printed


def test_avv_pdf_names_controller_processor_and_the_offers_services(client, monkeypatch):
    admin = UserFactory(kommune_admin=True)
    offer = OfferFactory(name="Meldebescheinigung online")
    login_staff(client, admin)
    texts = _printed(monkeypatch)

    response = client.get(f"/verwaltung/shop/{offer.slug}/avv.pdf")

    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    printed = "\n".join(texts)
    assert "Vereinbarung zur Auftragsverarbeitung (Art. 28 DSGVO)" in printed
    assert f"Verantwortlicher: {admin.authority.name}" in printed
    assert offer.public_services.get().name in printed and "Meldebescheinigung online" in printed


def test_documents_of_another_lands_offer_are_not_found(client):
    admin = UserFactory(kommune_admin=True)
    offer = OfferFactory(land_code="09")
    login_staff(client, admin)
    assert client.get(f"/verwaltung/shop/{offer.slug}/nachnutzungsvereinbarung.pdf").status_code == 404
    assert client.get(f"/verwaltung/shop/{offer.slug}/avv.pdf").status_code == 404


def test_subscription_status_is_german_with_an_english_translation(client):
    admin = UserFactory(kommune_admin=True)
    SubscriptionFactory(authority=admin.authority, live=True)
    login_staff(client, admin)
    page = client.get("/verwaltung/shop/anschluesse/").text
    assert ">freigeschaltet<" in page and ">live<" not in page
    with translation.override("en"):
        assert str(Subscription.Status.LIVE.label) == "live"
        assert str(Subscription.Status.ORDERED.label) == "ordered"


def test_review_names_the_fee_citizens_pay_online_not_a_fee_on_site(client):
    admin = UserFactory(kommune_admin=True)
    sub = SubscriptionFactory(authority=admin.authority, offer=OfferFactory(), local_fee_cents=None)
    login_staff(client, admin)
    page = client.get(f"/verwaltung/shop/anschluss/{sub.pk}/pruefen/").text
    assert "Gebühr vor Ort" not in page
    assert "Gebühr für die Online-Beantragung" in page and "es gilt die Gebühr des Angebots" in page
