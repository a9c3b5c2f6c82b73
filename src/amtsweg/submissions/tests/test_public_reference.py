"""The applicant's public reference: short, readable on the phone, unguessable."""

from __future__ import annotations

import re
from collections import Counter

from amtsweg.submissions.models import REFERENCE_ALPHABET, new_public_reference


def test_shape_and_alphabet():
    assert len(set(REFERENCE_ALPHABET)) == len(REFERENCE_ALPHABET) == 32  # 5 bits per character
    assert not set("01IO") & set(REFERENCE_ALPHABET)
    for _ in range(200):
        assert re.fullmatch(rf"AW-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}-[{REFERENCE_ALPHABET}]{{4}}",
                            new_public_reference())


def test_every_character_appears_in_every_position():
    """A slip in the bit arithmetic would leave characters or positions out (60 random bits each)."""
    references = [new_public_reference().replace("-", "")[2:] for _ in range(4000)]
    assert len(set(references)) == len(references)
    for position in range(12):
        seen = Counter(ref[position] for ref in references)
        assert set(seen) == set(REFERENCE_ALPHABET)
