from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.shop.costs import Participant, allocate, compute_shares, months_connected

participants_st = st.lists(
    st.builds(
        Participant,
        key=st.uuids().map(str),
        months=st.integers(min_value=0, max_value=12),
        population=st.one_of(st.none(), st.integers(min_value=1, max_value=4_000_000)),
    ),
    min_size=1,
    max_size=40,
    unique_by=lambda p: p.key,
)


@given(participants=participants_st, total=st.integers(min_value=0, max_value=10**10),
       model=st.sampled_from(["equal", "population"]))
def test_shares_sum_to_the_total_and_are_never_negative(participants, total, model):
    shares = compute_shares(model, participants, annual_cost_cents=total)
    assert all(s.cents >= 0 for s in shares)
    if any(p.months for p in participants):
        assert sum(s.cents for s in shares) == total
    else:
        assert sum(s.cents for s in shares) == 0


@given(participants=participants_st, total=st.integers(min_value=12_000, max_value=10**9))
def test_equal_sharing_is_pro_rata_by_month(participants, total):
    shares = {s.key: s.cents for s in compute_shares("equal", participants, annual_cost_cents=total)}
    months = {p.key: p.months for p in participants}
    month_sum = sum(months.values())
    for key, cents in shares.items():
        exact = total * months[key] / month_sum if month_sum else 0
        assert abs(cents - exact) < 1  # off by less than a cent from the exact pro-rata amount
        if months[key] == 0:
            assert cents == 0


@given(participants=participants_st, fee=st.integers(min_value=0, max_value=10**7))
def test_fixed_fee_is_pro_rata_by_month(participants, fee):
    shares = compute_shares("fixed", participants, fixed_fee_cents=fee)
    for share in shares:
        assert share.cents >= 0
        assert abs(share.cents - fee * share.months / 12) <= 0.5  # rounded to the nearest cent
        if share.months == 12:
            assert share.cents == fee


def test_population_sharing_weights_by_population_and_months():
    shares = compute_shares(
        "population",
        [Participant("big", 12, 300_000), Participant("small", 12, 100_000), Participant("late", 6, 200_000)],
        annual_cost_cents=100_000_00,
    )
    by_key = {s.key: s.cents for s in shares}
    # weights 3,600,000 : 1,200,000 : 1,200,000
    assert by_key == {"big": 60_000_00, "small": 20_000_00, "late": 20_000_00}


def test_missing_population_uses_median_of_known_and_is_flagged():
    shares = compute_shares(
        "population",
        [Participant("a", 12, 1000), Participant("b", 12, 3000), Participant("unknown", 12, None)],
        annual_cost_cents=6000,
    )
    unknown = next(s for s in shares if s.key == "unknown")
    assert unknown.population_estimated and unknown.population_used == 2000
    assert {s.key: s.cents for s in shares} == {"a": 1000, "b": 3000, "unknown": 2000}


def test_allocate_hands_remaining_cents_to_largest_remainders():
    from fractions import Fraction

    assert allocate(100, {"a": Fraction(1), "b": Fraction(1), "c": Fraction(1)}) == {"a": 34, "b": 33, "c": 33}


@pytest.mark.parametrize(
    ("live_since", "ends_on", "expected"),
    [
        (None, None, 0),
        (date(2025, 3, 10), None, 12),
        (date(2026, 1, 1), None, 12),
        (date(2026, 3, 15), None, 10),
        (date(2026, 3, 15), date(2026, 6, 1), 3),  # March, April, May
        (date(2026, 3, 15), date(2026, 6, 2), 4),
        (date(2027, 1, 1), None, 0),
        (date(2025, 1, 1), date(2026, 1, 1), 0),
        (date(2026, 12, 31), None, 1),
    ],
)
def test_months_connected(live_since, ends_on, expected):
    assert months_connected(2026, live_since, ends_on) == expected


def test_unknown_model_and_bad_months_are_refused():
    with pytest.raises(ValueError):
        compute_shares("random", [])
    with pytest.raises(ValueError):
        compute_shares("equal", [Participant("x", 13)])
