"""The back office's backlog on `/metrics`: open cases of all Authorities by state, oldest unstarted case."""

from datetime import timedelta

import pytest
from django.utils import timezone

from amtsweg.casework.models import Case
from amtsweg.casework.tests.factories import CaseFactory

pytestmark = pytest.mark.django_db


def test_open_cases_by_state_and_the_oldest_received(scrape_metrics):
    empty = scrape_metrics()
    assert empty[("amtsweg_casework_open_cases", (("state", "received"),))] == 0
    assert empty[("amtsweg_casework_oldest_received_age_seconds", ())] == 0

    CaseFactory(received_at=timezone.now() - timedelta(days=3))
    CaseFactory()
    CaseFactory(state=Case.State.IN_PROGRESS, received_at=timezone.now() - timedelta(days=30))
    CaseFactory(state=Case.State.INQUIRY)
    CaseFactory(state=Case.State.CLOSED, closed_at=timezone.now())
    samples = scrape_metrics()
    assert samples[("amtsweg_casework_open_cases", (("state", "received"),))] == 2
    assert samples[("amtsweg_casework_open_cases", (("state", "in_progress"),))] == 1
    assert samples[("amtsweg_casework_open_cases", (("state", "inquiry"),))] == 1
    assert not any(name == "amtsweg_casework_open_cases" and ("state", "closed") in labels for name, labels in samples)
    age = samples[("amtsweg_casework_oldest_received_age_seconds", ())]
    assert 3 * 86400 <= age < 4 * 86400  # the in-progress case is older, but somebody started it
