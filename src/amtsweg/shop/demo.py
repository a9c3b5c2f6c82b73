"""Demo shop of the Saarland: a handful of offers on the real OZG catalogue, some Kommunen connected.

Runs after the accounts and routing demos (which create the Saarland's authorities and destinations);
creates what is missing so that it also works on its own. Idempotent.
"""

from __future__ import annotations

from datetime import date

from django.core.exceptions import ValidationError
from django.db import transaction

from amtsweg.accounts.models import Authority
from amtsweg.catalogue.models import PublicService
from amtsweg.geo.models import District, Municipality

from .models import AgreementAcceptance, AgreementVersion, Offer, Subscription
from .routing_link import register_responsibilities

AGREEMENT_TEXT = """§ 1 Gegenstand
Das Land stellt der Kommune den Online-Dienst „{name}“ zur Nachnutzung bereit (Einer für Alle).

§ 2 Pflichten der Kommune
Die Kommune pflegt ihre Zuständigkeiten, ihren Zustellpunkt und ihre Gebühren aktuell und bearbeitet
eingehende Anträge in eigener Verantwortung.

§ 3 Kosten
Die jährlichen Betriebskosten werden nach dem im Angebot genannten Modell monatsgenau auf die
teilnehmenden Kommunen verteilt.

§ 4 Datenschutz
Anträge werden Ende-zu-Ende für den Zustellpunkt der Kommune verschlüsselt; das Land kann sie nicht lesen.

§ 5 Laufzeit
Die Vereinbarung gilt unbefristet und kann mit einer Frist von drei Monaten zum Monatsende beendet werden.
"""

OFFERS = [
    {"slug": "hundesteuer-online", "name": "Hundesteuer online anmelden", "kind": Offer.Kind.EFA,
     "provider_name": "Landeshauptstadt Saarbrücken", "provider_kind": Offer.ProviderKind.KOMMUNE,
     "keys": ["99102013000000"], "form_slug": "hundesteuer", "annual_cost_cents": 1_800_000,
     "cost_sharing": Offer.Sharing.POPULATION, "maturity_level": 3, "status": Offer.Status.AVAILABLE,
     "description": "Anmeldung eines Hundes zur Hundesteuer mit Nachweisen, vollständig online."},
    {"slug": "meldebescheinigung-online", "name": "Meldebescheinigung online", "kind": Offer.Kind.LAND,
     "provider_name": "Land Saarland", "provider_kind": Offer.ProviderKind.LAND,
     "keys": ["99115004001005"], "form_slug": "meldebescheinigung", "annual_cost_cents": 2_400_000,
     "cost_sharing": Offer.Sharing.EQUAL, "maturity_level": 3, "status": Offer.Status.AVAILABLE,
     "description": "Einfache Melderegisterauskunft über sich selbst, mit Online-Bezahlung der Gebühr."},
    {"slug": "bauantrag-digital", "name": "Digitaler Bauantrag (XBau)", "kind": Offer.Kind.EFA,
     "provider_name": "Land Mecklenburg-Vorpommern (EfA-Federführung)", "provider_kind": Offer.ProviderKind.LAND,
     "keys": ["99012008001000"], "form_slug": "", "annual_cost_cents": 6_000_000,
     "cost_sharing": Offer.Sharing.POPULATION, "maturity_level": 3, "status": Offer.Status.PILOT,
     "description": "Bauantrag mit Bauvorlagen; Übermittlung an das Fachverfahren als XBau-Nachricht."},
    {"slug": "gewerbeanmeldung", "name": "Gewerbeanmeldung", "kind": Offer.Kind.MARKET,
     "provider_name": "Beispiel Software GmbH", "provider_kind": Offer.ProviderKind.VENDOR,
     "keys": ["99050012104000"], "form_slug": "", "annual_cost_cents": 0, "fixed_fee_cents": 60_000,
     "cost_sharing": Offer.Sharing.FIXED, "maturity_level": 2, "status": Offer.Status.AVAILABLE,
     "description": "Marktprodukt mit Anbindung an gängige Gewerbe-Fachverfahren (XGewerbeanzeige)."},
    {"slug": "wohngeld", "name": "Wohngeld beantragen", "kind": Offer.Kind.EFA,
     "provider_name": "Land Schleswig-Holstein (EfA-Federführung)", "provider_kind": Offer.ProviderKind.LAND,
     "keys": ["99107023017001"], "form_slug": "", "annual_cost_cents": 3_000_000,
     "cost_sharing": Offer.Sharing.POPULATION, "maturity_level": 3, "status": Offer.Status.PLANNED,
     "description": "Erstantrag auf Wohngeld; Anschluss ab dem nächsten Quartal möglich."},
]

