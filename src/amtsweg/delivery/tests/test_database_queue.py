"""The embedded queue is django-tasks-db's backend as it ships: its worker claims and runs the wake-up."""

from __future__ import annotations

import uuid

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


def test_a_wake_up_on_another_backend_does_not_stop_the_next_intakes_wake_up():
    """A process that once woke workers through a broker (the RQ option) and then uses the database queue
    again still wakes them: the broker's job id is never looked up as a database task."""
    from django.tasks.backends.dummy import DummyBackend

    from amtsweg.accounts.tests.factories import AuthorityFactory
    from amtsweg.delivery import services

    original = task_backends["default"]
    task_backends["default"] = DummyBackend("default", {})
    try:
        services.wake_workers()  # a job id of the other backend
    finally:
        task_backends["default"] = original
    services.enqueue(submission_id=uuid.uuid4(), destination_id=uuid.uuid4(),
                     authority_id=AuthorityFactory().pk, channel_names=["email"])
    assert DBTaskResult.objects.ready().filter(task_path="amtsweg.delivery.tasks.wake").exists()
