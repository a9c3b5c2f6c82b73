"""The embedded queue is django-tasks-db's backend as it ships: its worker claims and runs the wake-up."""

from __future__ import annotations

import pytest
from django.tasks import task_backends
from django_tasks_db import DatabaseBackend
from django_tasks_db.models import DBTaskResult

from amtsweg.delivery.tasks import wake

pytestmark = pytest.mark.django_db


def test_the_default_backend_is_django_tasks_dbs_own():
    assert type(task_backends["default"]) is DatabaseBackend


def test_a_worker_claims_and_runs_the_row():
    result = wake.enqueue()
    row = DBTaskResult.objects.ready().get()
    assert str(row.pk) == str(result.id)
    assert row.task.call() == {}  # nothing due: the wake-up finds an empty outbox
