"""Small geo reference files (real rows, trimmed) for the import tests of geo and catalogue."""

import csv
from pathlib import Path

from amtsweg.geo import importer

ARS_NAME = "gemeinden_ars_2026-06-30.csv"
ARS_FILE = f"gemeinden/{ARS_NAME}"
DESTATIS_FILE = "gemeinden/destatis_gv_auszug_bevoelkerung.csv"
PLZ_FILE = "gemeinden/zuordnung_plz_ort.csv"
DESTATIS_HEADER = ["satzart", "textkennzeichen", "land", "rb", "kreis", "vb", "gemeinde", "gemeindename",
                   "flaeche", "bevoelkerung"]


def ars_row(ars: str, name: str, kreis_name="Regionalverband Saarbrücken", land_name="Saarland", hinweis=""):
    return {"ars": ars, "ags": ars[:5] + ars[9:], "name": name, "hinweis": hinweis, "verband_schluessel": ars[:9],
            "kreis_schluessel": ars[:5], "kreis_name": kreis_name, "land_schluessel": ars[:2], "land_name": land_name}


def destatis_row(kind: str, key: str, name: str, population: str = ""):
    return {"satzart": kind, "textkennzeichen": kind, "land": key[:2], "rb": key[2:3], "kreis": key[3:5],
            "vb": key[5:9], "gemeinde": key[9:12], "gemeindename": name, "flaeche": "", "bevoelkerung": population}


def base_files() -> dict[str, list[dict]]:
    return {
        ARS_NAME: [
            ars_row("100410100100", "Saarbrücken, Landeshauptstadt"),
            ars_row("100410519519", "Völklingen, Stadt"),
            ars_row("100410511511", "Friedrichsthal, Stadt"),
            ars_row("021010101101", "Hamburg-Altstadt, OT 101", kreis_name="Hamburg-Altstadt", land_name="Hamburg",
                    hinweis=importer.CITY_DISTRICT_NOTE),
        ],
        "destatis_gv_auszug_bevoelkerung.csv": [
            {**destatis_row("10", "10", "Saarland"), "rb": "", "kreis": "", "vb": "", "gemeinde": ""},
            destatis_row("50", "100410100", "Saarbrücken, Landeshauptstadt"),
            destatis_row("60", "100410100100", "Saarbrücken, Landeshauptstadt", " 180 374"),
            destatis_row("50", "100410519", "Völklingen, Stadt"),
            destatis_row("60", "100410519519", "Völklingen, Stadt", " 39 812"),
            destatis_row("60", "100410999999", "Aufgelöste Gemeinde", "  1 234"),  # merged since: skipped
            destatis_row("60", "021010101101", "Hamburg-Altstadt", "  2 547"),
        ],
        "zuordnung_plz_ort.csv": [
            {"osm_id": "1187159", "ags": "10041100", "ort": "Saarbrücken", "plz": "66111"},
            {"osm_id": "1184868", "ags": "10041519", "ort": "Völklingen", "plz": "66333"},
            {"osm_id": "1184869", "ags": "10041511", "ort": "Friedrichsthal", "plz": "66333"},
            {"osm_id": "", "ags": "10041999", "ort": "Aufgelöst", "plz": "66999"},
        ],
    }


def write_csv(path: Path, rows: list[dict], header: list[str] | None = None) -> Path:
    header = header or (DESTATIS_HEADER if path.name.startswith("destatis") else list(rows[0]))
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, header, extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return path


def write_geo_files(source: Path, files: dict[str, list[dict]] | None = None) -> Path:
    for name, rows in (files or base_files()).items():
        write_csv(source / "gemeinden" / name, rows)
    return source
