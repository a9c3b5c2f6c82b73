import pytest
from hypothesis import given
from hypothesis import strategies as st

from amtsweg.identity import levels

SPELLINGS = {
    "niedrig": ["niedrig", "STORK-QAA-Level-1", "STORK-QAA-Level-2", "http://eidas.europa.eu/LoA/low", "low"],
    "substantiell": ["substantiell", "STORK-QAA-Level-3", "http://eidas.europa.eu/LoA/substantial", "substantial"],
    "hoch": ["hoch", "STORK-QAA-Level-4", "http://eidas.europa.eu/LoA/high", "high"],
}
ALL = [s for spellings in SPELLINGS.values() for s in spellings]


@pytest.mark.parametrize(("level", "spelling"), [(lv, s) for lv, ss in SPELLINGS.items() for s in ss])
def test_every_spelling_maps_to_the_german_level(level, spelling):
    assert levels.normalize(spelling) == level


@pytest.mark.parametrize(("actual", "required", "ok"), [
    ("hoch", "substantiell", True), ("substantiell", "hoch", False), ("STORK-QAA-Level-4", "hoch", True),
    ("STORK-QAA-Level-3", "http://eidas.europa.eu/LoA/high", False), ("niedrig", None, True),
    (None, "niedrig", False), ("unbekannt", "niedrig", False), ("substantiell", "substantiell", True),
])
def test_satisfies(actual, required, ok):
    assert levels.satisfies(actual, required) is ok


def test_unknown_required_level_is_a_programming_error():
    with pytest.raises(ValueError):
        levels.satisfies("hoch", "sehr hoch")


@given(st.sampled_from(ALL), st.sampled_from(ALL), st.sampled_from(ALL))
def test_satisfies_is_a_total_order(a, b, c):
    assert levels.satisfies(a, a)
    assert levels.satisfies(a, b) or levels.satisfies(b, a)
    if levels.satisfies(a, b) and levels.satisfies(b, c):
        assert levels.satisfies(a, c)


@given(st.text(max_size=40))
def test_unknown_text_never_reaches_a_level(text):
    if text.strip() not in ALL and text.strip().lower() not in {"1", "2", "3", "4", "low", "substantial", "high"}:
        assert levels.normalize(text) is None
        assert not levels.satisfies(text, "niedrig")


def test_labels_are_translated_to_english():
    from django.utils import translation

    with translation.override("en"):
        assert levels.label("STORK-QAA-Level-4") == "high (eID function of the identity card)"
    with translation.override("de"):
        assert levels.label("hoch") == "hoch (Online-Ausweisfunktion)"
