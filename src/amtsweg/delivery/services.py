"""Outbox services: enqueue, claim, deliver, retry, dead-letter, resend.

The state machine of a message:

    pending ──claim──► in_flight ──success──► delivered
       ▲                  │  │
       └──failure, retry──┘  └──failure past the horizon / permanent──► dead ──resend──► pending
    in_flight with an expired lease (its worker died) counts as due again.

Claiming is safe with several workers: candidates are selected (`SELECT … FOR UPDATE SKIP LOCKED` where
the database has it) and then taken with one conditional UPDATE that only matches rows still due; the
claim token tells which rows this worker won. Network I/O happens outside any transaction.
"""

from __future__ import annotations

import functools
import logging
import secrets
import uuid
from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime, timedelta
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connection, transaction
from django.db.models import F, Q
from django.db.models.functions import Coalesce
from django.tasks import TaskResultStatus
from django.utils import timezone

from amtsweg.core import requestid
from amtsweg.core.actors import is_system
from amtsweg.core.inserts import insert_objects
from amtsweg.core.tenancy import require_actor
from amtsweg.delivery import channels, conf
from amtsweg.delivery.models import OutboxMessage
from amtsweg.delivery.policy import RetryPolicy

logger = logging.getLogger(__name__)
Status = OutboxMessage.Status
MAX_ERROR_LENGTH = 2000


def enqueue(
    *, submission_id, destination_id, authority_id: int, channel_names: Iterable[str], case_id=None
) -> list[str]:
    """Write one outbox row per push channel (idempotent) and wake a worker after commit.

    Must be called inside the transaction that stores the submission; does no network I/O.
    Returns the channels for which a row exists now.
    """
    wanted = channels.push_channels(channel_names)
    if not wanted:
        return []
    now, request_id = timezone.now(), requestid.current()
    messages = [
        OutboxMessage(
            idempotency_key=OutboxMessage.key_for(submission_id, name),
            submission_id=submission_id,
            destination_id=destination_id,
            case_id=case_id,
            authority_id=authority_id,
            channel=name,
            next_attempt_at=now,
            request_id=request_id if requestid.is_valid(request_id) else "",
        )
        for name in wanted
    ]
    insert_objects(messages, ignore_conflicts=True)  # one INSERT without compiling it (core.inserts)
    if _queue_is_this_database():
        # The task row commits (or rolls back) together with the outbox rows: one commit less per
        # submission, and a worker never sees the wake-up before the messages.
        wake_workers()
    else:
        # A broker is outside the transaction: wake only after commit, or the worker finds nothing.
        transaction.on_commit(wake_workers)
    return wanted


def _queue_is_this_database() -> bool:
    from django.tasks import task_backends
    from django_tasks_db.backend import DatabaseBackend

    return isinstance(task_backends["default"], DatabaseBackend)


def wake_workers() -> None:
    """Enqueue a wake-up task. Failure to enqueue loses nothing: the sweep finds due messages anyway."""
    from amtsweg.delivery.tasks import wake

    try:
        if _waiting_wake_up_runs_after_commit():
            return
        result = wake.enqueue()
        # Only a database task's id can be looked up again; a broker's job id would make the next check fail
        # (and, swallowed below, leave that intake without a wake-up).
        if _queue_is_this_database():
            _last_wake_up["id"] = result.id
        else:
            _last_wake_up.pop("id", None)
    except Exception:
        logger.warning("delivery wake-up could not be enqueued; the sweep will pick the messages up", exc_info=True)


_last_wake_up: dict[str, str] = {}  # id of the last wake-up this process enqueued


def _waiting_wake_up_runs_after_commit() -> bool:
    """True if the last wake-up this process enqueued still waits in the database queue and no worker can
    start it before this transaction commits, so it will find the messages written here: then another one
    would only be work (a task row per intake, and for the workers a claim and a run each).

    * PostgreSQL: the check locks the waiting task's row until this transaction ends (FOR UPDATE SKIP
      LOCKED). django-tasks-db's worker claims with FOR UPDATE SKIP LOCKED too, so it passes the row over
      until then. A row a worker is claiming right now is locked by it: the check finds nothing and the
      intake enqueues its own wake-up. (Under a steady stream of intakes a worker may meet the row locked
      and poll once more; the sweep, which always enqueues, bounds the wait.)
    * SQLite with `transaction_mode` IMMEDIATE (the platform's setting): the transaction took the write lock
      when it began, and a worker claims a task with a write, so it cannot claim the waiting one first.
    * Otherwise (no transaction, other databases): False, every intake enqueues its own.

    One fixed statement by primary key: the ORM's `filter().exists()` cost ~0.25 ms on the intake's path,
    more than the task row it saves.
    """
    last = _last_wake_up.get("id")
    if last is None or not connection.in_atomic_block or not _queue_is_this_database():
        return False
    if connection.vendor == "sqlite":
        if (connection.settings_dict.get("OPTIONS") or {}).get("transaction_mode") != "IMMEDIATE":
            return False
    elif not connection.features.has_select_for_update_skip_locked:
        return False
    sql, task_id = _waiting_wake_up_sql(connection.vendor), _task_pk(last)
    with connection.cursor() as cursor:
        cursor.execute(sql, [task_id, TaskResultStatus.READY])
        return cursor.fetchone() is not None


