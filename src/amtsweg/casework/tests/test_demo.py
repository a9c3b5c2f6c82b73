"""The demo: Völklingen on Amtsweg-Sachbearbeitung with cases in every state (through intake and ingest)."""

from __future__ import annotations

import io

import pytest

from amtsweg.casework import demo, receiving
from amtsweg.casework.models import Case
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.submissions.models import Submission

pytestmark = pytest.mark.django_db


def test_voelklingen_works_on_the_back_office_with_cases_in_every_state():
    responsibility = ResponsibilityFactory(destination__name=demo.DESTINATION_NAME,
                                           destination__authority__municipality__ars=demo.AREA)
    ResponsibilityFactory(leika_key=demo.HUNDESTEUER)  # another office, where the forwarded one goes
    out = io.StringIO()
    demo.load_demo(out)
    assert receiving.is_active(responsibility.destination.pk)
    states = set(Case.objects.values_list("state", flat=True))
    assert states == {"received", "in_progress", "inquiry", "decided", "closed", "forwarded"}
    assert set(Case.objects.exclude(decision="").values_list("decision", flat=True)) == {
        "approved", "rejected", "partial"}
    assert Submission.objects.filter(status=Submission.Status.ACCEPTED).count() == len(demo.APPLICANTS)
    assert Submission.objects.filter(status=Submission.Status.SUBMITTED).count() == 1  # the forwarded one
    assert "vk.fachdienst" in out.getvalue() and "Passwort" in out.getvalue()

    again = io.StringIO()
    demo.load_demo(again)  # idempotent
    assert Case.objects.count() == len(demo.APPLICANTS) and "Passwort" not in again.getvalue()
