"""The back office's pages: inbox (filters, search, sorting, keyset pages, counts, mine, bulk assign), the case
view (form as the citizen used it, attachments inline and as download, history), actions, audit, tenancy."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.core.cache import cache
from django.test import Client
from django.utils import timezone

from amtsweg.accounts.models import AuditEntry
from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import AuthorityFactory, UserFactory
from amtsweg.assistants.tests.factories import FormVersionFactory
from amtsweg.casework import inbox, vault
from amtsweg.casework.models import Case, CaseEntry
from amtsweg.casework.tests.factories import CaseFactory, TeamFactory, case_with_attachment, sealed_content

pytestmark = pytest.mark.django_db
INBOX = "/verwaltung/sachbearbeitung/"


@pytest.fixture
def worker(destination):
    return UserFactory(authority=destination.authority, first_name="Sabine", last_name="Sachbearbeiterin")


def _client(user) -> Client:
    client = Client()
    login_staff(client, user)
    return client


def _refs(response) -> list[str]:
    return [c.reference for c in response.context["page"].cases]


def test_inbox_filters_searches_sorts_and_counts(destination, worker):
    today = timezone.now()
    old = CaseFactory(destination=destination, reference="AW-AAAA-AAAA-AAAA", received_at=today - dt.timedelta(days=40),
                      deadline=timezone.localdate() - dt.timedelta(days=10), state=Case.State.IN_PROGRESS)
    mine = CaseFactory(destination=destination, reference="AW-BBBB-BBBB-BBBB", assignee=worker,
                       leika_key="99115004001005", service_name="Meldebescheinigung",
                       applicant_name_hash=vault.name_hash(destination.authority_id, "Max Muster"))
    done = CaseFactory(destination=destination, reference="AW-CCCC-CCCC-CCCC", state=Case.State.CLOSED,
                       received_at=today - dt.timedelta(days=2))
    CaseFactory(reference="AW-DDDD-DDDD-DDDD")  # another Kommune's
    client = _client(worker)

    response = client.get(INBOX)
    assert _refs(response) == [mine.reference, done.reference, old.reference]
    assert response.context["page"].counts == {"in_progress": 1, "received": 1, "closed": 1}
    assert _refs(client.get(INBOX, {"sortierung": "aelteste"})) == [old.reference, done.reference, mine.reference]
    assert _refs(client.get(INBOX, {"sortierung": "frist"}))[0] == old.reference
    assert _refs(client.get(INBOX, {"status": "offen"})) == [mine.reference, old.reference]
    assert _refs(client.get(INBOX, {"status": "closed"})) == [done.reference]
    assert _refs(client.get(INBOX, {"zustaendig": "mir"})) == [mine.reference]
    assert _refs(client.get(INBOX, {"zustaendig": "niemand"})) == [done.reference, old.reference]
    assert _refs(client.get(INBOX, {"frist": "ueberfaellig"})) == [old.reference]
    assert _refs(client.get(INBOX, {"dienst": "99115004001005"})) == [mine.reference]
    week_ago = (timezone.localdate() - dt.timedelta(days=7)).isoformat()
    assert _refs(client.get(INBOX, {"eingang_von": week_ago})) == [mine.reference, done.reference]
    assert _refs(client.get(INBOX, {"suche": "aw-cccc-cccc-cccc"})) == [done.reference]
    assert _refs(client.get(INBOX, {"suche": "  max   MUSTER "})) == [mine.reference]
    assert _refs(client.get(INBOX, {"suche": "Max Mustermann"})) == []
    assert _refs(client.get(INBOX, {"suche": "AW-DDDD-DDDD-DDDD"})) == []  # not ours
    overdue = client.get(INBOX).content.decode()
    assert "überfällig" in overdue


def test_the_inbox_filters_by_team_as_the_fristen_do_and_offers_only_the_teams_one_sees(destination, worker):
    """Issue 14: the inbox had no team filter. A member is offered their own teams (and "ohne Team"), an
    administrator every team of the Authority; another Authority's team is not a choice (German error)."""
    steuern = TeamFactory(authority=destination.authority, name="Steuern", members=[worker])
    ordnung = TeamFactory(authority=destination.authority, name="Ordnungsamt")
    foreign = TeamFactory(name="Fremdes Team")
    ours = CaseFactory(destination=destination, reference="AW-TTTT-TTTT-TTTT", team=steuern)
    loose = CaseFactory(destination=destination, reference="AW-OOOO-OOOO-OOOO")
    theirs = CaseFactory(destination=destination, reference="AW-NNNN-NNNN-NNNN", team=ordnung)
    client = _client(worker)

    response = client.get(INBOX, {"team": str(steuern.pk)})
    assert _refs(response) == [ours.reference] and response.context["page"].counts == {"received": 1}
    assert _refs(client.get(INBOX, {"team": "ohne"})) == [loose.reference]
    assert dict(response.context["form"].fields["team"].choices) == {"": "alle", str(steuern.pk): "Steuern",
                                                                      "ohne": "ohne Team"}
    for not_mine in (ordnung, foreign):
        refused = client.get(INBOX, {"team": str(not_mine.pk)})
        assert "Diese Auswahl gibt es nicht" in refused.content.decode()
        assert set(_refs(refused)) == {ours.reference, loose.reference}  # the other filters still apply

    admin = UserFactory(authority=destination.authority, role="kommune_admin")
    response = _client(admin).get(INBOX, {"team": str(ordnung.pk)})
    assert _refs(response) == [theirs.reference]
    assert list(dict(response.context["form"].fields["team"].choices)) == [
        "", str(ordnung.pk), str(steuern.pk), "ohne"]


