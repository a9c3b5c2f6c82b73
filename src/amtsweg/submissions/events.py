"""The event log: one Security Event Token (RFC 8417, JWS compact, PS512) per step of a case.

Token shape (FIT-Connect): header `{"typ": "secevent+jwt", "alg": "PS512", "kid": …}`, claims
`iss`, `iat`, `jti`, `sub` = `submission:<id>`, `txn` = `case:<caseId>`, `events` = {<event URI>: {…}}.

* Platform steps (create, submit, notify, forward, delete) are recorded with `record()` inside the
  transaction of the step; their claims are fixed then. The RSA-4096 signature is added by `seal()`,
  off the intake's hot path (a private-key operation costs milliseconds): when the log is read
  (API, status page) or by whoever calls `seal_pending()` (the delivery worker). Verify platform tokens
  with the JWKS at `/.well-known/jwks.json`.
* Accept/reject come from the Fachverfahren as SETs signed with its destination signature key
  (registered in routing, purpose "signature"); `receive_destination_event()` verifies them before they
  are stored and moves the submission to accepted/rejected.
"""

from __future__ import annotations

import functools
import json
import re
import time
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import RSAKey
from joserfc.util import urlsafe_b64decode

from amtsweg.core import parsers, platform_keys
from amtsweg.core.ids import uuid7
from amtsweg.core.inserts import insert_objects
from amtsweg.submissions.models import Event, Submission

EVENT_BASE = "https://schema.fitko.de/fit-connect/events/"
CREATE = EVENT_BASE + "create-submission"
SUBMIT = EVENT_BASE + "submit-submission"
NOTIFY = EVENT_BASE + "notify-submission"
FORWARD = EVENT_BASE + "forward-submission"
ACCEPT = EVENT_BASE + "accept-submission"
REJECT = EVENT_BASE + "reject-submission"
DELETE = EVENT_BASE + "delete-submission"
PLATFORM_EVENTS = {CREATE, SUBMIT, NOTIFY, FORWARD, DELETE}
DESTINATION_EVENTS = {ACCEPT, REJECT}

SET_TYPE = "secevent+jwt"
ALGORITHM = "PS512"

# FIT-Connect problem types a Fachverfahren may name when it rejects a submission.
PROBLEM_BASE = "https://schema.fitko.de/fit-connect/events/problems/"
PROBLEM_TYPES = {
    PROBLEM_BASE + code
    for code in (
        "encryption-issue",
        "missing-authentication-tags",
        "incorrect-authentication-tags",
        "syntax-violation",
        "unsupported-metadata-schema",
        "invalid-metadata",
        "missing-data",
        "missing-schema",
        "unsupported-data-schema",
        "invalid-data",
        "missing-attachments",
        "attachments-mismatch",
        "incorrect-attachment-hash",
        "incorrect-data-hash",
        "service-mismatch",
        "unsupported-service",
        "destination-mismatch",
        "unsupported-reply-channel",
        "unsupported-payment-method",
        "technical-error",
    )
}
PROBLEM_SLUG_RE = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")


def is_problem_type(value: Any) -> bool:
    """A FIT-Connect problem type: one of `PROBLEM_TYPES` or another slug under the FIT-Connect problem base
    (the catalogue grows between versions; a receiver must not be refused for using a newer code)."""
    if not isinstance(value, str) or not value.startswith(PROBLEM_BASE):
        return False
    return value in PROBLEM_TYPES or bool(PROBLEM_SLUG_RE.match(value[len(PROBLEM_BASE):]))


# Clock skew tolerated for `iat` of SETs posted by a Fachverfahren.
MAX_FUTURE_SECONDS = 300

STATUS_AFTER = {
    SUBMIT: Submission.Status.SUBMITTED,
    FORWARD: Submission.Status.FORWARDED,
    ACCEPT: Submission.Status.ACCEPTED,
    REJECT: Submission.Status.REJECTED,
    DELETE: Submission.Status.DELETED,
}


def platform_issuer() -> str:
    return settings.PUBLIC_BASE_URL


def build(submission: Submission, event_uri: str, payload: dict[str, Any] | None = None, *,
          at: datetime | None = None) -> Event:
    """An unsaved platform event (for `bulk_create` of steps recorded together)."""
    if event_uri not in PLATFORM_EVENTS:
        raise ValueError(f"not a platform event: {event_uri}")
    at = at or timezone.now()
    jti = uuid7()
    claims = {
        "iss": platform_issuer(),
        "iat": int(at.timestamp()),
        "jti": str(jti),
        "sub": f"submission:{submission.id}",
        "txn": f"case:{submission.case_id}",
        "events": {event_uri: payload or {}},
    }
    return Event(id=jti, case_id=submission.case_id, submission_id=submission.id, event_type=event_uri,
                 claims=claims, created_at=at)


