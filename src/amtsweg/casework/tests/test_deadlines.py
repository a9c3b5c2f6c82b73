"""Fristen: overdue and soon due cases per team and assignee; a Rückfrage stops the clock (issue 14)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.test import Client
from django.utils import timezone

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.casework import deadlines
from amtsweg.casework.models import Case
from amtsweg.casework.tests.factories import CaseFactory, TeamFactory

pytestmark = pytest.mark.django_db
URL = "/verwaltung/sachbearbeitung/fristen/"


def _client(user) -> Client:
    client = Client()
    login_staff(client, user)
    return client


def _days(n: int) -> dt.date:
    return timezone.localdate() + dt.timedelta(days=n)


@pytest.fixture
def deadline_world(destination):
    authority = destination.authority
    sabine = UserFactory(authority=authority, first_name="Sabine", last_name="Sachbearbeiterin")
    steuern = TeamFactory(authority=authority, name="Steuern", members=[sabine])
    ordnung = TeamFactory(authority=authority, name="Ordnungsamt")
    cases = {
        "overdue": CaseFactory(destination=destination, team=steuern, assignee=sabine, deadline=_days(-3),
                               state=Case.State.IN_PROGRESS, reference="AW-UEBE-RFAE-LLIG"),
        "due": CaseFactory(destination=destination, deadline=_days(3), reference="AW-BALD-FAEL-LIG1"),
        "later": CaseFactory(destination=destination, deadline=_days(20), reference="AW-SPAE-TER0-0001"),
        # waiting for the applicant: past its deadline on paper, but the clock stands still
        "paused": CaseFactory(destination=destination, team=steuern, deadline=_days(-10), state=Case.State.INQUIRY,
                              paused_since=timezone.now() - dt.timedelta(days=12), reference="AW-RUHT-RUHT-RUHT"),
        "closed": CaseFactory(destination=destination, deadline=_days(-30), state=Case.State.CLOSED,
                              reference="AW-ZUUU-ZUUU-ZUUU"),
        "other_team": CaseFactory(destination=destination, team=ordnung, deadline=_days(-1),
                                  reference="AW-ORDN-UNGS-AMT1"),
        "other_kommune": CaseFactory(deadline=_days(-5), reference="AW-FREM-DFRE-MD00"),
    }
    return sabine, cases


def test_overdue_due_and_paused_per_team_and_assignee(deadline_world, destination):
    sabine, cases = deadline_world
    admin = UserFactory(authority=destination.authority, kommune_admin=True)
    response = _client(admin).get(URL)
    assert response.status_code == 200
    overview = response.context["overview"]
    assert [c.reference for c in overview.overdue] == ["AW-UEBE-RFAE-LLIG", "AW-ORDN-UNGS-AMT1"]
    assert [c.reference for c in overview.due] == ["AW-BALD-FAEL-LIG1"]
    assert [c.reference for c in overview.paused] == ["AW-RUHT-RUHT-RUHT"]
    teams = {t.label: (t.overdue, t.due, t.paused) for t in overview.teams}
    assert teams == {"Steuern": (1, 0, 1), "Ordnungsamt": (1, 0, 0), "ohne Team": (0, 1, 0)}
    people = {a.label: (a.overdue, a.due, a.paused) for a in overview.assignees}
    assert people == {"Sabine Sachbearbeiterin": (1, 0, 0), "niemandem zugewiesen": (1, 1, 1)}
    body = response.content.decode()
    assert "AW-ZUUU-ZUUU-ZUUU" not in body and "AW-SPAE-TER0-0001" not in body and "AW-FREM-DFRE-MD00" not in body
    # narrowed to one team, then to nobody assigned
    steuern = next(t for t in overview.teams if t.label == "Steuern")
    narrowed = _client(admin).get(URL, {"team": steuern.key}).context["overview"]
    assert [c.reference for c in narrowed.overdue] == ["AW-UEBE-RFAE-LLIG"] and not narrowed.due
    nobody = _client(admin).get(URL, {"zustaendig": "niemand"}).context["overview"]
    assert [c.reference for c in nobody.overdue] == ["AW-ORDN-UNGS-AMT1"]
    assert _client(admin).get(URL, {"team": "x' OR 1=1"}).status_code == 200  # a wrong value narrows nothing


def test_answering_the_rueckfrage_restarts_the_clock_with_the_deadline_moved(deadline_world):
    from amtsweg.casework import services
    from amtsweg.core.actors import SYSTEM

    _sabine, cases = deadline_world
    paused = Case.objects.get(pk=cases["paused"].pk)
    assert not paused.is_overdue()
    services.start(paused, actor=SYSTEM)  # the answer arrived: 12 days of waiting are added
    resumed = Case.objects.get(pk=paused.pk)
    assert resumed.deadline == _days(2)
    overview = deadlines.overview(Case.objects.filter(pk=paused.pk))
    assert [c.reference for c in overview.due] == ["AW-RUHT-RUHT-RUHT"] and not overview.overdue


def test_a_team_member_sees_only_what_they_may_work_on_and_other_kommunen_and_the_land_nothing(
    deadline_world, destination,
):
    sabine, cases = deadline_world
    body = _client(sabine).get(URL).content.decode()
    assert "AW-UEBE-RFAE-LLIG" in body and "AW-BALD-FAEL-LIG1" in body
    assert "AW-ORDN-UNGS-AMT1" not in body and "Ordnungsamt" not in body
    for outsider in (UserFactory(authority=AuthorityFactory(), kommune_admin=True),
                     UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True))):
        response = _client(outsider).get(URL, {"team": str(cases["overdue"].team_id)})
        page = response.content.decode()
        assert response.status_code == 200 and "AW-" not in page.split("<main", 1)[-1]
        assert "Kein offener Vorgang ist überfällig" in page


def test_the_inbox_links_to_the_deadlines(deadline_world, destination):
    sabine, _cases = deadline_world
    body = _client(sabine).get("/verwaltung/sachbearbeitung/").content.decode()
    assert f'href="{URL}"' in body


def test_the_overview_costs_the_same_queries_for_few_cases_or_many(deadline_world, destination):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    authority = destination.authority
    client = _client(UserFactory(authority=authority, kommune_admin=True))
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    for i in range(10):
        CaseFactory(destination=destination, deadline=_days(-i - 1), assignee=UserFactory(authority=authority),
                    team=TeamFactory(authority=authority))
    with CaptureQueriesContext(connection) as many:
        client.get(URL)
    assert len(many) == len(few)
