"""rows.insert and rows.batch: the same rows as the ORM writes, sent together as one statement on PostgreSQL."""

from __future__ import annotations

import datetime
import uuid
from unittest import mock

import pytest
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from amtsweg.core import rows
from amtsweg.routing.tests.factories import DestinationFactory
from amtsweg.submissions.models import Case, Event

pytestmark = pytest.mark.django_db


def _inserts(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "INSERT" in q["sql"].upper()]


def test_insert_stores_what_the_orm_would():
    destination = DestinationFactory()
    case = Case(destination=destination)
    rows.insert([case])
    stored = Case.objects.get(pk=case.pk)
    assert stored.destination_id == destination.pk and stored.created_at is not None
    assert not case._state.adding


def test_a_batch_sends_its_inserts_at_the_end_of_the_block():
    destination = DestinationFactory()
    cases = [Case(destination=destination) for _ in range(3)]
    with transaction.atomic(), CaptureQueriesContext(connection) as queries:
        with rows.batch():
            for case in cases:
                rows.insert([case])
            with rows.batch():  # nested: joins the outer batch
                rows.insert([Case(destination=destination)])
            assert len(_inserts(queries)) == 0  # held back so far
        assert Case.objects.filter(destination=destination).count() == 4
    sent = _inserts(queries)
    if connection.vendor == "postgresql":
        assert len(sent) == 1 and sent[0].startswith("WITH ")  # four inserts, one round trip
    else:
        assert len(sent) == 4


def test_a_query_inside_a_batch_sees_the_rows_written_before_it():
    destination = DestinationFactory()
    with transaction.atomic(), rows.batch():
        case = Case(destination=destination)
        rows.insert([case])
        assert Case.objects.filter(pk=case.pk).exists()  # the query sent the pending insert first
        rows.insert([Case(destination=destination)])
    assert Case.objects.filter(destination=destination).count() == 2


def test_a_batch_that_raises_sends_nothing():
    destination = DestinationFactory()

    class Abort(Exception):
        pass

    with pytest.raises(Abort), rows.batch():
        rows.insert([Case(destination=destination)])
        raise Abort
    assert not Case.objects.filter(destination=destination).exists()
    rows.insert([Case(destination=destination)])  # and the connection is out of batch mode again
    assert Case.objects.filter(destination=destination).count() == 1


def _comparable(values: list) -> list:
    """psycopg's JSON wrappers compare by identity: compare what they wrap."""
    return [(type(v), v.obj) if type(v).__name__ in {"Jsonb", "Json"} else v for v in values]


@pytest.mark.filterwarnings("ignore:DateTimeField Event.created_at received a naive datetime:RuntimeWarning")
def test_values_that_skip_the_orm_conversion_are_what_the_orm_would_send():
    """The pass-through for plain text, number and boolean values gives the same parameters as the ORM's
    `pre_save` + `get_db_prep_save`, for every field of what an intake writes (and for odd values)."""
    from amtsweg.delivery.models import OutboxMessage
    from amtsweg.routing.tests.factories import ResponsibilityFactory
    from amtsweg.submissions.tests.factories import payload_for, submit_payload

    submission = submit_payload(payload_for(ResponsibilityFactory(), applicant_email=None))
    objs = [submission.case, submission, *submission.attachments.all(), *submission.events.all(),
            *OutboxMessage.objects.filter(submission_id=submission.pk)]
    odd = Case(destination=submission.destination)
    odd.__dict__["id"] = str(odd.pk)  # a value of another type takes the ORM's path
    naive = Event(case=submission.case, submission=submission, event_type="x", claims={},
                  created_at=datetime.datetime(2026, 1, 2, 3, 4, 5))  # naive: the ORM makes it aware
    import zoneinfo

    berlin = Event(case=submission.case, submission=submission, event_type="x", claims={},
                   created_at=datetime.datetime(2026, 7, 2, 3, 4, 5, 6, tzinfo=zoneinfo.ZoneInfo("Europe/Berlin")))
    frozen = timezone.now()
    for obj in [*objs, odd, naive, berlin]:
        sql, fields = rows._statement(type(obj), "default", 1, False)
        with mock.patch("django.utils.timezone.now", return_value=frozen):  # auto_now(_add) fields
            orm = [f.get_db_prep_save(f.pre_save(obj, True), connection=connection) for f, *_fast in fields]
            ours = rows._column_values([obj], fields, connection)
            assert _comparable(ours) == _comparable(orm), type(obj).__name__
    fast = {f.name: types for obj in objs for f, _a, types, *_c in rows._statement(type(obj), "default", 1, False)[1]}
    assert fast["public_reference"] == (str,) and fast["case"] == (uuid.UUID,) and fast["claims"] == (dict, list)
    assert fast["submitted_at"] == fast["created_at"] == (datetime.datetime,)


