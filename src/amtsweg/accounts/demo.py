"""Demo tenants for the Saarland: a Land office with its operator, two Kommunen and a Kreis, each with an
administrator and a staff account.

Passwords are generated per installation, stored only as hashes and printed once, when the account is
created; administrators and the Land operator also get a TOTP device whose otpauth URI is printed once
(paste it into an authenticator app, or scan it as a QR code). Running it again changes nothing and prints
no secrets. E-mail addresses use the reserved `.example` domain so that a demo never mails a real office.
Needs the reference data (`amtsweg import-reference`) first.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.management.base import CommandError
from django.db import transaction
from django_otp.plugins.otp_totp.models import TOTPDevice

from amtsweg.accounts.models import Authority, User
from amtsweg.accounts.otp import DEVICE_NAME, otpauth_uri
from amtsweg.accounts.services import generate_password
from amtsweg.geo.models import District, Land, Municipality

LAND_CODE = "10"


@dataclass(frozen=True)
class DemoAuthority:
    prefix: str
    kind: str
    key: str
    name: str
    contact: dict = field(default_factory=dict)


AUTHORITIES = [
    DemoAuthority("saarland", Authority.Kind.LAND, LAND_CODE, "IT-Dienstleistungszentrum Saarland – Amtsweg-Betrieb", {
        "street": "Virchowstraße 7", "postcode": "66119", "city": "Saarbrücken", "phone": "0681 501-00",
        "email": "amtsweg-betrieb@saarland.example", "website": "https://www.saarland.de",
        "opening_hours": "Service-Telefon für Kommunen: Mo–Fr 8–16 Uhr",
    }),
    DemoAuthority("sb", Authority.Kind.MUNICIPALITY, "100410100100", "Bürgeramt Saarbrücken", {
        "street": "Rathausplatz 1", "postcode": "66111", "city": "Saarbrücken", "phone": "0681 905-0",
        "email": "buergeramt@saarbruecken.example", "website": "https://www.saarbruecken.de",
        "opening_hours": "Mo, Di, Mi 8–16 Uhr\nDo 8–18 Uhr\nFr 8–12 Uhr",
    }),
    DemoAuthority("vk", Authority.Kind.MUNICIPALITY, "100410519519", "Bürgerbüro Völklingen", {
        "street": "Hindenburgplatz 1", "postcode": "66333", "city": "Völklingen", "phone": "06898 13-0",
        "email": "buergerbuero@voelklingen.example", "website": "https://www.voelklingen.de",
        "opening_hours": "Mo–Fr 8–12 Uhr\nDo 14–18 Uhr",
    }),
    DemoAuthority("sls", Authority.Kind.DISTRICT, "10044", "Landkreis Saarlouis – Kreisverwaltung", {
        "street": "Kaiser-Wilhelm-Straße 4–6", "postcode": "66740", "city": "Saarlouis", "phone": "06831 444-0",
        "email": "info@kreis-saarlouis.example", "website": "https://www.kreis-saarlouis.de",
        "opening_hours": "Mo–Fr 8–12 Uhr\nDo 13–17 Uhr",
    }),
]


def _authority(spec: DemoAuthority) -> tuple[Authority, bool]:
    links: dict = {"municipality": None, "district": None, "land": None}
    try:
        if spec.kind == Authority.Kind.MUNICIPALITY:
            links["municipality"] = Municipality.objects.get(ars=spec.key)
        elif spec.kind == Authority.Kind.DISTRICT:
            links["district"] = District.objects.get(code=spec.key)
        else:
            links["land"] = Land.objects.get(code=spec.key)
    except (Municipality.DoesNotExist, District.DoesNotExist, Land.DoesNotExist) as missing:
        raise CommandError(
            f"Schlüssel {spec.key} fehlt in den Referenzdaten: bitte zuerst `amtsweg import-reference` ausführen."
        ) from missing
    authority = Authority.objects.filter(kind=spec.kind, area_ars=spec.key, name=spec.name).first()
    if authority is not None:
        return authority, False
    authority = Authority.objects.create(name=spec.name, kind=spec.kind, area_ars=spec.key, **links, **spec.contact)
    return authority, True


def _say(stdout, line: str) -> None:
    stdout.write(line if line.endswith("\n") else line + "\n")  # works with plain streams and OutputWrapper


def _account(stdout, authority: Authority, username: str, role: str, first: str, last: str) -> User:
    user = User.objects.filter(username=username).first()
    if user is not None:
        return user
    password = generate_password()
    user = User(username=username, role=role, authority=authority, first_name=first, last_name=last,
                email=f"{username}@{authority.email.split('@')[-1] if authority.email else 'amtsweg.example'}")
    user.set_password(password)
    user.save()
    _say(stdout, f"  Konto {username} ({user.get_role_display()}, {authority.name}): Passwort {password}")
    if user.requires_totp:
        device = TOTPDevice.objects.create(user=user, name=DEVICE_NAME, confirmed=True)
        _say(stdout, f"    TOTP für {username}: {otpauth_uri(device)}")
    return user


@transaction.atomic
def load_demo(stdout) -> None:
    """Create the demo Authorities and accounts (idempotent; secrets are printed only when created)."""
    _say(stdout, "Behörden und Konten (Saarland):")
    created_any = False
    for spec in AUTHORITIES:
        authority, created = _authority(spec)
        created_any |= created
        if spec.kind == Authority.Kind.LAND:
            accounts = [(f"{spec.prefix}.betrieb", User.Role.LAND_OPERATOR, "Lena", "Becker")]
        else:
            accounts = [
                (f"{spec.prefix}.admin", User.Role.KOMMUNE_ADMIN, "Anna", "Schmitt"),
                (f"{spec.prefix}.sachbearbeitung", User.Role.KOMMUNE_STAFF, "Jonas", "Müller"),
            ]
        for username, role, first, last in accounts:
            existed = User.objects.filter(username=username).exists()
            _account(stdout, authority, username, role, first, last)
            created_any |= not existed
    if created_any:
        _say(stdout, "  Die Passwörter und TOTP-Schlüssel werden nur jetzt angezeigt und nicht gespeichert. "
                     "Anmeldung: /konto/anmelden/")
    else:
        _say(stdout, "  bereits vorhanden (Passwörter unverändert).")
