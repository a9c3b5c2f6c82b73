"""Import of the municipality directory from the shipped reference files (see data/reference/gemeinden/).

Two phases so that a broken file never leaves half an import behind: :func:`read_geo` reads and checks every
file and collects all row errors; :func:`write_geo` (called inside one transaction after all files of the run
were read without error) makes the tables match the files.

Files in ``<source>/gemeinden/``:
- ``gemeinden_ars_<date>.csv`` (Destatis, newest date wins): Länder, Kreise, Gemeindeverbände (keys) and
  Gemeinden incl. the city districts of Berlin/Hamburg/Bremen (``hinweis``).
- ``destatis_gv_auszug_bevoelkerung.csv`` (Destatis GV extract): names of Gemeindeverbände (satzart 50) and
  population (satzart 60), joined by ARS. Gemeinden not in the extract keep an unknown (NULL) population.
- ``zuordnung_plz_ort.csv`` (ODbL, OpenStreetMap): postcode ↔ AGS, linked to the current Gemeinde by AGS;
  rows whose AGS is unknown are kept without a Gemeinde.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from amtsweg.core import keyformats
from amtsweg.core.importing import (
    CsvRow,
    ErrorCollector,
    ImportReport,
    Progress,
    parse_int,
    read_csv,
    synchronise,
)
from amtsweg.core.keyformats import ArsLevel
from amtsweg.core.text import fold
from amtsweg.geo.models import District, Land, MunicipalAssociation, Municipality, PostcodeArea

FOLDER = "gemeinden"
ARS_PATTERN = "gemeinden_ars_*.csv"
DESTATIS_FILE = "destatis_gv_auszug_bevoelkerung.csv"
POSTCODE_FILE = "zuordnung_plz_ort.csv"
# The GV extract (4th quarter 2020) carries the population as of 31 Dec 2019 (Berlin: 3 669 491).
POPULATION_DATE = date(2019, 12, 31)
CITY_DISTRICT_NOTE = "Stadt-/Ortsteil bzw. Stadtbezirk"

ARS_COLUMNS = ["ars", "ags", "name", "hinweis", "verband_schluessel", "kreis_schluessel", "kreis_name",
               "land_schluessel", "land_name"]
DESTATIS_COLUMNS = ["satzart", "land", "rb", "kreis", "vb", "gemeinde", "gemeindename", "bevoelkerung"]
POSTCODE_COLUMNS = ["osm_id", "ags", "ort", "plz"]


def _max(model, name: str) -> int:
    return model._meta.get_field(name).max_length


@dataclass
class GeoData:
    """Everything the files say, checked and keyed by natural keys."""

    ars_file: str = ""
    lands: dict[str, str] = field(default_factory=dict)  # code → name
    districts: dict[str, tuple[str, str]] = field(default_factory=dict)  # code → (name, land code)
    associations: dict[str, str] = field(default_factory=dict)  # code → name ("" if unknown)
    municipalities: dict[str, dict] = field(default_factory=dict)  # ars → values
    population: dict[str, int | None] = field(default_factory=dict)  # ars → population
    postcodes: dict[tuple[str, str, str], int | None] = field(default_factory=dict)  # (plz, ags, ort) → osm_id
    skipped_population_rows: int = 0


class _FirstSeen:
    """Remembers where a key was first defined to report duplicates and contradictions precisely."""

    def __init__(self) -> None:
        self.seen: dict[object, tuple[int, object]] = {}

    def check(self, row: CsvRow, errors: ErrorCollector, key: object, value: object, what: str) -> bool:
        if key in self.seen:
            line, first = self.seen[key]
            if first != value:
                row.error(errors, f"{what} {key}: widerspricht Zeile {line} ({first!r} ≠ {value!r}) / "
                                  f"contradicts line {line}")
                return False
            return True
        self.seen[key] = (row.line, value)
        return True


def newest_ars_file(folder: Path) -> Path | None:
    """The ARS list with the latest date in its name (``gemeinden_ars_2026-06-30.csv``)."""
    files = sorted(folder.glob(ARS_PATTERN))
    return files[-1] if files else None


def read_geo(source: Path, errors: ErrorCollector, progress: Progress | None = None) -> GeoData:
    """Read and check the three geo files; every problem goes to ``errors``."""
    progress = progress or Progress(enabled=False)
    folder = Path(source) / FOLDER
    data = GeoData()
    ars_path = newest_ars_file(folder)
    if ars_path is None:
        errors.add(f"{FOLDER}/{ARS_PATTERN}", None, f"Datei fehlt / file missing in {folder}")
    else:
        data.ars_file = f"{FOLDER}/{ars_path.name}"
        rows = read_csv(ars_path, errors, required=ARS_COLUMNS, display_name=data.ars_file)
        progress.file_read(data.ars_file, len(rows))
        _read_ars_rows(rows, errors, data)
    name = f"{FOLDER}/{DESTATIS_FILE}"
    rows = read_csv(folder / DESTATIS_FILE, errors, required=DESTATIS_COLUMNS, display_name=name)
    progress.file_read(name, len(rows))
    _read_destatis_rows(rows, errors, data)
    name = f"{FOLDER}/{POSTCODE_FILE}"
    rows = read_csv(folder / POSTCODE_FILE, errors, required=POSTCODE_COLUMNS, display_name=name)
    progress.file_read(name, len(rows))
    _read_postcode_rows(rows, errors, data)
    return data


def _read_ars_rows(rows: list[CsvRow], errors: ErrorCollector, data: GeoData) -> None:
    land_names, district_names = _FirstSeen(), _FirstSeen()
    first_line: dict[str, int] = {}
    name_max = _max(Municipality, "name")
    for row in rows:
        ars, ags, name = row["ars"], row["ags"], row["name"]
        land_code, district_code, association_code = (
            row["land_schluessel"], row["kreis_schluessel"], row["verband_schluessel"])
        problems = []
        if not keyformats.is_municipality_ars(ars):
            problems.append(f"ARS muss 12 Ziffern haben / ARS must be 12 digits: {ars!r}")
        elif ars in first_line:
            problems.append(f"ARS {ars} doppelt, zuerst in Zeile {first_line[ars]} / "
                            f"duplicate ARS, first in line {first_line[ars]}")
        else:
            if not keyformats.is_municipality_ags(ags):
                problems.append(f"AGS muss 8 Ziffern haben / AGS must be 8 digits: {ags!r}")
            elif ags != keyformats.ags_from_ars(ars):
                problems.append(f"AGS {ags} passt nicht zum ARS {ars} / AGS does not match the ARS")
            if (land_code, district_code, association_code) != (
                    ars[:ArsLevel.LAND], ars[:ArsLevel.KREIS], ars[:ArsLevel.GEMEINDEVERBAND]):
                problems.append("Land-, Kreis- oder Verbandsschlüssel passt nicht zum ARS / "
                                f"Land, Kreis or Verband key does not match the ARS {ars}")
            elif land_code not in keyformats.LAND_CODES:
                problems.append(f"unbekannter Landesschlüssel / unknown Land key: {land_code!r}")
        if not name:
            problems.append("Name fehlt / name missing")
        elif len(name) > name_max:
            problems.append(f"Name länger als {name_max} Zeichen / name longer than {name_max} characters")
        if not row["land_name"]:
            problems.append("Landesname fehlt / Land name missing")
        if problems:
            row.error(errors, "; ".join(problems))
            continue
        first_line[ars] = row.line
        if not land_names.check(row, errors, land_code, row["land_name"], "Land"):
            continue
        kreis_name = row["kreis_name"]
        if kreis_name and not district_names.check(row, errors, district_code, kreis_name, "Kreis"):
            continue
        data.lands[land_code] = row["land_name"]
        if kreis_name:
            data.districts[district_code] = (kreis_name, land_code)
        data.associations.setdefault(association_code, "")
        hinweis = row["hinweis"]
        data.municipalities[ars] = {
            "ags": ags,
            "name": name,
            "note": hinweis,
            "is_city_district": hinweis == CITY_DISTRICT_NOTE,
        }


def _read_destatis_rows(rows: list[CsvRow], errors: ErrorCollector, data: GeoData) -> None:
    seen: dict[str, int] = {}
    name_max = _max(MunicipalAssociation, "name")
    for row in rows:
        kind = row["satzart"]
        if kind not in ("50", "60"):
            continue  # Land, Regierungsbezirk, Kreis: names come from the newer ARS list
        key = row["land"] + row["rb"] + row["kreis"] + row["vb"] + (row["gemeinde"] if kind == "60" else "")
        length = ArsLevel.GEMEINDE if kind == "60" else ArsLevel.GEMEINDEVERBAND
        if keyformats.ars_level(key) is not length:
            row.error(errors, f"Schlüssel (land+rb+kreis+vb{'+gemeinde' if kind == '60' else ''}) muss {length} "
                              f"Ziffern haben / key must be {length} digits: {key!r}")
            continue
        if (kind, key) in seen:
            row.error(errors, f"Schlüssel {key} doppelt, zuerst in Zeile {seen[kind, key]} / duplicate key")
            continue
        seen[kind, key] = row.line
        if kind == "50":
            name = row["gemeindename"]
            if len(name) > name_max:
                row.error(errors, f"Name länger als {name_max} Zeichen / name longer than {name_max} characters")
            elif key in data.associations:
                data.associations[key] = name
            continue
        try:
            population = parse_int(row["bevoelkerung"])
        except ValueError:
            row.error(errors, f"Einwohnerzahl ist keine Zahl / population is not a number: {row['bevoelkerung']!r}")
            continue
        if key in data.municipalities:
            data.population[key] = population
        else:
            data.skipped_population_rows += 1  # merged or renamed since the extract's date


def _read_postcode_rows(rows: list[CsvRow], errors: ErrorCollector, data: GeoData) -> None:
    seen: dict[tuple[str, str, str], int] = {}
    place_max = _max(PostcodeArea, "place_name")
    for row in rows:
        postcode, ags, place, osm_id = row["plz"], row["ags"], row["ort"], row["osm_id"]
        problems = []
        if not keyformats.is_postcode(postcode):
            problems.append(f"Postleitzahl muss 5 Ziffern haben, nicht mit 00 beginnend / postcode must be 5 "
                            f"digits, not beginning with 00: {postcode!r}")
        if not keyformats.is_municipality_ags(ags):
            problems.append(f"AGS muss 8 Ziffern haben / AGS must be 8 digits: {ags!r}")
        if not place:
            problems.append("Ort fehlt / place name missing")
        elif len(place) > place_max:
            problems.append(f"Ort länger als {place_max} Zeichen / place name longer than {place_max} characters")
        if osm_id and not (osm_id.isascii() and osm_id.isdigit()):
            problems.append(f"OSM-ID ist keine Zahl / OSM id is not a number: {osm_id!r}")
        key = (postcode, ags, place)
        if not problems and key in seen:
            problems.append(f"Zeile doppelt, zuerst in Zeile {seen[key]} / duplicate row, first in line {seen[key]}")
        if problems:
            row.error(errors, "; ".join(problems))
            continue
        seen[key] = row.line
        data.postcodes[key] = int(osm_id) if osm_id else None


def write_geo(data: GeoData, report: ImportReport, today: date, progress: Progress | None = None) -> None:
    """Make the geo tables match ``data``. Call inside ``transaction.atomic()`` after :func:`read_geo`."""
    progress = progress or Progress(enabled=False)
    changes, land_ids = synchronise(
        Land, key="code", rows={code: {"code": code, "name": name} for code, name in data.lands.items()},
        fields=["name"], today=today, entity="Länder",
    )
    report.add(changes)
    changes, district_ids = synchronise(
        District, key="code",
        rows={code: {"code": code, "name": name, "land_id": land_ids[land]}
              for code, (name, land) in data.districts.items()},
        fields=["name", "land_id"], today=today, entity="Kreise",
    )
    report.add(changes)
    changes, association_ids = synchronise(
        MunicipalAssociation, key="code",
        rows={code: {"code": code, "name": name, "land_id": land_ids[code[:2]],
                     "district_id": district_ids.get(code[:5])}
              for code, name in data.associations.items()},
        fields=["name", "land_id", "district_id"], today=today, entity="Gemeindeverbände",
    )
    report.add(changes)
    progress.step(f"Länder, Kreise, Gemeindeverbände: {len(data.associations)} Verbände geschrieben / written")
    rows = {}
    for ars, values in data.municipalities.items():
        population = data.population.get(ars)
        rows[ars] = {
            **values,
            "ars": ars,
            "name_folded": fold(values["name"]),
            "land_id": land_ids[ars[:2]],
            "district_id": district_ids.get(ars[:5]),
            "association_id": association_ids[ars[:9]],
            "population": population,
            "population_date": POPULATION_DATE if population is not None else None,
        }
    changes, municipality_ids = synchronise(
        Municipality, key="ars", rows=rows,
        fields=["ags", "name", "name_folded", "note", "is_city_district", "land_id", "district_id",
                "association_id", "population", "population_date"],
        today=today, entity="Gemeinden",
    )
    report.add(changes)
    progress.step(f"Gemeinden: {len(rows)} geschrieben / written")
    ags_ids = {data.municipalities[ars]["ags"]: pk for ars, pk in municipality_ids.items()}
    changes, _ = synchronise(
        PostcodeArea, key=lambda p: (p["postcode"], p["ags"], p["place_name"]),
        key_fields=["postcode", "ags", "place_name"],
        rows={(plz, ags, place): {"postcode": plz, "ags": ags, "place_name": place, "osm_id": osm_id,
                                  "municipality_id": ags_ids.get(ags)}
              for (plz, ags, place), osm_id in data.postcodes.items()},
        fields=["osm_id", "municipality_id"], today=today, entity="Postleitzahlgebiete (ODbL)",
    )
    report.add(changes)
    progress.step(f"Postleitzahlgebiete: {len(data.postcodes)} geschrieben / written")
    without_population = sum(1 for ars in data.municipalities if data.population.get(ars) is None)
    unknown_ags = sum(1 for (_, ags, _) in data.postcodes if ags not in ags_ids)
    report.notes.append(
        f"Einwohnerzahl unbekannt (nicht im Destatis-Auszug) für {without_population} Gemeinden; "
        f"{data.skipped_population_rows} Auszugszeilen ohne heutige Gemeinde übersprungen. / "
        f"Population unknown (not in the Destatis extract) for {without_population} Gemeinden; "
        f"{data.skipped_population_rows} extract rows without a current Gemeinde skipped."
    )
    report.notes.append(
        f"{unknown_ags} PLZ-Zeilen mit unbekanntem AGS ohne Gemeinde übernommen. / "
        f"{unknown_ags} postcode rows with an unknown AGS kept without a Gemeinde."
    )
