"""The criteria of Reifegradmodell 2.0 and 1.1 on fact sets: one test per criterion, and the model's two laws as
properties (the weakest criterion sets the level; what is not measurable is never claimed)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.maturity import criteria
from amtsweg.maturity.criteria import Fact, Status

F = Fact
facts = st.integers(min_value=0, max_value=criteria.ALL_FACTS)

# What a service has when everything the platform can see is in place.
EVERYTHING = criteria.ALL_FACTS
ONLINE = F.RESPONSIBLE | F.LIVE | F.FORM | F.UPLOADS
RECEIVED = ONLINE | F.RECEIVED | F.ACCEPTED | F.STATUS


def verdict(model: str, code: str, bits: int) -> criteria.Verdict:
    return next(v for v in criteria.verdicts(model, bits) if v.criterion.code == code)


@given(facts)
def test_a_level_never_exceeds_what_its_weakest_criterion_allows(bits):
    for model in ("2.0", "1.1"):
        judged = criteria.verdicts(model, bits)
        level = criteria.level(model, bits)
        assert 0 <= level <= criteria.TOP[model]
        for v in judged:
            if v.allows is not None:
                assert level <= v.allows, (model, v.criterion.code)
        # and it is exactly the weakest allowance (or the stage an unmeasurable defining criterion stops)
        caps = [v.allows for v in judged if v.allows is not None]
        caps += [v.criterion.stage - 1 for v in judged if v.allows is None and v.criterion.defines_stage]
        assert level == min([criteria.TOP[model], *caps])


@given(facts)
def test_a_stage_defined_by_an_unmeasurable_criterion_is_never_claimed(bits):
    assert criteria.level("1.1", bits) <= 3  # stage 4 is once-only: not measurable
    assert criteria.level("2.0", bits) <= 5  # stage 6 needs NOOTS and HKR: not measurable


@given(facts, st.sampled_from(list(Fact)))
def test_more_facts_never_lower_a_level_except_a_fee(bits, extra):
    # A fee is a new requirement (pay online), every other fact only fulfils one.
    if extra is Fact.FEE:
        return
    for model in ("2.0", "1.1"):
        assert criteria.level(model, bits | extra) >= criteria.level(model, bits)


def test_the_level_table_is_the_python_rule_for_every_fact_set():
    table = criteria.level_table()
    assert len(table) == criteria.ALL_FACTS + 1
    for bits, v2, v11 in table[:: 97]:
        assert (v2, v11) == criteria.levels(bits)


@pytest.mark.parametrize(("bits", "v2", "v11"), [
    (0, 0, 0),
    (F.RESPONSIBLE, 1, 1),
    (ONLINE, 2, 2),
    (RECEIVED, 4, 2),
    (RECEIVED | F.NOTICE, 5, 3),
    (EVERYTHING, 5, 3),
])
def test_the_way_from_offline_to_ozg_konform(bits, v2, v11):
    assert criteria.levels(bits) == (v2, v11)


# --- Reifegradmodell 1.1, one test per criterion ---------------------------------------------------------

def test_v11_1_leistungsbeschreibung_needs_a_responsibility():
    assert verdict("1.1", "v11.1", 0).status is Status.NOT_MET
    assert verdict("1.1", "v11.1", 0).allows == 0
    assert verdict("1.1", "v11.1", F.RESPONSIBLE).status is Status.MET
    assert criteria.next_action(0).code == "add_responsibility"


def test_v11_2_antragsprozesse_need_a_live_online_form():
    assert verdict("1.1", "v11.2", F.RESPONSIBLE | F.FORM).status is Status.NOT_MET  # not live
    assert verdict("1.1", "v11.2", F.RESPONSIBLE | F.LIVE | F.FORM).status is Status.MET
    assert criteria.next_action(F.RESPONSIBLE).code == "take_over_offer"


@pytest.mark.parametrize("code", ["v11.3", "v11.4"])
def test_v11_3_and_4_account_and_authentication_come_with_the_platforms_form(code):
    assert verdict("1.1", code, F.RESPONSIBLE).status is Status.NOT_MET
    assert verdict("1.1", code, ONLINE).status is Status.MET


def test_v11_5_bezahlprozess_only_when_a_fee_applies_and_then_online():
    assert verdict("1.1", "v11.5", ONLINE).status is Status.MET  # no fee: not required
    assert verdict("1.1", "v11.5", ONLINE | F.FEE).status is Status.NOT_MET
    assert verdict("1.1", "v11.5", ONLINE | F.FEE).allows == 2
    assert verdict("1.1", "v11.5", ONLINE | F.FEE | F.ONLINE_PAYMENT).status is Status.MET


def test_v11_6_nachweise_are_taken_by_the_form():
    assert verdict("1.1", "v11.6", F.RESPONSIBLE).status is Status.NOT_MET
    assert verdict("1.1", "v11.6", ONLINE).status is Status.MET


def test_v11_7_schriftform_is_not_measurable_and_does_not_count():
    v = verdict("1.1", "v11.7", EVERYTHING)
    assert v.status is Status.NOT_MEASURABLE and v.allows is None
    assert "nicht messbar" in v.reason
    assert criteria.level("1.1", EVERYTHING) == 3


def test_v11_8_uebermittlung_needs_applications_received_and_accepted_in_the_window():
    assert verdict("1.1", "v11.8", ONLINE | F.RECEIVED).status is Status.NOT_MET
    assert verdict("1.1", "v11.8", ONLINE | F.RECEIVED | F.ACCEPTED).status is Status.MET
    assert criteria.next_action(ONLINE | F.NOTICE).code == "connect_casework"
    assert criteria.next_action(ONLINE | F.NOTICE | F.CASEWORK).code == "open_inbox"


def test_v11_9_the_notice_must_be_delivered_electronically():
    assert verdict("1.1", "v11.9", RECEIVED).reason == "Stufe 2: Bescheid wird nicht elektronisch zugestellt"
    assert "Stufe 2: Bescheid wird nicht elektronisch zugestellt" in criteria.reasons("1.1", RECEIVED)
    assert criteria.next_action(RECEIVED | F.CASEWORK).code == "notice_template"
    assert verdict("1.1", "v11.9", RECEIVED | F.NOTICE).status is Status.MET


def test_v11_10_once_only_is_not_measurable_and_stops_at_stage_3():
    v = verdict("1.1", "v11.10", EVERYTHING)
    assert v.status is Status.NOT_MEASURABLE and v.criterion.defines_stage
    assert any("Once-Only" in r for r in criteria.reasons("1.1", EVERYTHING))


# --- Reifegradmodell 2.0 ---------------------------------------------------------------------------------

def test_v2_criteria_by_stage():
    assert verdict("2.0", "v2.1", 0).allows == 0
    assert verdict("2.0", "v2.2", F.RESPONSIBLE).allows == 1
    assert verdict("2.0", "v2.3", F.RESPONSIBLE).allows == 2
    assert verdict("2.0", "v2.4", F.RESPONSIBLE).allows == 2
    assert verdict("2.0", "v2.5", ONLINE | F.FEE).allows == 2
    assert verdict("2.0", "v2.6", ONLINE).allows == 2
    assert verdict("2.0", "v2.7", ONLINE | F.RECEIVED).allows == 3
    assert verdict("2.0", "v2.8", RECEIVED & ~F.STATUS).allows == 4
    assert verdict("2.0", "v2.9", RECEIVED).allows == 4
    assert verdict("2.0", "v2.10", RECEIVED | F.NOTICE).allows == 5
    assert verdict("2.0", "v2.10", RECEIVED | F.NOTICE | F.ARCHIVED).status is Status.MET
    for code in ("v2.11", "v2.12", "v2.13"):
        assert verdict("2.0", code, EVERYTHING).status is Status.NOT_MEASURABLE


def test_thirteen_and_ten_criteria_each_with_a_source():
    catalogue = criteria.catalogue()
    assert len(catalogue["2.0"]) == 13 and len(catalogue["1.1"]) == 10
    assert all(c["source"].startswith("https://") for model in catalogue.values() for c in model)
    unmeasurable = [c for model in catalogue.values() for c in model if not c["measurable"]]
    assert unmeasurable and all(c["not_measurable_because"] for c in unmeasurable)


@given(facts)
def test_a_kommune_served_by_another_office_is_offered_to_take_the_service_over(bits):
    """Served through the Land's or Kreis's office (issue 16 item 1): its receiving system, notices and fee are
    that office's, so whatever blocks the level, the Kommune's own action is taking the service over."""
    own = criteria.next_action(bits)
    other = criteria.next_action(bits, served_by_other=True)
    assert other == (criteria.TAKE_OVER_OWN if own is not None else None)


def test_a_fallback_served_online_cell_is_online_with_its_next_gap_named():
    served = ONLINE  # online through the Land office: no applications yet
    assert criteria.levels(served) == (2, 2)
    assert criteria.next_action(served) == criteria.CONNECT_CASEWORK
    assert criteria.next_action(served, served_by_other=True).code == "take_over_own"
    assert not any("kein Online-Antrag verfügbar" in r for r in criteria.reasons("1.1", served))
