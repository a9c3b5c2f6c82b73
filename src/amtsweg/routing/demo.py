"""Demo data: Saarland destinations with real 4096-bit key pairs, and responsibilities for the three demo
services at Land, Kreis and Gemeinde level.

    Hundesteuer (99102013000000)       Land default + own entries of Saarbrücken and Völklingen
    Meldebescheinigung (99115004001005) Land default + Saarbrücken
    Baugenehmigung (99012008001000)     Land default + Regionalverband Saarbrücken and Landkreis Saarlouis
                                        (Kreise) + Saarbrücken

The Land-level entries are the fallback for every Gemeinde that has not connected itself: Homburg (66424),
Merzig or Saarlouis have no entry of their own, so their Hundesteuer goes to the Land's office, while
Saarbrücken (66111) and Völklingen (66333) receive their own (tests/test_citizen_journey.py walks both). This is
a demo assumption, said plainly: in the Saarland a Gemeinde levies the Hundesteuer itself; the demo's
"Zentrale Antragsstelle" stands for a Land-run central intake that takes applications for Gemeinden without
their own online access (as EfA services do) and forwards them.

Land-level entries go to the Landesverwaltungsamt, an Authority of its own, found by name: the accounts demo's
first Land authority is the platform operator (IT-Dienstleistungszentrum), which answers for the platform, not
for citizens' applications. Kreise and Gemeinden reuse the accounts demo's authority of their area (the shop
demo connects an area through that authority's first destination), or create it under the same name.

The private keys are written to var/demo-keys/ (never committed) for the reference client:
var/demo-keys/destinations.json lists every demo destination with the files of its private JWKs.
Idempotent: existing destinations are kept; a destination whose private key file went missing gets a new
key (rotation), so the files always match what the routing API publishes.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path

from django.conf import settings
from joserfc.jwk import RSAKey

from amtsweg.accounts.models import Authority
from amtsweg.core import files, pki, platform_keys
from amtsweg.core.actors import SYSTEM
from amtsweg.routing import services
from amtsweg.routing.models import Destination, Responsibility, ResponsibilityChange

HUNDESTEUER = "99102013000000"
MELDEBESCHEINIGUNG = "99115004001005"
BAUGENEHMIGUNG = "99012008001000"
NAMESPACE = uuid.UUID("6f0c8a52-5d1e-4c55-9a61-0c1f5b0d7a10")

LAND_OFFICE = "Landesverwaltungsamt Saarland – Zentrale Antragsstelle"

AUTHORITIES = [
    # key, kind, area, name, contact. Names of Kreise and Gemeinden as in the accounts demo, so that either
    # demo finds the other's authority; the Land office is looked up by its name (see `_authority`).
    ("land", Authority.Kind.LAND, "10", LAND_OFFICE,
     {"email": "antraege@lvwa.saarland.example", "phone": "0681 9712-0", "street": "Hochstraße 67",
      "postcode": "66115", "city": "Saarbrücken", "website": "https://www.saarland.de",
      "opening_hours": "Mo–Do 8–15.30 Uhr\nFr 8–12 Uhr"}),
    ("kreis", Authority.Kind.DISTRICT, "10041", "Regionalverband Saarbrücken – Untere Bauaufsicht",
     {"email": "bauaufsicht@rvsbr.example", "phone": "0681 506-0", "street": "Schloßplatz 1",
      "postcode": "66119", "city": "Saarbrücken", "website": "https://www.regionalverband-saarbruecken.de",
      "opening_hours": "Mo–Fr 8.30–12 Uhr\nDo 14–17 Uhr"}),
    ("sls", Authority.Kind.DISTRICT, "10044", "Landkreis Saarlouis – Kreisverwaltung",
     {"email": "info@kreis-saarlouis.example", "phone": "06831 444-0", "street": "Kaiser-Wilhelm-Straße 4–6",
      "postcode": "66740", "city": "Saarlouis", "website": "https://www.kreis-saarlouis.de",
      "opening_hours": "Mo–Fr 8–12 Uhr\nDo 13–17 Uhr"}),
    ("sb", Authority.Kind.MUNICIPALITY, "100410100100", "Bürgeramt Saarbrücken",
     {"email": "buergeramt@saarbruecken.example", "phone": "0681 905-0", "street": "Rathausplatz 1",
      "postcode": "66111", "city": "Saarbrücken", "website": "https://www.saarbruecken.de",
      "opening_hours": "Mo, Di, Mi 8–16 Uhr\nDo 8–18 Uhr\nFr 8–12 Uhr"}),
    ("vk", Authority.Kind.MUNICIPALITY, "100410519519", "Bürgerbüro Völklingen",
     {"email": "buergerbuero@voelklingen.example", "phone": "06898 13-0", "street": "Hindenburgplatz 1",
      "postcode": "66333", "city": "Völklingen", "website": "https://www.voelklingen.de",
      "opening_hours": "Mo–Fr 8–12 Uhr\nDo 14–18 Uhr"}),
]

DESTINATIONS = {
    "land": ("Zentraler Zustellpunkt Saarland", ["pull", "email"]),
    "kreis": ("Bauaufsicht Regionalverband", ["pull"]),
    "sls": ("Bauaufsicht Kreis Saarlouis", ["pull"]),
    "sb": ("Bürgeramt Saarbrücken", ["pull", "email"]),
    "vk": ("Bürgerbüro Völklingen", ["pull"]),
    # Saarbrücken's Hundesteuer has a destination of its own, which the casework demo puts on
    # Amtsweg-Sachbearbeitung (its Team Hundesteuer works the cases there), while the Meldebescheinigung and the
    # Baugenehmigung stay with the Bürgeramt's Fachverfahren (the reference client, tests/test_end_to_end.py).
    "sb-hundesteuer": ("Bürgeramt Saarbrücken – Hundesteuer", ["pull"]),
}
# The authority of a destination whose key is not an authority's key (several destinations of one office).
DESTINATION_AUTHORITY = {"sb-hundesteuer": "sb"}
SB_HUNDESTEUER_DESTINATION = DESTINATIONS["sb-hundesteuer"][0]

RESPONSIBILITIES = [
    (HUNDESTEUER, "10", "land"),
    (HUNDESTEUER, "100410100100", "sb-hundesteuer"),
    (HUNDESTEUER, "100410519519", "vk"),
    (MELDEBESCHEINIGUNG, "10", "land"),
    (MELDEBESCHEINIGUNG, "100410100100", "sb"),
    (BAUGENEHMIGUNG, "10", "land"),
    (BAUGENEHMIGUNG, "10041", "kreis"),
    (BAUGENEHMIGUNG, "10044", "sls"),
    (BAUGENEHMIGUNG, "100410100100", "sb"),
]


def keys_dir() -> Path:
    path = Path(settings.VAR_DIR) / "demo-keys"
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _authority(kind: str, area: str, name: str, contact: dict) -> Authority:
    """The demo office of an area. A Land has several authorities of kind "land" (the accounts demo's first
    one runs the platform), so the Land office is found by its name; for a Kreis or a Gemeinde the area's
    first authority is the office, whatever it is called."""
    from amtsweg.geo.models import District, Land, Municipality

    offices = Authority.objects.filter(kind=kind, area_ars=area)
    if kind == Authority.Kind.LAND:
        offices = offices.filter(name=name)
    authority = offices.order_by("pk").first()
    if authority is not None:
        return authority
    links = {}
    if kind == Authority.Kind.MUNICIPALITY:
        links["municipality"] = Municipality.objects.filter(ars=area).first()
    elif kind == Authority.Kind.DISTRICT:
        links["district"] = District.objects.filter(code=area).first()
    else:
        links["land"] = Land.objects.filter(code=area).first()
    return Authority.objects.create(kind=kind, area_ars=area, name=name, **contact, **links)


def _new_keypair(purpose: str, kid: str) -> tuple[dict, dict]:
    """(private JWK for the file, public JWK for the platform)."""
    alg, ops = ("RSA-OAEP-256", ["wrapKey"]) if purpose == "encryption" else ("PS512", ["verify"])
    key = RSAKey.generate_key(4096, private=True)
    private = key.as_dict(private=True) | {"kid": kid, "alg": alg}
    public = key.as_dict(private=False) | {"kid": kid, "alg": alg, "key_ops": ops}
    # The certificate chain FIT-Connect requires on every published key, from the demo PKI (var/pki/).
    public["x5c"] = pki.issue_x5c(key.public_key, f"Demo-Zustellpunkt {kid}", purpose=purpose)
    return private, public


def _write_private(destination: Destination, purpose: str, private: dict) -> Path:
    folder = keys_dir() / str(destination.pk)
    folder.mkdir(exist_ok=True)
    path = folder / f"{purpose}-private.jwk.json"
    files.write_private(path, json.dumps(private, indent=2))
    return path


def _destination(slug: str, authority: Authority, stdout) -> Destination:
    name, channels = DESTINATIONS[slug]
    destination_id = uuid.uuid5(NAMESPACE, slug)
    destination = Destination.objects.filter(pk=destination_id).first()
    if destination is None:
        enc_kid, sig_kid = f"demo-{slug}-enc-1", f"demo-{slug}-sig-1"
        enc_private, enc_public = _new_keypair("encryption", enc_kid)
        sig_private, sig_public = _new_keypair("signature", sig_kid)
        created = services.create_destination(
            authority, name=name, channels=channels, encryption_jwk=enc_public, signature_jwk=sig_public,
            notification_email=authority.email if "email" in channels else "", destination_id=destination_id,
            actor=SYSTEM,
        )
        destination = created.destination
        _write_private(destination, "encryption", enc_private)
        _write_private(destination, "signature", sig_private)
        stdout.write(f"Zustellpunkt angelegt: {name} ({destination.pk})")
        return destination
    if destination.authority_id != authority.pk:
        _hand_over(destination, authority, stdout)
    for purpose in ("encryption", "signature"):
        path = keys_dir() / str(destination.pk) / f"{purpose}-private.jwk.json"
        if not path.exists():
            kid = f"demo-{slug}-{purpose[:3]}-{uuid.uuid4().hex[:8]}"
            private, public = _new_keypair(purpose, kid)
            services.add_key(destination, public, purpose, grace_days=0, actor=SYSTEM)
            _write_private(destination, purpose, private)
            stdout.write(f"Neuer {purpose}-Schlüssel für {name} (private Datei fehlte)")
    return destination


def _hand_over(destination: Destination, authority: Authority, stdout) -> None:
    """Repair an earlier demo that gave the Land's destination (and the Land-level entries routed to it) to
    the platform operator: the office of the same kind and area takes them over, keys stay as they are."""
    previous = destination.authority
    if (previous.kind, previous.area_ars) != (authority.kind, authority.area_ars):
        return  # not the same office under another name: leave a destination someone moved alone
    destination.authority = authority
    if destination.notification_email and destination.notification_email == previous.email:
        destination.notification_email = authority.email
    destination.save(update_fields=["authority", "notification_email", "updated_at"])
    for responsibility in Responsibility.objects.filter(destination=destination, authority=previous):
        responsibility.authority = authority
        responsibility.save(update_fields=["authority", "updated_at"])
        ResponsibilityChange.record(ResponsibilityChange.Action.CHANGED, responsibility, SYSTEM)
    stdout.write(f"Zustellpunkt {destination.name}: jetzt bei {authority.name} statt {previous.name}")


# Fictitious SEPA creditor identifiers (valid check digits, national part made up) of the offices that collect
# the Hundesteuer by direct debit: the form's mandate names the payee and its Gläubiger-ID.
CREDITOR_IDS = {"land": "DE57ZZZ00000010001", "sb": "DE80ZZZ00000410100", "vk": "DE19ZZZ00000410519"}


def load_demo(stdout) -> None:
    authorities = {slug: _authority(kind, area, name, contact) for slug, kind, area, name, contact in AUTHORITIES}
    for slug, creditor_id in CREDITOR_IDS.items():
        if not authorities[slug].sepa_creditor_id:  # never overwrite what an administrator entered
            authorities[slug].sepa_creditor_id = creditor_id
            authorities[slug].save(update_fields=["sepa_creditor_id"])
    destinations = {slug: _destination(slug, authorities[DESTINATION_AUTHORITY.get(slug, slug)], stdout)
                    for slug in DESTINATIONS}
    added = 0
    for key, area, slug in RESPONSIBILITIES:
        if not Responsibility.objects.filter(leika_key=key, area_ars=area).exists():
            services.add_responsibility(key, area, destinations[slug].authority, destinations[slug], actor=SYSTEM)
            added += 1
    index = [
        {
            "destinationId": str(d.pk),
            "name": d.name,
            "authority": d.authority.name,
            "encryptionKid": (d.active_encryption_key().kid if d.active_encryption_key() else None),
            "encryptionPrivateKey": str(keys_dir() / str(d.pk) / "encryption-private.jwk.json"),
            "signaturePrivateKey": str(keys_dir() / str(d.pk) / "signature-private.jwk.json"),
        }
        for d in destinations.values()
    ]
    (keys_dir() / "destinations.json").write_text(json.dumps(index, indent=2, ensure_ascii=False))
    # The platform key's certificate from the demo PKI, issued at set-up rather than on the first JWKS request.
    platform_keys.public_jwks()
    stdout.write(f"Routing-Demo: {len(destinations)} Zustellpunkte, {added} neue Zuständigkeiten "
                 f"(private Schlüssel in {keys_dir()}).")
