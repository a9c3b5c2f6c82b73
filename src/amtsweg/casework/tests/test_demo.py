"""The demo: Völklingen on Amtsweg-Sachbearbeitung with cases in every state (through intake and ingest)."""

from __future__ import annotations

import io

import pytest

from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.casework import demo, receiving
from amtsweg.casework.models import Case, ServiceDeadline, Team
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
    assert not Team.objects.exists()  # without the Saarbrücken staff account: no team, and no error
    assert ServiceDeadline.objects.get(authority=responsibility.authority).retention_days == \
        demo.HUNDESTEUER_RETENTION_DAYS


def test_saarbruecken_gets_a_hundesteuer_team_with_its_staff_account_and_a_retention_rule():
    sb = ResponsibilityFactory(leika_key=demo.HUNDESTEUER).authority
    staff = UserFactory(username=demo.TEAM_STAFF_USERNAME, authority=sb)
    UserFactory(authority=sb)  # another case worker: not in the team
    out = io.StringIO()
    demo.load_demo(out)  # Völklingen's destination missing: the team is made all the same

    team = Team.objects.get()
    assert (team.authority, team.name) == (sb, demo.TEAM_NAME)
    assert list(team.members.all()) == [staff]
    row = ServiceDeadline.objects.get(authority=sb, leika_key=demo.HUNDESTEUER)
    assert (row.team, row.retention_days) == (team, demo.HUNDESTEUER_RETENTION_DAYS)
    assert demo.TEAM_NAME in out.getvalue()

    ServiceDeadline.objects.filter(pk=row.pk).update(retention_days=400)  # an administrator's later change
    again = io.StringIO()
    demo.load_demo(again)  # idempotent, and keeps the change
    assert Team.objects.count() == 1 and team.members.count() == 1
    assert ServiceDeadline.objects.get(pk=row.pk).retention_days == 400
    assert "bereits vorhanden" in again.getvalue()


def test_saarbrueckens_team_hundesteuer_has_cases_and_receives_voelklingens_forwarded_one():
    """Issue 14: Saarbrücken's Team Hundesteuer (sb.sachbearbeitung) had an empty inbox, because Saarbrücken's
    destination stayed with its Fachverfahren. Its Hundesteuer destination of its own is on the back office now,
    with cases the team member walked through the states, and Völklingen's forwarded case is taken in there."""
    from amtsweg.casework import ingest
    from amtsweg.delivery.models import OutboxMessage

    voelklingen = ResponsibilityFactory(destination__name=demo.DESTINATION_NAME,
                                        destination__authority__municipality__ars=demo.AREA)
    sb = ResponsibilityFactory(leika_key=demo.HUNDESTEUER, area_ars=demo.SB_AREA,
                               destination__name=demo.SB_DESTINATION_NAME,
                               destination__authority__municipality__ars=demo.SB_AREA)
    staff = UserFactory(username=demo.TEAM_STAFF_USERNAME, authority=sb.authority)
    out = io.StringIO()
    demo.load_demo(out)

    assert receiving.is_active(sb.destination.pk) and receiving.is_active(voelklingen.destination.pk)
    team = Team.objects.get(authority=sb.authority)
    own = Case.objects.filter(authority=sb.authority)
    assert own.count() == len(demo.SB_APPLICANTS)
    assert set(own.values_list("state", flat=True)) == {"received", "in_progress", "inquiry", "decided", "closed"}
    assert set(own.values_list("team", flat=True)) == {team.pk}
    assert set(own.exclude(state="received").values_list("assignee", flat=True)) == {staff.pk}
    assert demo.TEAM_STAFF_USERNAME in out.getvalue()
    # the forwarded one is on its way to the back office, not to the Fachverfahren
    [forwarded] = Submission.objects.filter(destination=sb.destination, status=Submission.Status.SUBMITTED)
    assert set(OutboxMessage.objects.filter(submission_id=forwarded.pk).values_list("channel", flat=True)) == {
        "casework"}
    ingest.receive(forwarded.pk, sb.destination.pk)  # what the delivery worker does
    assert own.count() == len(demo.SB_APPLICANTS) + 1
    assert Case.objects.get(submission_id=forwarded.pk).team == team

    demo.load_demo(io.StringIO())  # idempotent
    assert own.count() == len(demo.SB_APPLICANTS) + 1 and Team.objects.count() == 1
