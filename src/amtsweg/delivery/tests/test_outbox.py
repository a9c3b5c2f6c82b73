"""The outbox core: state machine, claiming, leases, retry policy, horizon, resend, channel registry."""

import random
import uuid
from datetime import timedelta

import pytest
from django.utils import timezone

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.core.actors import SYSTEM
from amtsweg.delivery import channels, services
from amtsweg.delivery.models import OutboxMessage
from amtsweg.delivery.policy import RetryPolicy
from amtsweg.delivery.tests.factories import OutboxMessageFactory

pytestmark = pytest.mark.django_db
Status = OutboxMessage.Status


class RecordingChannel(channels.PerMessageChannel):
    """A channel plugin registered by the test only: proves new channels need no change in the core."""

    def __init__(self, fail_with: channels.DeliveryError | None = None):
        self.fail_with = fail_with
        self.delivered: list = []

    def deliver_one(self, message):
        if self.fail_with:
            raise self.fail_with
        self.delivered.append(message.submission_id)


@pytest.fixture
def channel():
    with channels.register.registered("test", RecordingChannel()) as plugin:
        yield plugin


def test_enqueue_writes_one_row_per_push_channel_and_is_idempotent(channel):
    authority = AuthorityFactory()
    sid, did = uuid.uuid4(), uuid.uuid4()
    kwargs = dict(submission_id=sid, destination_id=did, authority_id=authority.pk, case_id=uuid.uuid4())
    assert services.enqueue(channel_names=["pull", "test", "callback", "test"], **kwargs) == ["test", "callback"]
    services.enqueue(channel_names=["test", "callback"], **kwargs)
    keys = sorted(OutboxMessage.objects.values_list("idempotency_key", flat=True))
    assert keys == [f"{sid}:callback", f"{sid}:test"]
    assert services.enqueue(channel_names=["pull"], **kwargs) == []


def test_a_registered_plugin_delivers_and_the_message_is_delivered(channel):
    message = OutboxMessageFactory()
    totals = services.run_until_idle()
    message.refresh_from_db()
    assert totals == {Status.DELIVERED: 1}
    assert channel.delivered == [message.submission_id]
    assert message.status == Status.DELIVERED and message.attempts == 1 and message.delivered_at


def test_failure_schedules_a_retry_with_backoff(channel, settings):
    settings.AMTSWEG_DELIVERY_BACKOFF_BASE_SECONDS = 60
    channel.fail_with = channels.DeliveryError("Fachverfahren antwortete mit HTTP 500.")
    message = OutboxMessageFactory()
    services.run_until_idle()
    message.refresh_from_db()
    assert message.status == Status.PENDING
    assert message.last_error == "Fachverfahren antwortete mit HTTP 500."
    assert timedelta(seconds=29) < message.next_attempt_at - timezone.now() <= timedelta(seconds=60)
    # Not due yet: a second run does nothing.
    assert services.run_until_idle() == {}


def test_past_the_horizon_the_message_is_dead_with_the_reason(channel):
    channel.fail_with = channels.DeliveryError("Zeitüberschreitung beim Callback an das Fachverfahren.")
    message = OutboxMessageFactory(first_attempt_at=timezone.now() - timedelta(hours=48, seconds=1), attempts=9)
    services.run_until_idle()
    message.refresh_from_db()
    assert message.status == Status.DEAD
    assert "Zustellfrist abgelaufen nach 10 Versuchen" in message.last_error
    assert "Zeitüberschreitung" in message.last_error


def test_a_permanent_error_goes_straight_to_the_dead_letters(channel):
    channel.fail_with = channels.DeliveryError("Der Zustellpunkt existiert nicht mehr.", permanent=True)
    message = OutboxMessageFactory()
    services.run_until_idle()
    message.refresh_from_db()
    assert (message.status, message.last_error) == (Status.DEAD, "Der Zustellpunkt existiert nicht mehr.")


def test_a_message_for_an_unknown_channel_is_retried_not_lost():
    message = OutboxMessageFactory(channel="fax")
    services.run_until_idle()
    message.refresh_from_db()
    assert message.status == Status.PENDING and "nicht installiert" in message.last_error


def test_a_crashing_plugin_does_not_stop_the_worker(channel):
    def boom(messages):
        raise RuntimeError("bug in plugin")

    channel.deliver = boom
    message = OutboxMessageFactory()
    services.run_until_idle()
    message.refresh_from_db()
    assert message.status == Status.PENDING and "RuntimeError" in message.last_error


