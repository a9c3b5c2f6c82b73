"""Demo data: Saarland destinations with real 4096-bit key pairs, and responsibilities for the three demo
services at Land, Kreis and Gemeinde level.

    Hundesteuer (99102013000000)       Land default + own entries of Saarbrücken and Völklingen
    Meldebescheinigung (99115004001005) Land default + Saarbrücken
    Baugenehmigung (99012008001000)     Land default + Regionalverband Saarbrücken (Kreis) + Saarbrücken

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
from amtsweg.routing import services
from amtsweg.routing.models import Destination, Responsibility

HUNDESTEUER = "99102013000000"
MELDEBESCHEINIGUNG = "99115004001005"
BAUGENEHMIGUNG = "99012008001000"
NAMESPACE = uuid.UUID("6f0c8a52-5d1e-4c55-9a61-0c1f5b0d7a10")

AUTHORITIES = [
    # key, kind, area, name, contact
    ("land", Authority.Kind.LAND, "10", "Landesverwaltungsamt Saarland – Zentrale Antragsstelle",
     {"email": "antraege@lva.saarland.example", "phone": "0681 501-00", "street": "Hochstraße 67",
      "postcode": "66115", "city": "Saarbrücken"}),
    ("kreis", Authority.Kind.DISTRICT, "10041", "Regionalverband Saarbrücken – Untere Bauaufsicht",
     {"email": "bauaufsicht@rvsbr.example", "phone": "0681 506-0", "street": "Schloßplatz 1",
      "postcode": "66119", "city": "Saarbrücken"}),
    ("sb", Authority.Kind.MUNICIPALITY, "100410100100", "Landeshauptstadt Saarbrücken – Bürgeramt",
     {"email": "buergeramt@saarbruecken.example", "phone": "0681 905-0", "street": "Rathausplatz 1",
      "postcode": "66111", "city": "Saarbrücken", "opening_hours": "Mo–Fr 8–12 Uhr, Do 14–18 Uhr"}),
    ("vk", Authority.Kind.MUNICIPALITY, "100410519519", "Stadt Völklingen – Bürgerbüro",
     {"email": "buergerbuero@voelklingen.example", "phone": "06898 13-0", "street": "Hindenburgplatz 1",
      "postcode": "66333", "city": "Völklingen", "opening_hours": "Mo–Fr 8–12 Uhr"}),
]

DESTINATIONS = {
    "land": ("Zentraler Zustellpunkt Saarland", ["pull", "email"]),
    "kreis": ("Bauaufsicht Regionalverband", ["pull"]),
    "sb": ("Bürgeramt Saarbrücken", ["pull", "email"]),
    "vk": ("Bürgerbüro Völklingen", ["pull"]),
}

RESPONSIBILITIES = [
    (HUNDESTEUER, "10", "land"),
    (HUNDESTEUER, "100410100100", "sb"),
    (HUNDESTEUER, "100410519519", "vk"),
    (MELDEBESCHEINIGUNG, "10", "land"),
    (MELDEBESCHEINIGUNG, "100410100100", "sb"),
    (BAUGENEHMIGUNG, "10", "land"),
    (BAUGENEHMIGUNG, "10041", "kreis"),
    (BAUGENEHMIGUNG, "100410100100", "sb"),
]


def keys_dir() -> Path:
    path = Path(settings.VAR_DIR) / "demo-keys"
    path.mkdir(parents=True, exist_ok=True)
    path.chmod(0o700)
    return path


def _authority(kind: str, area: str, name: str, contact: dict) -> Authority:
    from amtsweg.geo.models import District, Land, Municipality

    authority = Authority.objects.filter(kind=kind, area_ars=area).order_by("pk").first()
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
    return private, public


def _write_private(destination: Destination, purpose: str, private: dict) -> Path:
    folder = keys_dir() / str(destination.pk)
    folder.mkdir(exist_ok=True)
    path = folder / f"{purpose}-private.jwk.json"
    path.write_text(json.dumps(private, indent=2))
    path.chmod(0o600)
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
        )
        destination = created.destination
        _write_private(destination, "encryption", enc_private)
        _write_private(destination, "signature", sig_private)
        stdout.write(f"Zustellpunkt angelegt: {name} ({destination.pk})")
        return destination
    for purpose in ("encryption", "signature"):
        path = keys_dir() / str(destination.pk) / f"{purpose}-private.jwk.json"
        if not path.exists():
            kid = f"demo-{slug}-{purpose[:3]}-{uuid.uuid4().hex[:8]}"
            private, public = _new_keypair(purpose, kid)
            services.add_key(destination, public, purpose, grace_days=0)
            _write_private(destination, purpose, private)
            stdout.write(f"Neuer {purpose}-Schlüssel für {name} (private Datei fehlte)")
    return destination


def load_demo(stdout) -> None:
    authorities = {slug: _authority(kind, area, name, contact) for slug, kind, area, name, contact in AUTHORITIES}
    destinations = {slug: _destination(slug, authorities[slug], stdout) for slug in DESTINATIONS}
    added = 0
    for key, area, slug in RESPONSIBILITIES:
        if not Responsibility.objects.filter(leika_key=key, area_ars=area).exists():
            services.add_responsibility(key, area, authorities[slug], destinations[slug])
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
    stdout.write(f"Routing-Demo: {len(destinations)} Zustellpunkte, {added} neue Zuständigkeiten "
                 f"(private Schlüssel in {keys_dir()}).")
