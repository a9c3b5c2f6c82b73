"""The subscriber side of the Submission API as plain functions: what a receiving system may do.

A receiving system (an external Fachverfahren through the API, or Amtsweg's own back office,
`amtsweg.casework`) lists the submissions waiting for its destinations, fetches one with its encrypted
metadata, data and attachments (the first fetch marks it forwarded), and answers with a signed
accept-submission or reject-submission event. Both go through these functions, so the back office sees
exactly what a Fachverfahren sees and nothing reads the transport's tables directly.

Who acts is explicit: a `Subscriber` names the destinations it receives for. The API builds it from the
bearer token's grant (`Subscriber.for_grant`); the back office for the one destination it is the
receiving system of (`Subscriber.for_destination`). Everything outside those destinations is "not found"
(404), so ids are not confirmed to outsiders.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.utils.translation import gettext as _

from amtsweg.core import parsers
from amtsweg.submissions import events, services
from amtsweg.submissions.errors import Forbidden, NotFound, SubmissionError, Unprocessable
from amtsweg.submissions.models import Case, Event, Submission, SubmissionAttachment

if TYPE_CHECKING:
    from amtsweg.submissions.oauth import Grant

READY = (Submission.Status.SUBMITTED, Submission.Status.FORWARDED)


class BadRequest(SubmissionError):
    """The request itself is malformed (400), e.g. an event that is no JWS."""


@dataclass(frozen=True)
class Subscriber:
    """A receiving system: the destinations (ids, lower-case strings) it may fetch from and answer for."""

    destination_ids: frozenset[str] = field(default_factory=frozenset)

    @classmethod
    def for_grant(cls, grant: Grant) -> Subscriber:
        """The API's caller: the destinations of its `subscribe:destination:<id>` scopes."""
        return cls(frozenset(grant.subscribe))

    @classmethod
    def for_destination(cls, destination_id: uuid.UUID | str) -> Subscriber:
        """A system that receives for one destination (the back office for a destination it serves)."""
        return cls(frozenset({str(destination_id).lower()}))

    def may_receive(self, destination_id: uuid.UUID | str) -> bool:
        return str(destination_id).lower() in self.destination_ids


@dataclass(frozen=True)
class WaitingPage:
    """One page of waiting submissions: (destination id, submission id, case id) rows and the total."""

    total: int
    rows: list[tuple[uuid.UUID, uuid.UUID, uuid.UUID]]


@dataclass
class FetchedSubmission:
    """A fetched submission with everything encrypted for its destination (compact JWE strings)."""

    submission: Submission
    encrypted_metadata: str
    encrypted_data: str
    attachments: dict[str, str]  # attachment id → JWE, in announced order (empty unless asked for)


def list_waiting(
    subscriber: Subscriber, destination_id: uuid.UUID | str | None = None, *, limit: int = 100, offset: int = 0
) -> WaitingPage:
    """Submissions ready for pick-up (submitted or forwarded), oldest first.

    With `destination_id` only that destination's (Forbidden unless the subscriber receives for it),
    else all of the subscriber's destinations (Forbidden if it receives for none).
    """
    if destination_id is not None:
        if not subscriber.may_receive(destination_id):
            raise Forbidden("Dieser Zugang darf Einreichungen dieses Zustellpunkts nicht abholen.")
        destination_ids: Iterable[str] = {str(destination_id).lower()}
    else:
        destination_ids = subscriber.destination_ids
        if not destination_ids:
            raise Forbidden("Dieser Zugang ist kein empfangendes System (subscribe:destination:<id>).")
    queryset = Submission.objects.waiting_for(destination_ids).order_by("submitted_at", "id")
    total = queryset.count()
    rows = list(queryset.values_list("destination_id", "id", "case_id", named=True)[offset:offset + limit])
    return WaitingPage(total=total, rows=rows)


def ready_submission(subscriber: Subscriber, submission_id: uuid.UUID | str) -> Submission:
    """A submission of one of the subscriber's destinations that is ready for pick-up, or NotFound."""
    try:
        pk = uuid.UUID(str(submission_id))
    except ValueError:
        raise NotFound("Einreichung nicht gefunden.") from None
    try:
        submission = Submission.objects.get(pk=pk)  # unordered: .first() would add ORDER BY
    except Submission.DoesNotExist:
        submission = None
    if submission is None or not subscriber.may_receive(submission.destination_id):
        raise NotFound("Einreichung nicht gefunden.")
    if submission.status not in READY:
        raise NotFound("Einreichung nicht gefunden oder nicht abholbereit.")
    return submission


def fetch(
    subscriber: Subscriber, submission_id: uuid.UUID | str, *, with_attachments: bool = False
) -> FetchedSubmission:
    """Fetch a waiting submission; the first fetch moves it to forwarded (one forward-submission event).

    `with_attachments` also reads every attachment's JWE (the back office takes all in one go; the API
    serves them one request each).
    """
    submission = ready_submission(subscriber, submission_id)
    services.mark_forwarded(submission)
    attachments: dict[str, str] = {}
    if with_attachments and submission.announced_attachments:
        stored = {str(a.pk): a for a in SubmissionAttachment.objects.filter(submission=submission)}
        attachments = {pk: stored[pk].read_jwe() for pk in submission.announced_attachments if pk in stored}
    return FetchedSubmission(submission, submission.encrypted_metadata, submission.encrypted_data, attachments)