def test_bad_filters_get_a_german_error_and_the_other_filters_still_apply(destination, worker):
    CaseFactory(destination=destination, state=Case.State.CLOSED)
    response = _client(worker).get(INBOX, {"eingang_von": "32.13.2026", "status": "closed", "zustaendig": "x"})
    assert response.status_code == 200
    assert "Bitte ein Datum angeben" in response.content.decode()
    assert "Diese Auswahl gibt es nicht" in response.content.decode()
    assert response.context["page"].counts["closed"] == 1 and len(response.context["page"].cases) == 1
    bad_cursor = _client(worker).get(INBOX, {"nach": "kein-cursor"}, follow=True)
    assert "Seitenangabe ist ungültig" in bad_cursor.content.decode()


def test_keyset_pages_walk_every_case_once(destination, worker, monkeypatch):
    monkeypatch.setattr(inbox, "PAGE_SIZE", 3)
    start = timezone.now()
    cases = [CaseFactory(destination=destination, received_at=start - dt.timedelta(minutes=i // 2)) for i in range(8)]
    client, seen, url = _client(worker), [], INBOX
    while url:
        response = client.get(url if url.startswith("/") else INBOX + url)
        seen += _refs(response)
        url = response.context["next_url"]
    assert sorted(seen) == sorted(c.reference for c in cases) and len(seen) == len(set(seen))


def test_bulk_assign_and_mine(destination, worker):
    colleague = UserFactory(authority=destination.authority)
    a, b = CaseFactory(destination=destination), CaseFactory(destination=destination)
    client = _client(worker)
    response = client.post(INBOX + "zuweisen/", {"vorgang": [a.pk, b.pk], "zustaendig": colleague.pk,
                                                 "weiter": INBOX + "?status=received"})
    assert response.status_code == 302 and response["Location"] == INBOX + "?status=received"
    assert set(Case.objects.values_list("assignee_id", flat=True)) == {colleague.pk}
    assert CaseEntry.objects.filter(kind=CaseEntry.Kind.ASSIGNED).count() == 2
    assert AuditEntry.objects.filter(action="case.assigned").count() == 2
    client.post(INBOX + "zuweisen/", {"vorgang": [a.pk], "zustaendig": "mir"})
    assert _refs(client.get(INBOX, {"zustaendig": "mir"})) == [a.reference]
    # another Kommune's person or case: refused, nothing changes
    stranger = UserFactory()
    followed = client.post(INBOX + "zuweisen/", {"vorgang": [b.pk], "zustaendig": stranger.pk}, follow=True)
    assert "gibt es in Ihrer Behörde nicht" in followed.content.decode()
    foreign = CaseFactory()
    followed = client.post(INBOX + "zuweisen/", {"vorgang": [foreign.pk], "zustaendig": "mir"}, follow=True)
    assert "mindestens einen Vorgang" in followed.content.decode()
    assert Case.objects.get(pk=foreign.pk).assignee_id is None


def test_case_view_renders_the_form_version_used_and_records_the_view(destination, worker):
    version = FormVersionFactory(published=True)
    content = json.dumps({"data": {"given_name": "Erika", "family_name": "Mustermann", "colour": "blau"},
                          "form": {}, "payment": None, "levelOfAssurance": "hoch", "attachments": []}).encode()
    case = CaseFactory(destination=destination, form_slug=version.form.slug, form_version=version.number,
                       content=vault.seal(destination.authority_id, content, purpose="case.application"))
    response = _client(worker).get(f"{INBOX}vorgang/{case.pk}/")
    page = response.content.decode()
    assert response.status_code == 200
    assert "Angaben zur Person" in page and "Vorname" in page and "Erika" in page and "Blau" in page
    assert f"Version {version.number}" in page and "hoch" in page
    assert response["Cache-Control"].startswith("max-age=0") or "no-store" in response["Cache-Control"]
    entry = AuditEntry.objects.get(action="case.viewed")
    assert entry.actor == worker and entry.target_id == str(case.pk) and "Erika" not in json.dumps(entry.details)


def test_attachments_inline_with_a_strict_policy_and_as_download(destination, worker):
    case, attachment_id = case_with_attachment(destination)
    client = _client(worker)
    inline = client.get(f"{INBOX}vorgang/{case.pk}/anlage/{attachment_id}/")
    assert inline["Content-Type"] == "application/pdf" and inline.content == b"%PDF-1.7 Nachweis"
    assert inline["Content-Disposition"].startswith("inline") and inline["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in inline["Content-Security-Policy"]
    download = client.get(f"{INBOX}vorgang/{case.pk}/anlage/{attachment_id}/?herunterladen=1")
    assert download["Content-Type"] == "application/octet-stream"
    assert download["Content-Disposition"].startswith("attachment")
    html_case, html_id = case_with_attachment(destination, content=b"<script>alert(1)</script>",
                                              filename="x.html", mime_type="text/html")
    served = client.get(f"{INBOX}vorgang/{html_case.pk}/anlage/{html_id}/")
    assert served["Content-Type"] == "application/octet-stream" and "sandbox" in served["Content-Security-Policy"]
    assert AuditEntry.objects.filter(action="case.attachment_viewed").count() == 3


def test_state_changes_notes_and_history_through_the_page(destination, worker):
    case = CaseFactory(destination=destination)
    client = _client(worker)
    url = f"{INBOX}vorgang/{case.pk}/"
    client.post(url + "status/", {"ziel": "in_progress"})
    client.post(url + "status/", {"ziel": "inquiry"})
    assert Case.objects.get(pk=case.pk).paused_since is not None
    client.post(url + "status/", {"ziel": "in_progress"})
    refused = client.post(url + "status/", {"ziel": "decided"}, follow=True)
    assert "Bitte wählen Sie die Entscheidung" in refused.content.decode()
    client.post(url + "status/", {"ziel": "decided", "entscheidung": "partial"})
    wrong = client.post(url + "status/", {"ziel": "received"}, follow=True)
    assert "kann nicht" in wrong.content.decode()
    client.post(url + "notiz/", {"text": "Rückruf am Montag, Nachweis fehlt."})
    too_long = client.post(url + "notiz/", {"text": "x" * 5001}, follow=True)
    assert "höchstens 5000 Zeichen" in too_long.content.decode()
    assert too_long.context["note_form"].initial["text"] == "x" * 5001  # nothing lost
    case.refresh_from_db()
    assert case.state == Case.State.DECIDED and case.decision == Case.Decision.PARTIAL
    page = client.get(url).content.decode()
    assert "Rückruf am Montag" in page and "in Bearbeitung → Rückfrage" in page
    note = CaseEntry.objects.get(kind=CaseEntry.Kind.NOTE)
    assert b"Montag" not in bytes(note.text)
    assert AuditEntry.objects.filter(action="case.state_changed").count() == 4


def test_other_kommune_land_operator_and_other_team_get_404(destination, worker):
    team = TeamFactory(authority=destination.authority, members=[worker])
    other_team = TeamFactory(authority=destination.authority)
    ours = CaseFactory(destination=destination, team=team)
    theirs = CaseFactory(destination=destination, team=other_team)
    kommune_b_admin = UserFactory(authority=AuthorityFactory(), kommune_admin=True)
    operator = UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True))
    admin = UserFactory(authority=destination.authority, kommune_admin=True)
    worker_client = _client(worker)
    assert worker_client.get(f"{INBOX}vorgang/{ours.pk}/").status_code == 200
    assert worker_client.get(f"{INBOX}vorgang/{theirs.pk}/").status_code == 404
    assert _refs(worker_client.get(INBOX)) == [ours.reference]
    assert _client(admin).get(f"{INBOX}vorgang/{theirs.pk}/").status_code == 200  # administrators see all teams
    for outsider in (kommune_b_admin, operator):
        client = _client(outsider)
        assert client.get(f"{INBOX}vorgang/{ours.pk}/").status_code == 404
        assert client.post(f"{INBOX}vorgang/{ours.pk}/status/", {"ziel": "in_progress"}).status_code == 404
        assert _refs(client.get(INBOX)) == []
    assert worker_client.post(f"{INBOX}vorgang/{theirs.pk}/notiz/", {"text": "x"}).status_code == 404
    assert not CaseEntry.objects.filter(kind=CaseEntry.Kind.NOTE).exists()


def test_the_audit_trail_of_case_views_is_readable_by_the_authoritys_admin(destination, worker):
    case = CaseFactory(destination=destination, content=sealed_content(destination.authority_id))
    _client(worker).get(f"{INBOX}vorgang/{case.pk}/")
    admin = UserFactory(authority=destination.authority, kommune_admin=True)
    page = _client(admin).get("/verwaltung/protokoll/").content.decode()
    assert "Vorgang angesehen" in page and case.reference in page
    assert "jeder Zugriff auf einen Vorgang der Sachbearbeitung" in page  # the page says what it holds
    other = UserFactory(authority=AuthorityFactory(), kommune_admin=True)
    assert "Vorgang angesehen" not in _client(other).get("/verwaltung/protokoll/").content.decode()


def test_administrators_switch_the_receiving_system_on_the_page(destination):
    admin = UserFactory(authority=destination.authority, kommune_admin=True)
    client = _client(admin)
    assert "Amtsweg-Sachbearbeitung wählen" in client.get(INBOX + "empfangssystem/").content.decode()
    client.post(f"{INBOX}empfangssystem/{destination.pk}/", {"wahl": "amtsweg"})
    assert destination.casework.active
    page = client.get(INBOX + "empfangssystem/").content.decode()
    assert "zurück zum externen Fachverfahren" in page
    client.post(f"{INBOX}empfangssystem/{destination.pk}/", {"wahl": "extern"})
    destination.casework.refresh_from_db()
    assert not destination.casework.active
    assert AuditEntry.objects.filter(action__startswith="casework.receiving").count() == 2


# --- query shape (issue 14: the inbox at 1,000,000 cases, benchmarks/backoffice.py) ------------------------


def _case_columns(sql: str) -> set[str]:
    import re

    return set(re.findall(r'"casework_case"\."(\w+)"', sql))


def _index_columns(name: str) -> set[str]:
    index = next(i for i in Case._meta.indexes if i.name == name)
    return {Case._meta.get_field(f).column for f in index.fields}


def _inbox_queries(client, params: dict | None = None) -> list[str]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        assert client.get(INBOX, params or {}).status_code == 200
    return [q["sql"] for q in captured.captured_queries if '"casework_case"' in q["sql"]]


def test_counts_per_state_and_services_are_answered_from_their_indexes(destination, worker):
    """The counts per state and the services offered read only columns of one index each (an index-only scan
    on PostgreSQL: no table page per case). Before: COUNT("id") and the team filter read every case's row."""
    team = TeamFactory(authority=destination.authority, members=[worker])
    CaseFactory(destination=destination, team=team, assignee=worker)
    client = _client(worker)
    today = timezone.localdate().isoformat()
    for params in [{}, {"dienst": "99102013000000"}, {"zustaendig": "mir"}, {"zustaendig": "niemand"},
                   {"frist": "ueberfaellig"}, {"frist": "bald"}, {"eingang_von": today, "eingang_bis": today},
                   {"status": "offen", "sortierung": "frist"}]:
        cache.clear()  # the services offered are kept for a minute (next test): asked afresh here each time
        queries = _inbox_queries(client, params)
        counts = [sql for sql in queries if "GROUP BY" in sql]
        assert len(counts) == 1 and "COUNT(*)" in counts[0], params
        assert _case_columns(counts[0]) <= _index_columns("casework_counts_idx"), params
        services = [sql for sql in queries if "DISTINCT" in sql]
        assert len(services) == 1 and _case_columns(services[0]) <= _index_columns("casework_services_idx")


def test_the_services_offered_are_kept_for_a_minute_but_a_service_asked_for_is_found_at_once(destination, worker):
    """Finding the services reads every index entry of the Authority's cases (benchmarks/backoffice.py: 20,000
    per page view), so the choice list is kept per person for a minute. A link to a service the kept list
    lacks (its first case arrived meanwhile) still filters: the list is looked up afresh."""
    CaseFactory(destination=destination, leika_key="99102013000000", service_name="Hundesteuer")
    client = _client(worker)
    assert any("DISTINCT" in sql for sql in _inbox_queries(client))
    assert not any("DISTINCT" in sql for sql in _inbox_queries(client, {"status": "offen"}))
    new = CaseFactory(destination=destination, leika_key="99115004001005", service_name="Meldebescheinigung")
    response = client.get(INBOX, {"dienst": "99115004001005"})
    assert _refs(response) == [new.reference] and not response.context["form"].errors
    assert ("99115004001005", "Meldebescheinigung") in response.context["form"].fields["dienst"].choices


def test_the_next_page_seeks_by_a_range_the_index_can_start_at(destination, worker, monkeypatch):
    """Keyset pagination: the cursor becomes `field <= value AND (field < value OR id < last)` (a range the
    index scan starts at), not only the OR (which PostgreSQL filters row by row from the first page on).
    Rows sharing the sort value across a page boundary are each shown once."""
    monkeypatch.setattr(inbox, "PAGE_SIZE", 2)
    same = timezone.now().replace(microsecond=0)
    cases = [CaseFactory(destination=destination, received_at=same,
                         deadline=timezone.localdate()) for _ in range(5)]
    client = _client(worker)
    for sort, field, op in [("neueste", "received_at", "<="), ("aelteste", "received_at", ">="),
                            ("frist", "deadline", ">=")]:
        seen, params = [], {"sortierung": sort}
        while True:
            response = client.get(INBOX, params)
            seen += _refs(response)
            cursor = response.context["page"].next_cursor
            if not cursor:
                break
            params = {"sortierung": sort, "nach": cursor}
            page_query = next(sql for sql in _inbox_queries(client, params) if "LIMIT" in sql
                              and "GROUP BY" not in sql and "DISTINCT" not in sql)
            assert f'"casework_case"."{field}" {op} ' in page_query, sort
        assert sorted(seen) == sorted(c.reference for c in cases) and len(seen) == len(set(seen)), sort


def test_the_inbox_and_the_case_view_do_not_query_per_row(destination, worker, django_assert_max_num_queries,
                                                          django_capture_on_commit_callbacks):
    """A fixed number of queries however many cases, assignees, teams, notes and attachments there are. The
    inbox: session, user, second factor (once: the middleware checks it, the view's guard then only its role),
    authority, teams, assignable staff, page, counts (the services offered are kept for a minute)."""
    from amtsweg.casework import services

    team = TeamFactory(authority=destination.authority, members=[worker])
    colleagues = [UserFactory(authority=destination.authority) for _ in range(3)]
    for i in range(30):
        CaseFactory(destination=destination, assignee=colleagues[i % 3], team=team if i % 2 else None,
                    service_name=f"Leistung {i % 7}", leika_key=f"9910201300000{i % 7}")
    client = _client(worker)
    client.get(INBOX)
    with django_assert_max_num_queries(8):
        response = client.get(INBOX)
    assert len(response.context["page"].cases) == 30

    case, _attachment = case_with_attachment(destination)
    url = f"{INBOX}vorgang/{case.pk}/"
    with django_capture_on_commit_callbacks(execute=True):  # as committed: the data keys are cached from here on
        client.get(url)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for i in range(5):
        services.add_note(case, f"Notiz {i}", actor=worker)
    services.assign([case], colleagues[0], actor=worker)
    with CaptureQueriesContext(connection) as after:
        assert "Notiz 4" in client.get(url).content.decode()
    assert len(after.captured_queries) == len(before.captured_queries)
    # session, user, second factor, authority, assignable staff as in the inbox, plus the case (the person's
    # teams a subquery of its query), its audit entry, history, event log, forwarding targets; the permission
    # is the page's own lookup of the case (the services trust it: no second team lookup and case query, 14
    # before)
    with django_assert_max_num_queries(10):
        client.get(url)


def test_the_case_page_looks_up_the_workers_teams_once(destination, worker):
    """The page loads the case through the team check (`_case`); the services it calls then trust that
    instance for the same person instead of asking for the teams and the case again (issue 13)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    TeamFactory(authority=destination.authority, members=[worker])
    case, _attachment = case_with_attachment(destination)
    client = _client(worker)
    url = f"{INBOX}vorgang/{case.pk}/"
    client.get(url)
    with CaptureQueriesContext(connection) as page:
        assert client.get(url).status_code == 200
    team_lookups = [q["sql"] for q in page.captured_queries if "casework_team_members" in q["sql"]]
    assert len(team_lookups) == 1, team_lookups


def test_a_case_checked_for_one_person_is_checked_again_for_another(destination, worker):
    from django.core.exceptions import PermissionDenied

    from amtsweg.casework import services

    team = TeamFactory(authority=destination.authority, members=[worker])
    outsider = UserFactory(authority=destination.authority)
    case = Case.objects.get_workable(worker, pk=CaseFactory(destination=destination, team=team).pk)
    services.check_may_work(worker, case)
    with pytest.raises(PermissionDenied):
        services.check_may_work(outsider, case)
    with pytest.raises(Case.DoesNotExist):
        Case.objects.get_workable(outsider, pk=case.pk)


def test_inbox_rows_show_labels_dates_and_links_as_before(destination, worker):
    """The rows prepared once per page (labels, one reversed URL, numeric dates) read as before."""
    from amtsweg.casework import presentation

    received = timezone.make_aware(dt.datetime(2026, 3, 4, 5, 6))
    case = CaseFactory(destination=destination, state=Case.State.CLOSED, decision=Case.Decision.PARTIAL,
                       received_at=received, deadline=dt.date(2026, 4, 5), assignee=worker)
    (row,) = presentation.inbox_rows([case])
    assert row["state"] == "abgeschlossen (teilweise bewilligt)"
    assert row["received"] == "04.03.2026 05:06" and row["deadline"] == "05.04.2026"
    assert row["url"] == f"{INBOX}vorgang/{case.pk}/" and row["assignee"] == "Sabine Sachbearbeiterin"
    page = _client(worker).get(INBOX).content.decode()
    assert f'href="{INBOX}vorgang/{case.pk}/"' in page and "abgeschlossen (teilweise bewilligt)" in page


def test_a_step_or_an_assignment_sent_twice_is_reported_as_done_not_as_an_error(destination, worker):
    case = CaseFactory(destination=destination)
    client = _client(worker)
    url = f"{INBOX}vorgang/{case.pk}/status/"
    client.post(url, {"ziel": "in_progress"})
    again = client.post(url, {"ziel": "in_progress"}, follow=True).content.decode()
    assert "Der Vorgang ist bereits „in Bearbeitung“." in again and "kann nicht" not in again
    assert again.count("Der Vorgang ist bereits") == 1  # shown once (the page frame shows messages)
    client.post(INBOX + "zuweisen/", {"vorgang": [case.pk], "zustaendig": "mir"})
    twice = client.post(INBOX + "zuweisen/", {"vorgang": [case.pk], "zustaendig": "mir"}, follow=True)
    assert "Die ausgewählten Vorgänge waren bereits so zugewiesen." in twice.content.decode()
    assert CaseEntry.objects.filter(kind=CaseEntry.Kind.ASSIGNED).count() == 1


def test_cases_are_vacuumed_early_on_postgresql_so_counts_stay_index_only():
    """Index-only scans need the visibility map, which only VACUUM sets again after cases change: the cases'
    table is vacuumed after 1 % changed rows instead of 20 % (migration 0009; other databases: nothing)."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("autovacuum is PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT reloptions FROM pg_class WHERE relname = 'casework_case'")
        (options,) = cursor.fetchone()
    assert "autovacuum_vacuum_scale_factor=0.01" in (options or [])


@pytest.mark.django_db
def test_postgresql_knows_that_assignee_and_team_imply_the_authority():
    """Extended statistics (migration 0011): without them "mir zugewiesen, offen" was estimated at 33 of 1,636
    rows on benchmarks/backoffice.py and the page read every one of them instead of the first 51."""
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.skip("extended statistics are PostgreSQL's")
    with connection.cursor() as cursor:
        cursor.execute("SELECT stxkind FROM pg_statistic_ext WHERE stxname = 'casework_case_tenant_dependencies'")
        (kinds,) = cursor.fetchone()
    assert "f" in kinds  # functional dependencies


def test_a_land_offices_operators_are_offered_and_can_be_given_its_cases():
    """Issue 14: `assignable_users` offered only Kommune roles, so a Land office handling a service centrally
    could not give a case to its own people (Land operators); every staff role of the tenancy counts now,
    a Kommune's citizens and other Authorities' staff still do not."""
    from amtsweg.casework import services
    from amtsweg.core.actors import SYSTEM
    from amtsweg.routing.tests.factories import DestinationFactory

    land = AuthorityFactory(land_office=True)
    case = CaseFactory(destination=DestinationFactory(authority=land))
    operator = UserFactory(land_operator=True, authority=land, username="land-op")
    team = TeamFactory(authority=land, members=[operator])
    UserFactory(citizen=True, username="buerger")
    UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True), username="other-land")
    assert [u.username for u in services.assignable_users(land)] == ["land-op"]
    assert [u.username for u in services.assignable_users(case, team=team)] == ["land-op"]
    assert services.assign([case], operator, actor=SYSTEM) == 1


