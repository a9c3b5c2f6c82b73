"""The answers a citizen gives in the demo's Hundesteuer form, step by step: one definition for the deadline-day
load (`stichtag_locustfile.py`, run by locust) and the cost of one application (`application_cost.py`), so both
measure the same application. No third-party imports: locust and Django are not needed here."""

from __future__ import annotations

import datetime

BREEDS = ("dackel", "pudel", "mischling")


def steps(today: datetime.date, n: int) -> list[tuple[str, dict]]:
    """(step id, POST data) for the `n`-th application on `today`: a Saarbrücken dog keeper, no direct debit."""
    born = (today - datetime.timedelta(days=100 + n % 300)).strftime("%d.%m.%Y")
    return [
        ("ort", {"postcode": "66111", "action": "next"}),
        ("halter", {"vorname": "Erika", "familienname": f"Stichtag{n}", "geburtsdatum": "12.08.1964",
                    "anschrift-street": "Rathausplatz", "anschrift-house_number": str(1 + n % 90),
                    "anschrift-postcode": "66111", "anschrift-place": "Saarbrücken", "action": "next"}),
        ("hund", {"hund_name": f"Bello {n}", "rasse": BREEDS[n % len(BREEDS)],
                  "wurfdatum": born, "haltungsbeginn": today.strftime("%d.%m.%Y"), "listenhund": "nein",
                  "ermaessigung": "keine", "action": "next"}),
        ("zahlung", {"lastschrift": "nein", "action": "next"}),
        ("pruefen", {"declaration": "yes"}),
    ]
