"""The embedded queue backend writes exactly the row django-tasks-db writes, so its worker runs it."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.forms.models import model_to_dict
from django.tasks import task_backends
from django.utils import timezone
from django_tasks_db.backend import DatabaseBackend as UpstreamBackend
from django_tasks_db.models import DBTaskResult

from amtsweg.delivery.database_queue import DatabaseBackend
from amtsweg.delivery.tasks import wake

pytestmark = pytest.mark.django_db

COMPARED = ["status", "args_kwargs", "priority", "task_path", "worker_ids", "queue_name", "backend_name",
            "run_after", "return_value", "exception_class_path", "traceback", "started_at", "finished_at"]


def _row(result) -> dict:
    return model_to_dict(DBTaskResult.objects.get(pk=result.id), fields=COMPARED)


def test_the_default_backend_is_the_lean_one():
    assert type(task_backends["default"]) is DatabaseBackend


@pytest.mark.parametrize("run_after", [None, timezone.now() + timedelta(minutes=5)], ids=["now", "deferred"])
def test_rows_equal_django_tasks_db_rows(run_after):
    ours = DatabaseBackend("default", {})
    upstream = UpstreamBackend("default", {})
    deferred = wake.using(run_after=run_after) if run_after else wake
    mine, theirs = ours.enqueue(deferred, [], {}), upstream.enqueue(deferred, [], {})
    assert _row(mine) == _row(theirs)
    assert mine.status == theirs.status and mine.task.module_path == "amtsweg.delivery.tasks.wake"
    ready = set(DBTaskResult.objects.ready().values_list("id", flat=True))
    assert (mine.db_result.pk in ready) is (run_after is None)
    assert (theirs.db_result.pk in ready) is (run_after is None)


def test_a_worker_claims_and_runs_the_row():
    result = wake.enqueue()
    row = DBTaskResult.objects.ready().get()
    assert str(row.pk) == str(result.id)
    assert row.task.call() == {}  # nothing due: the wake-up finds an empty outbox