def test_pending_inserts_are_grouped_within_psycopgs_cache_limits():
    statements = [("INSERT INTO a (x) VALUES (%s)", [1] * 20)] * 5 + [("INSERT INTO b VALUES " + "x" * 5000, [])]
    groups = list(rows._groups(statements))
    assert [sum(len(p) for _s, p in g) for g in groups] == [40, 40, 20, 0]
    assert groups[-1] == [statements[-1]]  # too long to share a statement: alone


def test_psycopg_still_caches_up_to_the_limits_rows_assumes():
    _queries = pytest.importorskip("psycopg._queries")
    assert _queries.MAX_CACHED_STATEMENT_PARAMS == rows.PSYCOPG_CACHED_PARAMS
    assert _queries.MAX_CACHED_STATEMENT_LENGTH == rows.PSYCOPG_CACHED_BYTES


def test_values_travel_apart_from_the_statement_on_postgresql():
    """Server-side binding: the ciphertext is not quoted into the SQL text (cheaper, and never logged)."""
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only: SQLite always binds its values apart from the statement")
    destination = DestinationFactory()
    with transaction.atomic(), CaptureQueriesContext(connection) as queries, rows.batch():
        rows.insert([Case(destination=destination)])
    [sql] = _inserts(queries)
    assert "$1" in sql and destination.pk.hex not in sql.replace("-", "")


def test_a_failing_insert_raises_djangos_error_and_rolls_back():
    from django.db import IntegrityError

    destination = DestinationFactory()
    case = Case(destination=destination)
    rows.insert([case])
    with pytest.raises(IntegrityError), transaction.atomic(), rows.batch():
        rows.insert([Case(destination=destination)])
        rows.insert([Case(id=case.pk, destination=destination)])  # the same primary key again
    assert Case.objects.filter(destination=destination).count() == 1


def test_unwatched_sqlite_batches_go_straight_to_the_driver_and_watchers_still_see_every_insert():
    destination = DestinationFactory()
    with mock.patch.object(rows, "_send_sqlite", wraps=rows._send_sqlite) as direct:
        with transaction.atomic(), rows.batch():
            rows.insert([Case(destination=destination)])
        assert direct.called == (connection.vendor == "sqlite")
        direct.reset_mock()

        seen = []

        def watcher(execute, sql, params, many, context):
            seen.append(sql)
            return execute(sql, params, many, context)

        with connection.execute_wrapper(watcher), transaction.atomic(), rows.batch():
            rows.insert([Case(destination=destination)])
            rows.insert([Case(destination=destination)])
        assert not direct.called
    assert len([sql for sql in seen if "INSERT" in sql]) == (1 if connection.vendor == "postgresql" else 2)
    assert Case.objects.filter(destination=destination).count() == 3


def test_new_builds_what_the_constructor_would():
    destination = DestinationFactory()
    with mock.patch("django.utils.timezone.now", return_value=timezone.now()):
        fast, orm = rows.new(Case, destination_id=destination.pk), Case(destination_id=destination.pk)
    assert {k: v for k, v in fast.__dict__.items() if k not in {"_state", "id"}} == {
        k: v for k, v in orm.__dict__.items() if k not in {"_state", "id"}}
    assert isinstance(fast.id, uuid.UUID) and fast.id != orm.id  # each gets its own default
    assert fast._state.adding and fast._state.db is None
    rows.insert([fast])
    assert Case.objects.get(pk=fast.pk).destination == destination
    with pytest.raises(TypeError, match="no field"):
        rows.new(Case, destination=destination)  # attnames only: related objects are not cached


def test_new_gives_every_default_the_constructor_gives_and_makes_callable_ones_per_instance():
    from amtsweg.delivery.models import OutboxMessage
    from amtsweg.submissions.models import Submission

    destination = DestinationFactory()
    for model, values in [
        (Submission, {"case_id": uuid.uuid4(), "destination_id": destination.pk}),
        (OutboxMessage, {"submission_id": uuid.uuid4(), "destination_id": destination.pk, "channel": "mail"}),
        (Event, {"case_id": uuid.uuid4(), "submission_id": uuid.uuid4(), "claims": {}}),
    ]:
        with mock.patch("django.utils.timezone.now", return_value=timezone.now()):
            first, second, orm = rows.new(model, **values), rows.new(model, **values), model(**values)
        per_instance = {"id", "public_reference"}  # callable defaults: a new value for each instance
        made = {f.attname for f in model._meta.concrete_fields if callable(f.default)}  # e.g. timezone.now
        assert {k: v for k, v in first.__dict__.items() if k not in {"_state", *made}} == {
            k: v for k, v in orm.__dict__.items() if k not in {"_state", *made}}, model.__name__
        assert set(first.__dict__) == set(orm.__dict__)
        for name in per_instance & set(orm.__dict__):
            if getattr(orm, name) is not None:  # (an auto field's id is None until saved)
                assert getattr(first, name) != getattr(second, name), (model.__name__, name)
    submission = rows.new(Submission, case_id=uuid.uuid4(), destination_id=destination.pk)
    assert submission.announced_attachments == [] and submission.announced_attachments is not rows.new(
        Submission, case_id=uuid.uuid4(), destination_id=destination.pk).announced_attachments  # default=list