def test_every_case_route_answers_404_to_another_kommune_the_land_and_another_team(destination, worker):
    """Issue 14's "Done when": tenancy for every new view. One sweep over every route of a case (reading and
    changing), with a real attachment and a forwarding target, for an administrator of another Kommune, a Land
    operator and a case worker of the same Kommune outside the case's team: 404 everywhere and nothing changed;
    a bulk assignment that names the case changes nothing either."""
    from django.urls import reverse

    from amtsweg.routing.tests.factories import ResponsibilityFactory

    team = TeamFactory(authority=destination.authority, members=[worker])
    case, attachment_id = case_with_attachment(destination)
    Case.objects.filter(pk=case.pk).update(team=team, state=Case.State.IN_PROGRESS, decision="")
    target = ResponsibilityFactory(leika_key=case.leika_key).destination
    closed = CaseFactory(destination=destination, team=team, state=Case.State.CLOSED)
    outsiders = [UserFactory(authority=AuthorityFactory(), kommune_admin=True),
                 UserFactory(land_operator=True, authority=AuthorityFactory(land_office=True)),
                 UserFactory(authority=destination.authority)]  # same Kommune, not in the case's team
    reads = [reverse("casework:case", args=[case.pk]),
             reverse("casework:attachment", args=[case.pk, attachment_id]),
             reverse("casework:case_data_export", args=[case.pk]),
             reverse("casework:case_archive", args=[closed.pk])]
    writes = [(reverse("casework:case_state", args=[case.pk]), {"ziel": "inquiry"}),
              (reverse("casework:case_state", args=[case.pk]), {"ziel": "decided", "entscheidung": "approved"}),
              (reverse("casework:case_assign", args=[case.pk]), {"zustaendig": "ich"}),
              (reverse("casework:case_forward", args=[case.pk]), {"zustellpunkt": str(target.pk)}),
              (reverse("casework:case_note", args=[case.pk]), {"text": "fremd"})]
    before = (Case.objects.values_list("state", "assignee", "team").get(pk=case.pk), CaseEntry.objects.count())
    own = _client(worker)
    assert all(own.get(url).status_code in (200, 302) for url in reads[:2])  # the case's team may read
    for user in outsiders:
        client = _client(user)
        for url in reads:
            assert client.get(url).status_code == 404, (user.role, url)
        for url, data in writes:
            assert client.post(url, data).status_code == 404, (user.role, url)
        client.post(reverse("casework:bulk_assign"), {"vorgang": [str(case.pk)], "zustaendig": "ich"})
        assert ((Case.objects.values_list("state", "assignee", "team").get(pk=case.pk), CaseEntry.objects.count())
                == before), user.role


