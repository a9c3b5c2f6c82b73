"""Bulk onboarding of Kommunen by the Land from a CSV file (all or nothing, with a validation report).

Columns (header row required, `;` or `,` separated, UTF-8 with or without BOM or Windows-1252 as Excel saves
plain "CSV", detected; read by
:func:`amtsweg.core.importing.parse_csv` like every import; a row may end after its last filled column):

    ars;angebot;zustaendige_stelle;email;telefon;oeffnungszeiten;gebuehr_eur;zustellpunkt

`ars` is the area key of an Authority of the operator's Land, `angebot` an orderable offer's short name,
`zustellpunkt` (optional) the id of one of that Authority's destinations. A Gemeinde (12 digits) or Kreis
(5 digits) of the reference directory that has no Authority yet gets one, named as in the directory and with
the row's e-mail and phone as its contact (issue 16, item 13: the Land onboards Kommunen that have never
logged in; refusing them made bulk onboarding useless for exactly those). The Land prepares the local part;
the Kommune's administration still accepts the agreement itself and switches the service live: accepting an
agreement is a legal act of the Kommune that the Land cannot do on its behalf.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from amtsweg.accounts.models import Authority, User
from amtsweg.accounts.services import area_for_key, create_authority
from amtsweg.assistants.engine.validators import Invalid, parse_amount
from amtsweg.core import keyformats
from amtsweg.core.importing import UPLOAD, ErrorCollector, parse_csv
from amtsweg.shop.forms import LOCAL_FEE_MAX_CENTS, OPENING_HOURS_MAX_LENGTH

from .models import Offer, Subscription

REQUIRED_COLUMNS = ["ars", "angebot", "zustaendige_stelle", "email"]
OPTIONAL_COLUMNS = ["telefon", "oeffnungszeiten", "gebuehr_eur", "zustellpunkt"]
MAX_BYTES = 2 * 1024 * 1024
# The template's example row: a fictitious ARS of no Authority, so an example left in the file is refused.
EXAMPLE = {"ars": "100419999999", "angebot": "hundesteuer", "zustaendige_stelle": "Steueramt Musterstadt",
           "email": "steueramt@musterstadt.example", "telefon": "0681 123456",
           "oeffnungszeiten": "Mo–Fr 8–12 Uhr, Do 14–18 Uhr", "gebuehr_eur": "12,50", "zustellpunkt": ""}


@dataclass(frozen=True)
class RowError:
    line: int
    reason: str


@dataclass
class OnboardingReport:
    errors: list[RowError] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # e.g. the file was converted from Windows-1252
    created: int = 0
    updated: int = 0
    authorities_created: list[str] = field(default_factory=list)  # names, for the operator's message

    @property
    def ok(self) -> bool:
        return not self.errors


# The same limits as the staff form (ConfigureForm) and the model: the bulk path must not store more than
# a Kommune may type (opening hours are a TextField without a database limit).
TEXT_LIMITS = {"zustaendige_stelle": 200, "telefon": 50, "oeffnungszeiten": OPENING_HOURS_MAX_LENGTH}


def import_onboarding_csv(raw: bytes, *, user: User) -> OnboardingReport:
    """Validate every row first; write only if all rows are valid."""
    report = OnboardingReport()
    if not user.is_land_operator and not user.is_superuser:
        report.errors.append(RowError(0, _("Nur der Land-Betrieb darf Kommunen gesammelt anschließen.")))
        return report
    if len(raw) > MAX_BYTES:
        report.errors.append(RowError(0, _("Die Datei ist größer als 2 MB.")))
        return report
    read_errors = ErrorCollector()
    rows = parse_csv(raw, read_errors, name="", required=REQUIRED_COLUMNS, delimiter=None, pad_short_rows=True,
                     messages=UPLOAD, detect_encoding=True)
    report.errors.extend(RowError(e.line or 0, e.reason) for e in read_errors.errors)
    report.notes.extend(read_errors.notes)
    if not rows:
        if not report.errors:
            report.errors.append(RowError(0, _("Die Datei enthält keine Zeilen.")))
        return report
    land_code = user.authority.land_code if user.authority_id else None
    authorities = {a.area_ars: a for a in Authority.objects.filter(**({"land_code": land_code} if land_code else {}))}
    offers = {o.slug: o for o in Offer.objects.filter(**({"land_code": land_code} if land_code else {}))}
    planned: list[tuple[Authority | str, Offer, dict]] = []  # str: the ARS of an Authority still to create
    new_areas: dict[str, tuple] = {}  # ARS → accounts.services.area_for_key(...) of Authorities to create
    seen: set[tuple[str, str]] = set()
    for csv_row in rows:
        row, line_no = csv_row.values, csv_row.line
        errors = []
        ars = row.get("ars", "")
        authority = authorities.get(ars)
        if not keyformats.is_ars(ars):
            errors.append(_("ARS „%(v)s“ ist kein Regionalschlüssel (2, 3, 5, 9 oder 12 Ziffern).") % {"v": ars})
        elif authority is None and ars not in new_areas:
            try:
                new_areas[ars] = area_for_key(user, ars)
            except ValidationError as exc:
                errors.append(_("Für ARS %(v)s gibt es keine Behörde, und sie kann nicht angelegt werden: %(reason)s")
                              % {"v": ars, "reason": exc.messages[0]})
        offer = offers.get(row.get("angebot", ""))
        if offer is None:
            errors.append(_("Unbekanntes Angebot „%(v)s“.") % {"v": row.get("angebot", "")})
        elif not offer.orderable:
            errors.append(_("Angebot „%(v)s“ ist nicht bestellbar (Status: %(s)s).")
                          % {"v": offer.slug, "s": offer.get_status_display()})
        if not row.get("zustaendige_stelle"):
            errors.append(_("Zuständige Stelle fehlt."))
        for column, limit in TEXT_LIMITS.items():
            if len(row.get(column, "")) > limit:
                errors.append(_("Spalte „%(column)s“ hat mehr als %(limit)s Zeichen.")
                              % {"column": column, "limit": limit})
        try:
            validate_email(row.get("email", ""))
        except Exception:  # noqa: BLE001 - Django raises ValidationError; any failure is the same for the report
            errors.append(_("E-Mail-Adresse „%(v)s“ ist ungültig.") % {"v": row.get("email", "")})
        fee = None
        if row.get("gebuehr_eur"):
            try:
                fee = parse_amount(row["gebuehr_eur"], {"min_cents": 0, "max_cents": LOCAL_FEE_MAX_CENTS})
            except Invalid as exc:
                errors.append(_("Gebühr „%(v)s“ ist kein gültiger Euro-Betrag. %(reason)s")
                              % {"v": row["gebuehr_eur"], "reason": exc.message})
        destination = None
        if row.get("zustellpunkt"):
            from amtsweg.routing.models import Destination

            try:
                destination = Destination.objects.filter(pk=uuid.UUID(row["zustellpunkt"])).first()
            except ValueError:
                destination = None
            if destination is None or authority is None or destination.authority_id != authority.pk:
                errors.append(_("Zustellpunkt %(v)s gehört nicht zu dieser Behörde.") % {"v": row["zustellpunkt"]})
        if (authority or ars in new_areas) and offer:
            if (ars, offer.slug) in seen:
                errors.append(_("Doppelte Zeile für diese Behörde und dieses Angebot."))
            seen.add((ars, offer.slug))
        if errors:
            report.errors.extend(RowError(line_no, e) for e in errors)
            continue
        planned.append((authority or ars, offer, {
            "office_name": row["zustaendige_stelle"], "contact_email": row["email"],
            "contact_phone": row.get("telefon", ""), "opening_hours": row.get("oeffnungszeiten", ""),
            "local_fee_cents": fee, "destination": destination,
        }))
    report.errors.sort(key=lambda error: error.line)  # the reader's and the checks' errors in file order
    if report.errors:
        return report
    with transaction.atomic():
        created_authorities: dict[str, Authority] = {}
        for authority, offer, values in planned:
            if isinstance(authority, str):
                if authority not in created_authorities:
                    created_authorities[authority] = _create_authority(user, authority, new_areas[authority],
                                                                       values)
                    report.authorities_created.append(created_authorities[authority].name)
                authority = created_authorities[authority]
            sub = (Subscription.objects.select_for_update().filter(offer=offer, authority=authority)
                   .exclude(status=Subscription.Status.ENDED).first())
            if sub is None:
                Subscription.objects.create(offer=offer, authority=authority, onboarded_by_land=True, **values)
                report.created += 1
            elif sub.status != Subscription.Status.LIVE:
                for k, v in values.items():
                    setattr(sub, k, v)
                sub.onboarded_by_land = True
                sub.save()
                report.updated += 1
    return report


def _create_authority(user: User, ars: str, area: tuple, values: dict) -> Authority:
    """The Authority of a Gemeinde or Kreis of the reference directory, through the accounts use case (audited),
    named as in the directory; the row's e-mail and phone are its first contact."""
    _kind, municipality, district = area
    name = municipality.name if municipality is not None else district.name
    return create_authority(user, key=ars, name=name, email=values["contact_email"],
                            phone=values["contact_phone"])
