"""Intake counts for `/metrics` (`amtsweg.core.metrics`): applications stored, counted after their commit
(a rolled-back intake is no application), by the way they came in."""

from __future__ import annotations

from amtsweg.core import metrics

INTAKES = metrics.counter(
    "amtsweg_intakes", "Applications stored (after commit), by source: the platform's own form or the Submission API.",
    ("source",),
)
FORM_INTAKE = INTAKES.labels("form")
API_INTAKE = INTAKES.labels("api")