def test_the_case_page_names_team_and_forwarding_target_once(destination, worker):
    """Issue 14, demo walk: a team called "Team Hundesteuer" read "(Team Team Hundesteuer)" beside the assignee,
    and a destination named like its authority "Bürgerbüro Völklingen – Bürgerbüro Völklingen"."""
    from amtsweg.routing.tests.factories import ResponsibilityFactory

    team = TeamFactory(authority=destination.authority, name="Team Hundesteuer", members=[worker])
    case = CaseFactory(destination=destination, team=team, state=Case.State.IN_PROGRESS)
    target = ResponsibilityFactory(leika_key=case.leika_key).destination
    target.name = target.authority.name
    target.save()
    page = _client(worker).get(f"{INBOX}vorgang/{case.pk}/").content.decode()
    assert "Team Team" not in page and ">Team Hundesteuer</dd>" in page
    assert f">{target.authority.name}</option>" in page
    # browser walk: the demo's "Bürgeramt Saarbrücken – Hundesteuer" read "Bürgeramt Saarbrücken – Bürgeramt
    # Saarbrücken – Hundesteuer"; a name that begins with the authority's is shown once
    target.name = f"{target.authority.name} – Hundesteuer"
    target.save()
    page = _client(worker).get(f"{INBOX}vorgang/{case.pk}/").content.decode()
    assert f">{target.authority.name} – Hundesteuer</option>" in page
    assert f"{target.authority.name} – {target.authority.name}" not in page