# (area ARS, offer slug, live since)
CONNECTED = [
    ("100410100100", "hundesteuer-online", date(2026, 2, 1)),
    ("100410100100", "meldebescheinigung-online", date(2026, 4, 15)),
    ("100410519519", "hundesteuer-online", date(2026, 7, 1)),
    ("10044", "bauantrag-digital", date(2026, 9, 1)),
]


def _authority(area_ars: str) -> Authority | None:
    """The demo authority of the area (created if the accounts demo did not), None without reference data."""
    existing = Authority.objects.filter(area_ars=area_ars).order_by("pk").first()
    if existing:
        return existing
    if len(area_ars) == 12:
        m = Municipality.objects.filter(ars=area_ars).first()
        return m and Authority.objects.create(name=f"Bürgeramt {m.name}", kind=Authority.Kind.MUNICIPALITY,
                                              area_ars=area_ars, municipality=m, email="buergeramt@example.org")
    d = District.objects.filter(code=area_ars).first()
    return d and Authority.objects.create(name=f"Kreisverwaltung {d.name}", kind=Authority.Kind.DISTRICT,
                                          area_ars=area_ars, district=d, email="kreis@example.org")


def _destination(authority: Authority, offer: Offer):
    """The destination where the Kommune already receives the offer's service (the routing demo's entry: an
    office may have one per service, e.g. Saarbrücken's Hundesteuer on Amtsweg-Sachbearbeitung), else its
    first. Taking the first always re-pointed such an entry to the office's general destination."""
    from amtsweg.routing.models import Destination, Responsibility

    routed = (Responsibility.objects.filter(authority=authority, area_ars=authority.area_ars,
                                            leika_key__in=offer.public_services.values("key"))
              .order_by("created_at").values_list("destination_id", flat=True).first())
    destinations = Destination.objects.filter(authority=authority)
    return ((routed and destinations.filter(pk=routed).first())
            or destinations.order_by("created_at").first())


@transaction.atomic
def load_demo(stdout) -> None:
    offers = {}
    for spec in OFFERS:
        values = {k: v for k, v in spec.items() if k not in {"slug", "keys"}}
        offer, _created = Offer.objects.update_or_create(slug=spec["slug"], defaults={**values, "land_code": "10",
                                                                                        "licence": "EUPL-1.2"})
        offer.public_services.set(PublicService.objects.filter(key__in=spec["keys"]))
        AgreementVersion.objects.get_or_create(
            offer=offer, version=1,
            defaults={"title": "Nutzungsvereinbarung", "text": AGREEMENT_TEXT.format(name=offer.name),
                      "published_on": date(2026, 1, 1)})
        offers[spec["slug"]] = offer
    connected = 0
    for area_ars, slug, since in CONNECTED:
        authority = _authority(area_ars)
        if authority is None:
            continue
        offer = offers[slug]
        destination = _destination(authority, offer)
        if Subscription.objects.filter(offer=offer, authority=authority).exists() or destination is None:
            continue
        admin = authority.staff.filter(role="kommune_admin").first()
        if admin is None:
            continue
        sub = Subscription.objects.create(
            offer=offer, authority=authority, status=Subscription.Status.LIVE, office_name=authority.name,
            contact_email=authority.email or "buergeramt@example.org", contact_phone=authority.phone,
            destination=destination, live_since=since)
        agreement = offer.current_agreement()
        AgreementAcceptance.objects.create(subscription=sub, agreement=agreement, accepted_by=admin,
                                           accepted_by_username=admin.username, agreement_sha256=agreement.sha256)
        try:
            with transaction.atomic():
                sub.responsibilities.add(*register_responsibilities(sub))
        except ValidationError as exc:  # another authority is registered for this area: keep the demo going
            stdout.write(f"Shop: {authority.name} – {offer.name}: {exc.messages[0]}\n")
        connected += 1
    stdout.write(f"Shop: {len(offers)} Angebote im Saarland, {connected} neue Anschlüsse.\n")