def test_claims_never_overlap_and_leases_protect_in_flight_messages(channel):
    OutboxMessageFactory.create_batch(5)
    busy = OutboxMessageFactory(in_flight=True)
    first = services.claim(limit=3)
    second = services.claim(limit=10)
    assert len(first) == 3 and len(second) == 2
    assert not {m.pk for m in first} & {m.pk for m in second}
    assert busy.pk not in {m.pk for m in first + second}
    assert services.claim() == []


def test_an_expired_lease_is_claimed_again_and_the_old_worker_cannot_overwrite(channel):
    message = OutboxMessageFactory(expired=True)
    stale = OutboxMessage.objects.get(pk=message.pk)
    [reclaimed] = services.claim()
    assert reclaimed.attempts == 2 and reclaimed.claim_token != "dead-worker"
    # The dead worker's late result is ignored because its claim token is no longer the current one.
    services._finish(stale, channels.DeliveryError("late"), RetryPolicy.from_settings())
    message.refresh_from_db()
    assert message.status == Status.IN_FLIGHT and message.last_error == ""
    services.deliver([reclaimed])
    message.refresh_from_db()
    assert message.status == Status.DELIVERED


def test_resend_names_who_resends_and_refuses_staff_of_another_authority():
    """The acting user is a required argument (issue 13, item 10): None is a programming error, staff act for
    their own Authority's deliveries only, the platform (SYSTEM) for every one."""
    from django.core.exceptions import PermissionDenied

    from amtsweg.accounts.tests.factories import UserFactory

    staff = UserFactory()
    mine, theirs = OutboxMessageFactory(dead=True, authority=staff.authority), OutboxMessageFactory(dead=True)
    with pytest.raises(TypeError):
        services.resend(mine)
    with pytest.raises(TypeError):
        services.resend(mine, actor=None)
    with pytest.raises(PermissionDenied):
        services.resend(theirs, actor=staff)
    theirs.refresh_from_db()
    assert theirs.status == Status.DEAD
    assert services.resend(mine, actor=staff) and services.resend(theirs, actor=SYSTEM)


def test_resend_puts_a_dead_letter_back_in_the_queue(channel, django_capture_on_commit_callbacks):
    message = OutboxMessageFactory(dead=True)
    with django_capture_on_commit_callbacks() as callbacks:
        assert services.resend(message, actor=SYSTEM)
    assert len(callbacks) == 1  # the wake-up
    message.refresh_from_db()
    assert message.status == Status.PENDING and message.first_attempt_at is None
    services.run_until_idle()
    message.refresh_from_db()
    assert message.status == Status.DELIVERED
    assert not services.resend(OutboxMessageFactory(), actor=SYSTEM)  # pending: nothing to resend


