"""Tasks of the maturity measurement (django.tasks; run by the configured worker)."""

from django.tasks import task

from amtsweg.core.actors import SYSTEM
from amtsweg.maturity import compute, snapshots


@task()
def recompute_all_task() -> dict[str, float]:
    """The full recompute (set-based); safe to run twice, the second run writes the same cells."""
    result = compute.recompute_all(actor=SYSTEM)
    return {"cells": result.cells, "seconds": result.seconds}


@task()
def snapshot_task() -> dict[str, int]:
    """The daily run: recompute everything, then keep today's counts per Kommune."""
    compute.recompute_all(actor=SYSTEM)
    return {"areas": snapshots.take(actor=SYSTEM)}
