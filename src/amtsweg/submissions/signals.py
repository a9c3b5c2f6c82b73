"""Signals of the submission lifecycle.

Both are sent inside the database transaction of their step, so that receivers (the delivery outbox)
write their rows in that same transaction: either both are stored or neither. Receivers must not do
network I/O.

* `submission_submitted`: a submitted application is stored.
* `destination_event_received`: the Fachverfahren's accept or reject event is stored and the submission
  moved to accepted/rejected (the sender's callback is notified from here).
"""

from django.dispatch import Signal

# kwargs: submission (amtsweg.submissions.models.Submission)
submission_submitted = Signal()

# kwargs: submission (Submission, locked, status already accepted/rejected), event (the stored Event)
destination_event_received = Signal()