def test_wake_up_is_enqueued_after_commit_and_a_worker_runs_it(channel, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    authority = AuthorityFactory()
    with django_capture_on_commit_callbacks(execute=True):
        services.enqueue(
            submission_id=uuid.uuid4(), destination_id=uuid.uuid4(), authority_id=authority.pk, channel_names=["test"]
        )
    task = DBTaskResult.objects.get()
    assert task.task_path == "amtsweg.delivery.tasks.wake"
    # What the worker does with it:
    assert task.task.call() == {Status.DELIVERED: 1}


def test_sweep_wakes_only_when_something_is_due(channel, django_capture_on_commit_callbacks):
    from django_tasks_db.models import DBTaskResult

    OutboxMessageFactory(in_flight=True)
    OutboxMessageFactory(next_attempt_at=timezone.now() + timedelta(minutes=5))
    assert services.sweep() is False
    OutboxMessageFactory(expired=True)
    assert services.sweep() is True
    assert DBTaskResult.objects.count() == 1


def test_backoff_grows_exponentially_with_jitter_and_is_capped():
    policy = RetryPolicy(base_seconds=10, max_seconds=300, horizon=timedelta(hours=48))
    rng = random.Random(1)
    delays = [policy.delay(n, rng).total_seconds() for n in range(1, 8)]
    caps = [10, 20, 40, 80, 160, 300, 300]
    assert all(cap / 2 <= d <= cap for d, cap in zip(delays, caps, strict=True))
    assert len({round(policy.delay(3, rng).total_seconds(), 3) for _ in range(20)}) > 1  # jitter
    now = timezone.now()
    assert policy.next_attempt(attempts=1, first_attempt_at=now - timedelta(hours=47), now=now) > now
    assert policy.next_attempt(attempts=1, first_attempt_at=now - timedelta(hours=48), now=now) is None


def test_a_waiting_wake_up_covers_the_next_submissions(channel):
    """While the submitting transaction is open no worker can claim the waiting wake-up (SQLite: one writer
    at a time; PostgreSQL: the intake locks the task's row), so it runs after the commit and finds the new
    messages; a second one is not written."""
    from django.db import transaction
    from django_tasks_db.models import DBTaskResult

    authority = AuthorityFactory()

    def submit() -> None:
        with transaction.atomic():
            services.enqueue(submission_id=uuid.uuid4(), destination_id=uuid.uuid4(), authority_id=authority.pk,
                             channel_names=["test"])

    submit()
    submit()
    assert DBTaskResult.objects.ready().count() == 1
    DBTaskResult.objects.ready().update(status="RUNNING")  # a worker claimed it: the next submission needs one
    submit()
    assert DBTaskResult.objects.ready().count() == 1
    [waiting] = DBTaskResult.objects.ready()
    assert waiting.task.call() == {Status.DELIVERED: 3}


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_no_worker_claims_the_waiting_wake_up_before_the_submission_commits(channel):
    """The worker (django-tasks-db's claim: FOR UPDATE SKIP LOCKED, on its own connection) passes over the
    wake-up an open intake relies on; after the commit it claims it. A wake-up a worker holds is not relied
    on: the intake enqueues its own."""
    import threading

    from django.db import connection, connections, transaction
    from django_tasks_db.models import DBTaskResult

    if connection.vendor != "postgresql":
        pytest.skip("row locks: PostgreSQL")
    authority = AuthorityFactory()
    services.wake_workers()
    waiting = DBTaskResult.objects.get()

    def on_worker_connection(work, *, hold: threading.Event | None = None) -> list:
        done, found = threading.Event(), []

        def run() -> None:
            try:
                with transaction.atomic():
                    found.append(work())
                    done.set()
                    if hold is not None:
                        hold.wait(10)
            finally:
                connections.close_all()

        thread = threading.Thread(target=run)
        thread.start()
        done.wait(10)
        return found if hold is not None else (thread.join(10), found)[1]

    def worker_claims() -> list:
        return on_worker_connection(lambda: DBTaskResult.objects.ready().get_locked())

    with transaction.atomic():
        services.enqueue(submission_id=uuid.uuid4(), destination_id=uuid.uuid4(), authority_id=authority.pk,
                         channel_names=["test"])
        assert DBTaskResult.objects.count() == 1  # relied on the waiting one
        assert worker_claims() == [None]  # … which no worker can take yet
    assert worker_claims() == [waiting]

    release = threading.Event()
    assert on_worker_connection(lambda: DBTaskResult.objects.ready().get_locked(), hold=release) == [waiting]
    try:  # a worker is claiming the waiting wake-up right now
        with transaction.atomic():
            services.enqueue(submission_id=uuid.uuid4(), destination_id=uuid.uuid4(), authority_id=authority.pk,
                             channel_names=["test"])
    finally:
        release.set()
    assert DBTaskResult.objects.count() == 2


def test_without_immediate_transactions_every_submission_wakes_the_workers(channel, monkeypatch):
    """The shortcut above relies on SQLite's write lock being taken at BEGIN (IMMEDIATE): a DEFERRED
    transaction has not written yet when it checks, so a worker could claim the waiting wake-up first."""
    from django.db import connection, transaction
    from django_tasks_db.models import DBTaskResult

    if connection.vendor != "sqlite":
        pytest.skip("SQLite's transaction modes")
    monkeypatch.setitem(connection.settings_dict, "OPTIONS",
                        {**connection.settings_dict.get("OPTIONS", {}), "transaction_mode": "DEFERRED"})
    authority = AuthorityFactory()
    for _ in range(2):
        with transaction.atomic():
            services.enqueue(submission_id=uuid.uuid4(), destination_id=uuid.uuid4(), authority_id=authority.pk,
                             channel_names=["test"])
    assert DBTaskResult.objects.ready().count() == 2
