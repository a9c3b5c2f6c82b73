"""The embedded task queue: django-tasks-db, with an enqueue cheap enough for the intake's hot path.

Every intake enqueues one wake-up task inside its transaction. django-tasks-db writes that row with
`objects.create()` (INSERT compiled per call, `pre_save` signal, read of every field default), which cost
more than all the intake's other inserts together. This backend writes the same row with
`amtsweg.core.rows.insert` (statement compiled once) and does by hand what django-tasks-db's `pre_save`
receiver does (a task without `run_after` is stored with the far-future marker the worker treats as
"now"). Workers, results and the admin are django-tasks-db's, unchanged: `amtsweg db_worker` runs it.
"""

from __future__ import annotations

from typing import Any

from django.utils.json import normalize_json
from django_tasks_db.backend import DatabaseBackend as BaseDatabaseBackend

from amtsweg.core import rows


class DatabaseBackend(BaseDatabaseBackend):
    def _task_to_db_task(self, task, args, kwargs) -> Any:
        from django_tasks_db.models import DBTaskResult, get_date_max

        result = DBTaskResult(
            id=self._get_id(),
            args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
            priority=task.priority,
            task_path=task.module_path,
            queue_name=task.queue_name,
            run_after=task.run_after or get_date_max(),
            backend_name=self.alias,
        )
        rows.insert([result])
        return result
