"""The validation engine: plain functions over a definition and the answers so far (no views, no models)."""

from .conditions import is_visible, prune_answers, visible_fields, visible_steps
from .step import PendingUpload, StepResult, remove_entry, validate_step

__all__ = ["PendingUpload", "StepResult", "is_visible", "prune_answers", "remove_entry", "validate_step",
           "visible_fields", "visible_steps"]