def record(submission: Submission, event_uri: str, payload: dict[str, Any] | None = None) -> Event:
    """Record a platform step in the case's event log (claims now, signature by `seal`)."""
    event = build(submission, event_uri, payload)
    insert_objects([event])  # as save(force_insert=True), without compiling the INSERT (core.inserts)
    return event


def sign_claims(claims: dict[str, Any]) -> str:
    key = platform_keys.signing_key()
    header = {"typ": SET_TYPE, "alg": ALGORITHM, "kid": key.kid}
    payload = json.dumps(claims, separators=(",", ":"), sort_keys=True).encode()
    return jws.serialize_compact(header, payload, key, algorithms=[ALGORITHM])


def seal(event: Event) -> Event:
    """Sign a recorded platform event once; concurrent sealers keep the first signature."""
    if event.token:
        return event
    token = sign_claims(event.claims)
    kid = platform_keys.signing_key().kid
    if Event.objects.filter(pk=event.pk, token="").update(token=token, signing_kid=kid) == 0:
        event.refresh_from_db(fields=["token", "signing_kid"])
    else:
        event.token, event.signing_kid = token, kid
    return event


def seal_pending(limit: int = 500) -> int:
    """Sign recorded platform events that are not signed yet; returns how many were signed."""
    count = 0
    for event in Event.objects.filter(token="").order_by("created_at")[:limit]:
        seal(event)
        count += 1
    return count


def signed_log(events) -> list[Event]:
    """The given events, every one sealed (for readers of the log)."""
    return [seal(e) if not e.token else e for e in events]


def token_header(token: str) -> dict[str, Any]:
    try:
        header = parsers.loads(urlsafe_b64decode(token.split(".")[0].encode("ascii")))
    except (ValueError, UnicodeError, IndexError) as exc:
        raise EventRejected("malformed", "Das Security Event Token ist kein JWS in kompakter Form.") from exc
    if not isinstance(header, dict):
        raise EventRejected("malformed", "Der Kopf des Security Event Tokens ist kein JSON-Objekt.")
    return header


@dataclass
class VerifiedEvent:
    event_uri: str
    claims: dict[str, Any]
    verified: bool
    key_kid: str


def verify_platform_token(token: str) -> dict[str, Any]:
    """Verify a platform SET against the platform key; returns its claims (raises JoseError)."""
    key = platform_keys.signing_key()
    public = RSAKey.import_key(key.as_dict(private=False))
    result = jws.deserialize_compact(token, public, algorithms=[ALGORITHM])
    return json.loads(result.payload)


def verification_state(event: Event) -> bool:
    """True if the stored token verifies with the key that signed it and carries the stored claims."""
    if not event.token:
        return False
    try:
        if event.issuer == Event.Issuer.PLATFORM:
            claims = verify_platform_token(event.token)
        else:
            key = _destination_signature_key(event.submission, event.signing_kid)
            if key is None:
                return False
            claims = json.loads(jws.deserialize_compact(event.token, key, algorithms=[ALGORITHM]).payload)
    except (JoseError, ValueError):
        return False
    return claims == event.claims


class EventRejected(Exception):
    """A SET posted by a Fachverfahren was refused. `kind`: malformed (400), invalid (422), conflict (409)."""

    def __init__(self, kind: str, detail: str):
        super().__init__(detail)
        self.kind = kind
        self.detail = detail


def _destination_signature_key(submission: Submission, kid: str) -> RSAKey | None:
    """The activated signature key `kid` of the submission's destination (retired ones included: grace period),
    as of the routing index (`routing.resolution.signature_keys`: no query per event)."""
    from amtsweg.routing.resolution import signature_keys

    key = next((key for key in signature_keys(submission.destination_id) if key.kid == kid), None)
    if key is None:
        return None
    jwk = {k: v for k, v in key.jwk.items() if k in {"kty", "n", "e", "kid", "alg", "use", "key_ops"}}
    return _public_signature_key(json.dumps(jwk, sort_keys=True))


@functools.lru_cache(maxsize=256)
def _public_signature_key(jwk_json: str) -> RSAKey:
    """A destination's public signature key, imported once per process: importing an RSA-4096 key costs
    milliseconds of CPU, on every accept/reject event otherwise (profiled in the back office's ingest).
    Keyed by the JWK itself, so another or a changed key is another entry; whether the key may be used
    (destination, kid, activated) is decided by `_destination_signature_key` each time."""
    return RSAKey.import_key(json.loads(jwk_json))


