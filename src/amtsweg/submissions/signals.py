"""Signals of the submission lifecycle.

`submission_submitted` is sent inside the database transaction that stores a submitted application, so
that receivers (the delivery outbox) write their rows in that same transaction: either both are stored
or neither. Receivers must not do network I/O.
"""

from django.dispatch import Signal

# kwargs: submission (amtsweg.submissions.models.Submission)
submission_submitted = Signal()
