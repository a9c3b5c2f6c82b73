"""The demo: Völklingen's applicants find a Rückfrage and signed Bescheide in their Postfach."""

from __future__ import annotations

import io

import pytest

from amtsweg.casework import demo as casework_demo
from amtsweg.casework.models import Case
from amtsweg.postfach import demo, notices
from amtsweg.postfach.models import Message, Notice, NoticeTemplate
from amtsweg.routing.tests.factories import ResponsibilityFactory

pytestmark = pytest.mark.django_db


def test_the_demo_fills_the_postfach_of_voelklingens_applicants():
    ResponsibilityFactory(destination__name=casework_demo.DESTINATION_NAME,
                          destination__authority__municipality__ars=casework_demo.AREA)
    casework_demo.load_demo(io.StringIO())
    out = io.StringIO()
    demo.load_demo(out)
    assert NoticeTemplate.objects.count() == 1
    assert Message.objects.filter(kind=Message.Kind.INQUIRY, case__state=Case.State.INQUIRY).count() == 1
    decided = Case.objects.filter(state=Case.State.DECIDED)
    assert Notice.objects.count() == decided.count() == 3
    for notice in Notice.objects.all():
        assert notices.verify(notice, notices.document_of(notice))
    assert "3 Bescheid(e)" in out.getvalue()
    demo.load_demo(io.StringIO())  # idempotent
    assert Notice.objects.count() == 3 and Message.objects.count() == 1 and NoticeTemplate.objects.count() == 1


def test_without_the_back_office_demo_nothing_happens():
    out = io.StringIO()
    demo.load_demo(out)
    assert "übersprungen" in out.getvalue() and not NoticeTemplate.objects.exists()


def test_saarbrueckens_team_hundesteuer_finds_its_rueckfrage_and_bescheid_too():
    """Issue 14: Saarbrücken's back-office cases (casework demo) get the same Postfach content as Völklingen's."""
    from amtsweg.accounts.tests.factories import UserFactory

    sb = ResponsibilityFactory(leika_key=casework_demo.HUNDESTEUER, area_ars=casework_demo.SB_AREA,
                               destination__name=casework_demo.SB_DESTINATION_NAME,
                               destination__authority__municipality__ars=casework_demo.SB_AREA)
    UserFactory(username=casework_demo.TEAM_STAFF_USERNAME, authority=sb.authority)
    casework_demo.load_demo(io.StringIO())
    out = io.StringIO()
    demo.load_demo(out)
    assert NoticeTemplate.objects.filter(authority=sb.authority).count() == 1
    assert Message.objects.filter(case__authority=sb.authority, kind=Message.Kind.INQUIRY).count() == 1
    assert Notice.objects.filter(case__authority=sb.authority).count() == 1
    assert sb.authority.name in out.getvalue()