def test_administrators_renew_the_back_offices_keys_on_the_page(destination):
    """Issue 14: "rotation works as for external keys" — for an external Fachverfahren a Kommune registers a new
    key at the destination; the back office's keys could only be renewed in code. Now the administrator renews
    them on the receiving-system page: new pairs are published, the previous ones stay until the grace period
    ends (applications encrypted for them still open). Another Kommune's administrator gets 404, staff 403."""
    from amtsweg.casework import receiving

    admin = UserFactory(authority=destination.authority, kommune_admin=True)
    client = _client(admin)
    client.post(f"{INBOX}empfangssystem/{destination.pk}/", {"wahl": "amtsweg"})
    before = destination.active_encryption_key().kid
    assert "Schlüssel erneuern" in client.get(INBOX + "empfangssystem/").content.decode()
    outsider = _client(UserFactory(authority=AuthorityFactory(), kommune_admin=True))
    assert outsider.post(f"{INBOX}empfangssystem/{destination.pk}/", {"wahl": "schluessel"}).status_code == 404
    staff = _client(UserFactory(authority=destination.authority))
    assert staff.post(f"{INBOX}empfangssystem/{destination.pk}/", {"wahl": "schluessel"}).status_code == 403
    assert destination.active_encryption_key().kid == before

    page = client.post(f"{INBOX}empfangssystem/{destination.pk}/", {"wahl": "schluessel"}, follow=True)
    assert "Neue Schlüssel" in page.content.decode()
    after = destination.active_encryption_key().kid
    assert after != before and receiving.private_key(destination.pk, before) is not None
    assert destination.keys.get(kid=before).retired_at is not None  # retired with the grace period, not gone
    receiving.disable(destination, actor=admin)
    refused = client.post(f"{INBOX}empfangssystem/{destination.pk}/", {"wahl": "schluessel"}, follow=True)
    assert "über ein externes Fachverfahren" in refused.content.decode()