def receive_destination_event(submission: Submission, token: str) -> Event:
    """Verify an accept/reject SET from the submission's Fachverfahren and store it.

    Checks: JWS compact with typ `secevent+jwt` and alg PS512, signed by an active signature key of the
    submission's destination (by `kid`); claims `sub`/`txn` name this submission and case; exactly one
    event, accept or reject; a reject names known FIT-Connect problem types; `jti` not seen before.
    """
    header = token_header(token)
    if header.get("typ") != SET_TYPE:
        raise EventRejected("malformed", "Der Token-Typ (typ) muss „secevent+jwt“ sein.")
    if header.get("alg") != ALGORITHM:
        raise EventRejected("malformed", "Der Signaturalgorithmus (alg) muss PS512 sein.")
    kid = header.get("kid")
    if not isinstance(kid, str) or not kid:
        raise EventRejected("malformed", "Im Kopf des Tokens fehlt die Schlüssel-ID (kid).")
    key = _destination_signature_key(submission, kid)
    if key is None:
        raise EventRejected("invalid", "Der Signaturschlüssel (kid) ist für diesen Zustellpunkt nicht hinterlegt.")
    try:
        claims = json.loads(jws.deserialize_compact(token, key, algorithms=[ALGORITHM]).payload)
    except (JoseError, ValueError) as exc:
        raise EventRejected("invalid", "Die Signatur des Security Event Tokens ist ungültig.") from exc
    if not isinstance(claims, dict):
        raise EventRejected("invalid", "Die Nutzdaten des Tokens sind kein JSON-Objekt.")
    _check_claims(submission, claims)
    from amtsweg.submissions.signals import destination_event_received

    event_uri = next(iter(claims["events"]))
    status, now = STATUS_AFTER[event_uri], timezone.now()
    try:
        with transaction.atomic():
            # The status moves only from submitted or forwarded, decided by the UPDATE's condition (re-checked
            # under the row lock when two events race), so no locked re-read of the row is needed.
            moved = Submission.objects.filter(
                pk=submission.pk, status__in=(Submission.Status.SUBMITTED, Submission.Status.FORWARDED)
            ).update(status=status, updated_at=now)
            if not moved:
                current = Submission.objects.filter(pk=submission.pk).values_list("status", flat=True).first()
                raise EventRejected("conflict", f"Die Einreichung ist im Status „{current}“; kein Übergang möglich.")
            # A jti seen before fails on the event's primary key (no look first: one statement less per event);
            # the savepoint of this block rolls the UPDATE back with it.
            event = Event(
                id=claims["jti"],
                case_id=submission.case_id,
                submission=submission,
                event_type=event_uri,
                issuer=Event.Issuer.DESTINATION,
                claims=claims,
                token=token,
                signing_kid=kid,
            )
            insert_objects([event])  # no signal receivers on events: one INSERT without compiling it
            submission.status, submission.updated_at = status, now
            # Inside the transaction: receivers (the sender-callback outbox row) commit or roll back with it.
            destination_event_received.send(sender=Submission, submission=submission, event=event)
    except IntegrityError:
        if Event.objects.filter(pk=claims["jti"]).exists():
            raise EventRejected("conflict", "Ein Ereignis mit dieser jti ist bereits gespeichert.") from None
        raise
    return event


def _check_claims(submission: Submission, claims: dict[str, Any]) -> None:
    for name in ("iss", "iat", "jti", "sub", "txn", "events"):
        if name not in claims:
            raise EventRejected("invalid", f"Im Token fehlt der Claim „{name}“.")
    if claims["sub"] != f"submission:{submission.id}":
        raise EventRejected("invalid", "Der Claim „sub“ nennt nicht diese Einreichung.")
    if claims["txn"] != f"case:{submission.case_id}":
        raise EventRejected("invalid", "Der Claim „txn“ nennt nicht diesen Vorgang.")
    if claims["iss"] != str(submission.destination_id):
        raise EventRejected("invalid", "Der Claim „iss“ muss die ID des Zustellpunkts sein.")
    try:
        uuid.UUID(str(claims["jti"]))
    except ValueError as exc:
        raise EventRejected("invalid", "Der Claim „jti“ muss eine UUID sein.") from exc
    if not isinstance(claims["iat"], int) or claims["iat"] > time.time() + MAX_FUTURE_SECONDS:
        raise EventRejected("invalid", "Der Claim „iat“ ist keine gültige Zeit oder liegt in der Zukunft.")
    events = claims["events"]
    if not isinstance(events, dict) or len(events) != 1:
        raise EventRejected("invalid", "Der Claim „events“ muss genau ein Ereignis enthalten.")
    event_uri, payload = next(iter(events.items()))
    if event_uri not in DESTINATION_EVENTS:
        raise EventRejected("invalid", "Ein Fachverfahren kann nur accept-submission oder reject-submission senden.")
    if not isinstance(payload, dict):
        raise EventRejected("invalid", "Die Ereignisdaten müssen ein JSON-Objekt sein.")
    if event_uri == REJECT:
        problems = payload.get("problems")
        if not isinstance(problems, list) or not problems:
            raise EventRejected("invalid", "Eine Zurückweisung muss mindestens ein Problem (problems) nennen.")
        for problem in problems:
            if not isinstance(problem, dict) or not is_problem_type(problem.get("type")):
                raise EventRejected("invalid", "Unbekannter Problemtyp in problems[].type.")
