"""Time-ordered keys (UUID version 7) for the rows every intake writes."""

from __future__ import annotations

import time
import uuid

import pytest

from amtsweg.core.ids import uuid7


def test_uuid7_has_version_7_the_rfc_variant_and_the_time_in_milliseconds():
    before = time.time_ns() // 1_000_000
    key = uuid7()
    after = time.time_ns() // 1_000_000
    assert key.version == 7 and key.variant == uuid.RFC_4122
    assert before <= key.int >> 80 <= after


def test_keys_of_one_process_sort_by_time_and_never_repeat():
    keys = [uuid7() for _ in range(20_000)]
    assert len(set(keys)) == len(keys)
    # Sub-millisecond time in the next 12 bits: keys made in order sort in order, except (rarely) two made
    # within the same ~244 ns step, which the random bits then order.
    in_order = sum(a < b for a, b in zip(keys, keys[1:], strict=False))
    assert in_order >= 0.95 * (len(keys) - 1)


def test_the_random_part_is_random():
    low_bits = {uuid7().int & ((1 << 62) - 1) for _ in range(1000)}
    assert len(low_bits) == 1000
    assert any(bits >> 61 for bits in low_bits) and any(not bits >> 61 for bits in low_bits)


@pytest.mark.django_db
def test_an_intakes_rows_get_time_ordered_keys():
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions.tests.factories import payload_for, submit_payload

    submission = submit_payload(payload_for(ResponsibilityFactory(), applicant_email=None))
    keys = [submission.pk, submission.case_id, *submission.attachments.values_list("pk", flat=True),
            *submission.events.values_list("pk", flat=True)]
    assert len(keys) >= 4 and {key.version for key in keys} == {7}
