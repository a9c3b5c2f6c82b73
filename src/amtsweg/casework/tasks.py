"""Tasks of the back office (django.tasks; the database queue of django-tasks-db in the embedded setup)."""

from django.tasks import task

from amtsweg.casework import retention
from amtsweg.core.actors import SYSTEM


@task()
def purge_expired_cases() -> dict[str, int]:
    """The daily retention run (`casework.retention.purge_expired`); idempotent, so a second run enqueued
    while the first still waits finds nothing left to do."""
    result = retention.purge_expired(actor=SYSTEM)
    return {"deleted": result.deleted, "batches": result.batches}
