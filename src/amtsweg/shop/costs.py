"""Cost sharing: who pays which part of an offer's annual running cost.

Plain arithmetic in integer cents, no database. Three sharing models:

* ``equal``      – the running cost is split among the participants, weighted by months connected;
* ``population`` – weighted by population × months connected;
* ``fixed``      – every participant pays the offer's fixed annual fee × months/12; the total is the
                   sum of these fees (what is not covered stays with the provider and is reported).

Rounding uses the largest-remainder method, so the shares always add up to the total to the cent and
no share is negative. Participants with unknown population are weighted with the median population of
the participants whose population is known (and flagged), or equally if nobody's is known.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import date
from fractions import Fraction

SHARING_MODELS = ("equal", "population", "fixed")


@dataclass(frozen=True)
class Participant:
    key: str  # e.g. the authority id
    months: int  # months connected in the year, 0..12
    population: int | None = None


@dataclass(frozen=True)
class Share:
    key: str
    months: int
    cents: int
    population_used: int | None = None
    population_estimated: bool = False


def months_connected(year: int, live_since: date | None, ends_on: date | None) -> int:
    """Whole or started months of `year` in which a subscription was live.

    A month counts when the service was live on at least one day of it (live from its first day of
    operation until the day before `ends_on`).
    """
    if live_since is None:
        return 0
    start = max(live_since, date(year, 1, 1))
    last_live_day = date(year, 12, 31)
    if ends_on is not None:
        last_live_day = min(last_live_day, date.fromordinal(ends_on.toordinal() - 1))
    if start > last_live_day or start.year > year:
        return 0
    return (last_live_day.year - start.year) * 12 + last_live_day.month - start.month + 1


def allocate(total_cents: int, weights: dict[str, Fraction]) -> dict[str, int]:
    """Split `total_cents` in proportion to `weights` (largest remainder; sums exactly to the total)."""
    if total_cents < 0:
        raise ValueError("total must not be negative")
    positive = {k: w for k, w in weights.items() if w > 0}
    result = {k: 0 for k in weights}
    weight_sum = sum(positive.values(), Fraction(0))
    if not positive or total_cents == 0:
        return result
    exact = {k: Fraction(total_cents) * w / weight_sum for k, w in positive.items()}
    for k, value in exact.items():
        result[k] = int(value)  # floor, values are non-negative
    remainder = total_cents - sum(result.values())
    # Hand out the remaining cents to the largest fractional parts; ties broken by key for determinism.
    order = sorted(exact, key=lambda k: (-(exact[k] - int(exact[k])), k))
    for k in order[:remainder]:
        result[k] += 1
    return result


def compute_shares(
    model: str,
    participants: list[Participant],
    *,
    annual_cost_cents: int = 0,
    fixed_fee_cents: int = 0,
) -> list[Share]:
    if model not in SHARING_MODELS:
        raise ValueError(f"unknown sharing model {model!r}")
    for p in participants:
        if not 0 <= p.months <= 12:
            raise ValueError(f"months must be within 0..12, got {p.months} for {p.key}")

    if model == "fixed":
        # Each participant's own fee, pro rata, rounded half up to the cent; the total is their sum.
        return [Share(p.key, p.months, int(Fraction(fixed_fee_cents * p.months, 12) + Fraction(1, 2)))
                for p in participants]

    estimated: dict[str, int] = {}
    if model == "population":
        known = [p.population for p in participants if p.population]
        fallback = int(statistics.median(known)) if known else 1
        populations = {}
        for p in participants:
            if p.population:
                populations[p.key] = p.population
            else:
                populations[p.key] = fallback
                estimated[p.key] = fallback
        weights = {p.key: Fraction(p.months * populations[p.key]) for p in participants}
    else:
        populations = {}
        weights = {p.key: Fraction(p.months) for p in participants}

    cents = allocate(annual_cost_cents, weights)
    return [
        Share(
            p.key,
            p.months,
            cents[p.key],
            population_used=populations.get(p.key),
            population_estimated=p.key in estimated,
        )
        for p in participants
    ]
