"""Intake counts on `/metrics`: counted after the commit, by source (the platform's form, the API)."""

import pytest
from django.db import transaction

from amtsweg.submissions.tests.factories import payload_for, submit_payload

pytestmark = pytest.mark.django_db


def _intakes(samples, source: str) -> float:
    return samples.get(("amtsweg_intakes_total", (("source", source),)), 0)


def test_a_committed_form_intake_is_counted_a_rolled_back_one_is_not(responsibility, scrape_metrics,
                                                                        django_capture_on_commit_callbacks):
    before = scrape_metrics()
    with django_capture_on_commit_callbacks(execute=True):
        submit_payload(payload_for(responsibility))
    with pytest.raises(RuntimeError), transaction.atomic():
        submit_payload(payload_for(responsibility))
        raise RuntimeError("the surrounding transaction fails")
    after = scrape_metrics()
    assert _intakes(after, "form") - _intakes(before, "form") == 1
    assert _intakes(after, "api") == _intakes(before, "api")
