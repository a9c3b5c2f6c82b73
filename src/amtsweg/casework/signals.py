"""Signals of the back office, for the stages built on it (the Postfach), which the back office cannot import.

Sent inside the transaction of their step, so that a receiver's rows (a note to the applicant) are stored
with the step or not at all. Receivers must not do network I/O; mails go out in `transaction.on_commit`.

* `case_forwarded`: a case was forwarded (weitergeleitet) to the responsible authority.
"""

from django.dispatch import Signal

# kwargs: case (casework.Case, locked, state already "forwarded"), submission (the new Submission at the
# responsible authority's destination), destination (that Destination), actor (who forwarded; SYSTEM in jobs)
case_forwarded = Signal()
