"""Time-ordered keys (UUID version 7) for the rows every intake writes: the standard library's
`uuid.uuid7` where Python has it (3.14), the own function only as fallback; both pinned to one format."""

from __future__ import annotations

import time
import uuid

import pytest

from amtsweg.core import ids
from amtsweg.core.ids import uuid7, uuid7_fallback

# Every format test runs against the generator in use and against the fallback, on every Python.
generators = pytest.mark.parametrize("make", [uuid7, uuid7_fallback], ids=["in_use", "fallback"])


def test_the_standard_librarys_uuid7_is_used_where_python_has_it():
    assert ids.GENERATOR is getattr(uuid, "uuid7", uuid7_fallback)


def test_uuid7_calls_the_generator_in_use(monkeypatch):
    marker = uuid.UUID(int=(1 << 80) | (0x7 << 76) | (0b10 << 62))
    monkeypatch.setattr(ids, "GENERATOR", lambda: marker)
    assert uuid7() is marker


def test_model_defaults_name_this_modules_function_not_the_standard_librarys():
    from amtsweg.submissions.models import Submission

    default = Submission._meta.get_field("id").default
    assert (default.__module__, default.__qualname__) == ("amtsweg.core.ids", "uuid7")


@generators
def test_uuid7_has_version_7_the_rfc_variant_and_the_time_in_milliseconds(make):
    before = time.time_ns() // 1_000_000
    key = make()
    after = time.time_ns() // 1_000_000
    assert key.version == 7 and key.variant == uuid.RFC_4122
    assert before <= key.int >> 80 <= after


@generators
def test_keys_of_one_process_sort_by_time_and_never_repeat(make):
    keys = [make() for _ in range(20_000)]
    assert len(set(keys)) == len(keys)
    # Sub-millisecond time (fallback) or a counter (Python 3.14) after the milliseconds: keys made in order
    # sort in order, except (rarely, fallback only) two made within the same ~244 ns step.
    in_order = sum(a < b for a, b in zip(keys, keys[1:], strict=False))
    assert in_order >= 0.95 * (len(keys) - 1)


@generators
def test_the_random_part_is_random(make):
    low_bits = {make().int & ((1 << 62) - 1) for _ in range(1000)}
    assert len(low_bits) == 1000
    # The last 32 bits are random in both (Python 3.14 puts a counter in the bits above them).
    assert any(bits >> 31 & 1 for bits in low_bits) and any(not bits >> 31 & 1 for bits in low_bits)


@pytest.mark.django_db
def test_an_intakes_rows_get_time_ordered_keys():
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions.tests.factories import payload_for, submit_payload

    submission = submit_payload(payload_for(ResponsibilityFactory(), applicant_email=None))
    keys = [submission.pk, submission.case_id, *submission.attachments.values_list("pk", flat=True),
            *submission.events.values_list("pk", flat=True)]
    assert len(keys) >= 4 and {key.version for key in keys} == {7}