@functools.cache
def _waiting_wake_up_sql(vendor: str) -> str:
    """`SELECT 1` for a waiting task by primary key; on databases with row locks it locks the row."""
    from django_tasks_db.models import DBTaskResult

    meta, quote = DBTaskResult._meta, connection.ops.quote_name
    lock = "" if vendor == "sqlite" else " FOR UPDATE SKIP LOCKED"
    return (f"SELECT 1 FROM {quote(meta.db_table)} WHERE {quote(meta.pk.column)} = %s"  # noqa: S608 - identifiers
            f" AND {quote(meta.get_field('status').column)} = %s{lock}")


def _task_pk(task_id: str):
    from django_tasks_db.models import DBTaskResult

    return DBTaskResult._meta.pk.get_db_prep_value(uuid.UUID(task_id), connection)


def due_q(now: datetime) -> Q:
    return Q(status=Status.PENDING, next_attempt_at__lte=now) | Q(status=Status.IN_FLIGHT, locked_until__lt=now)


def claim(*, limit: int | None = None, now: datetime | None = None) -> list[OutboxMessage]:
    """Reserve up to `limit` due messages for this worker (lease) and return them."""
    now = now or timezone.now()
    limit = int(limit or conf.value("BATCH_SIZE"))
    token = secrets.token_hex(16)
    lease = timedelta(seconds=conf.value("LEASE_SECONDS"))
    with transaction.atomic():
        candidates = OutboxMessage.objects.filter(due_q(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            candidates = candidates.select_for_update(skip_locked=True)
        ids = list(candidates.values_list("id", flat=True)[:limit])
        if not ids:
            return []
        # The WHERE repeats the due condition: on databases without row locks (SQLite) two workers may
        # pick the same candidates, and only one UPDATE can match them.
        OutboxMessage.objects.filter(due_q(now), id__in=ids).update(
            status=Status.IN_FLIGHT,
            claim_token=token,
            locked_until=now + lease,
            attempts=F("attempts") + 1,
            first_attempt_at=Coalesce("first_attempt_at", now),
            last_attempt_at=now,
        )
    return list(OutboxMessage.objects.filter(id__in=ids, claim_token=token, status=Status.IN_FLIGHT).order_by("id"))


def _finish(message: OutboxMessage, error: channels.DeliveryError | None, policy: RetryPolicy) -> str:
    now = timezone.now()
    mine = OutboxMessage.objects.filter(pk=message.pk, claim_token=message.claim_token, status=Status.IN_FLIGHT)
    if error is None:
        mine.update(status=Status.DELIVERED, delivered_at=now, locked_until=None, last_error="", next_attempt_at=None)
        return Status.DELIVERED
    reason = error.reason[:MAX_ERROR_LENGTH]
    next_at = None if error.permanent else policy.next_attempt(
        attempts=message.attempts, first_attempt_at=message.first_attempt_at or now, now=now
    )
    if next_at is None:
        if not error.permanent:
            reason = f"Zustellfrist abgelaufen nach {message.attempts} Versuchen. Letzter Fehler: {reason}"
        mine.update(status=Status.DEAD, locked_until=None, last_error=reason[:MAX_ERROR_LENGTH], next_attempt_at=None)
        logger.warning("delivery dead", extra={"message_id": message.pk, "channel": message.channel})
        return Status.DEAD
    mine.update(status=Status.PENDING, locked_until=None, last_error=reason, next_attempt_at=next_at)
    logger.info("delivery retry scheduled", extra={"message_id": message.pk, "channel": message.channel})
    return Status.PENDING


def _finish_delivered(messages: list[OutboxMessage]) -> int:
    """Mark successes in one UPDATE per claim (only rows this worker's claim still holds)."""
    done = 0
    by_token: dict[str, list[int]] = defaultdict(list)
    for message in messages:
        by_token[message.claim_token].append(message.pk)
    for token, ids in by_token.items():
        done += OutboxMessage.objects.filter(pk__in=ids, claim_token=token, status=Status.IN_FLIGHT).update(
            status=Status.DELIVERED, delivered_at=timezone.now(), locked_until=None, last_error="",
            next_attempt_at=None,
        )
    return len(messages) if done == len(messages) else done


def deliver(messages: list[OutboxMessage], policy: RetryPolicy | None = None) -> dict[str, int]:
    """Hand claimed messages to their channel plugins and record each outcome."""
    policy = policy or RetryPolicy.from_settings()
    counts: dict[str, int] = defaultdict(int)
    by_channel: dict[str, list[OutboxMessage]] = defaultdict(list)
    for message in messages:
        by_channel[message.channel].append(message)
    for name, batch in by_channel.items():
        plugin = channels.register.get(name)
        if plugin is None:
            outcome: dict[int, Any] = {
                m.pk: channels.DeliveryError(f"Zustellweg »{name}« ist nicht installiert.") for m in batch
            }
        else:
            try:
                # The batch's ids for what the plugin logs for all of them; per-message channels bind each
                # message's own id around its delivery (`channels.PerMessageChannel`).
                with requestid.bound(*(m.request_id for m in batch)):
                    outcome = plugin.deliver(batch)
            except Exception as exc:  # a plugin's bug: every message of the batch is retried
                logger.exception("delivery channel failed", extra={"channel": name})
                outcome = {m.pk: channels.DeliveryError(f"{type(exc).__name__}: {exc}") for m in batch}
        delivered = []
        for message in batch:
            error = outcome.get(message.pk, channels.DeliveryError("Kanal meldete kein Ergebnis."))
            if error is None:
                delivered.append(message)
            else:
                with requestid.bound(message.request_id):
                    counts[_finish(message, error, policy)] += 1
        counts[Status.DELIVERED] += _finish_delivered(delivered)
        if plugin is not None and plugin.records_notification:
            _record_notifications(delivered, name)
    return {status: n for status, n in counts.items() if n}


def _record_notifications(messages: list[OutboxMessage], channel: str) -> None:
    """Add a notify-submission event to each delivered submission's log (shown on the status page)."""
    if not messages:
        return
    from amtsweg.submissions.models import Submission
    from amtsweg.submissions.services import record_notifications

    try:
        # Submissions that still exist, without their ciphertext (an event names only id and case); then
        # one INSERT for all events: two statements for the batch instead of one per event plus a transaction.
        submissions = Submission.objects.filter(pk__in=[m.submission_id for m in messages]).only("id", "case_id")
        with transaction.atomic():
            record_notifications(list(submissions), channel)
    except Exception:  # the delivery itself succeeded; a missing log entry must not undo it
        logger.exception("could not record the notification event", extra={"channel": channel})


def run_until_idle(*, max_batches: int | None = None) -> dict[str, int]:
    """Claim and deliver until nothing is due. This is what a woken worker does."""
    totals: dict[str, int] = defaultdict(int)
    batches = 0
    while max_batches is None or batches < max_batches:
        claimed = claim()
        if not claimed:
            break
        batches += 1
        for status, n in deliver(claimed).items():
            totals[status] += n
    return dict(totals)


def has_due(now: datetime | None = None) -> bool:
    return OutboxMessage.objects.filter(due_q(now or timezone.now())).exists()


def sweep() -> bool:
    """Wake a worker if anything is due (retries whose time has come, leases of dead workers)."""
    if has_due():
        wake_workers()
        return True
    return False


def resend(message: OutboxMessage, *, actor: Any) -> bool:
    """Staff resend of a dead letter (or a delivered message): a fresh retry window starts now.

    `actor`: staff who may change the message's Authority's deliveries (`editable_by`), or `SYSTEM`; anyone
    else gets PermissionDenied, None a TypeError (`require_actor`)."""
    require_actor(actor)
    if not is_system(actor) and not OutboxMessage.objects.editable_by(actor).filter(pk=message.pk).exists():
        raise PermissionDenied
    updated = OutboxMessage.objects.filter(pk=message.pk, status__in=[Status.DEAD, Status.DELIVERED]).update(
        status=Status.PENDING,
        next_attempt_at=timezone.now(),
        first_attempt_at=None,
        locked_until=None,
        claim_token="",
    )
    if updated:
        transaction.on_commit(wake_workers)
    return bool(updated)