def fetch_attachment(
    subscriber: Subscriber, submission_id: uuid.UUID | str, attachment_id: uuid.UUID | str
) -> str:
    """One attachment of a waiting submission as its compact JWE (also marks the submission forwarded)."""
    submission = ready_submission(subscriber, submission_id)
    try:
        attachment = SubmissionAttachment.objects.get(pk=uuid.UUID(str(attachment_id)), submission=submission)
    except (ValueError, SubmissionAttachment.DoesNotExist):
        raise NotFound("Anlage nicht gefunden.") from None
    services.mark_forwarded(submission)
    return attachment.read_jwe()


def authentication_tags(submission: Submission) -> dict[str, Any]:
    """The authentication tags the platform recorded at submit (submit-submission event), to compare
    the fetched ciphertext against: {"metadata", "data"?, "attachments": {id: tag}}."""
    event = Event.objects.filter(submission=submission, event_type=events.SUBMIT).order_by("created_at").first()
    if event is None:
        return {}
    payload = event.claims.get("events", {}).get(events.SUBMIT, {})
    return payload.get("authenticationTags", {}) if isinstance(payload, dict) else {}


def send_event(subscriber: Subscriber, case_id: uuid.UUID | str, token: str) -> Event:
    """Post a signed accept/reject Security Event Token for a submission of the case.

    The token is verified against the destination's registered signature key by
    `events.receive_destination_event` (raises `events.EventRejected`). NotFound for a case outside the
    subscriber's destinations, BadRequest for a token that does not name a submission, Unprocessable for a
    submission of another case.
    """
    case_pk = _uuid_or_not_found(case_id, "Vorgang nicht gefunden.")
    submission_pk = _submission_named_by(token)
    # One read for case and submission; the case alone is read only to name the error.
    submission = Submission.objects.filter(pk=submission_pk, case_id=case_pk).first()
    if submission is None or not subscriber.may_receive(submission.destination_id):
        _case(subscriber, case_pk)  # NotFound for a case that is not the subscriber's
        raise Unprocessable("Die Einreichung (sub) gehört nicht zu diesem Vorgang.")
    return events.receive_destination_event(submission, token)


def answer(subscriber: Subscriber, fetched: FetchedSubmission, token: str) -> Event:
    """`send_event` for a submission this subscriber has just fetched (`fetch`, in the same transaction): the
    fetch read the submission and checked that the subscriber receives for its destination, so it is not read
    again (one statement less per submission in the back office's ingest). The token is verified all the same
    (`events.receive_destination_event`): signed by an active signature key of the destination, `sub` and `txn`
    naming this submission and its case, the status moved only from submitted or forwarded."""
    submission = fetched.submission
    if not subscriber.may_receive(submission.destination_id):
        raise NotFound("Vorgang nicht gefunden.")
    return events.receive_destination_event(submission, token)


def _uuid_or_not_found(value: uuid.UUID | str, message: str) -> uuid.UUID:
    try:
        return uuid.UUID(str(value))
    except ValueError:
        raise NotFound(message) from None


def _case(subscriber: Subscriber, case_id: uuid.UUID | str) -> Case:
    pk = _uuid_or_not_found(case_id, "Vorgang nicht gefunden.")
    case = Case.objects.filter(pk=pk).first()
    if case is None or not subscriber.may_receive(case.destination_id):
        raise NotFound("Vorgang nicht gefunden.")
    return case


def _submission_named_by(token: str) -> uuid.UUID:
    """The submission id in the unverified claim `sub`; the signature is verified afterwards."""
    from joserfc.util import urlsafe_b64decode

    parts = token.split(".")
    if len(parts) != 3:
        raise BadRequest(_("Der Inhalt muss ein Security Event Token (JWS in kompakter Serialisierung) sein."))
    try:
        claims = parsers.loads(urlsafe_b64decode(parts[1].encode("ascii")))
    except (ValueError, UnicodeError) as exc:
        raise BadRequest(_("Die Nutzdaten des Tokens sind kein base64url-kodiertes JSON.")) from exc
    if not isinstance(claims, dict):
        raise BadRequest(_("Die Nutzdaten des Tokens sind kein JSON-Objekt."))
    sub = str(claims.get("sub", ""))
    if not sub.startswith("submission:"):
        raise BadRequest(_("Der Claim „sub“ muss „submission:<id>“ lauten."))
    try:
        return uuid.UUID(sub.split(":", 1)[1])
    except ValueError as exc:
        raise BadRequest(_("Der Claim „sub“ muss „submission:<id>“ lauten.")) from exc


def event_log(subscriber: Subscriber, case_id: uuid.UUID | str) -> list[Event]:
    """The case's event log (FIT-Connect caseId), oldest first, as the API's GET …/events gives it (claims
    fixed; platform signatures are added when the API serves the log)."""
    case = _case(subscriber, case_id)
    return list(Event.objects.filter(case=case).order_by("created_at", "id"))
