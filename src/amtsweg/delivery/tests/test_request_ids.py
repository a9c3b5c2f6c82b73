"""A submission's request id reaches the worker: stored on its outbox rows, bound while they are delivered,
so the worker's JSON log lines of that submission carry the id of the request that submitted it."""

import json

import pytest

from amtsweg.core import requestid
from amtsweg.delivery import services
from amtsweg.delivery.models import OutboxMessage
from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory
from amtsweg.submissions.tests.factories import payload_for, submit_payload

pytestmark = pytest.mark.django_db


def _submit(destination, request_id: str):
    from amtsweg.routing.models import Responsibility

    responsibility = Responsibility.objects.filter(destination=destination).first() or ResponsibilityFactory(
        destination=destination
    )
    with requestid.bound(request_id):  # what RequestIdMiddleware does around the submitting request
        return submit_payload(payload_for(responsibility))


def _lines(stream, message: str) -> list[dict]:
    lines = [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]
    return [line for line in lines if line["message"] == message]


def test_the_outbox_row_keeps_the_submitting_request_id_and_the_worker_logs_it(endpoint, all_logs):
    endpoint.status = 500
    destination = DestinationFactory(channels=["callback"], callback_url=endpoint.url)
    submission = _submit(destination, "req-submit-0001")
    assert OutboxMessage.objects.get(submission_id=submission.pk).request_id == "req-submit-0001"
    assert requestid.current() == ""
    services.run_until_idle()  # in the worker: no request around it
    [retry] = _lines(all_logs, "delivery retry scheduled")
    assert retry["request_id"] == "req-submit-0001"
    [not_taken] = _lines(all_logs, "callback not taken")
    assert not_taken["request_id"] == "req-submit-0001"


def test_one_callback_for_several_submissions_names_all_their_ids(endpoint, all_logs):
    endpoint.status = 500
    destination = DestinationFactory(channels=["callback"], callback_url=endpoint.url)
    _submit(destination, "req-first-0001")
    _submit(destination, "req-second-002")
    services.run_until_idle()
    [not_taken] = _lines(all_logs, "callback not taken")
    assert not_taken["request_id"] == "req-first-0001,req-second-002"
    retries = _lines(all_logs, "delivery retry scheduled")
    assert sorted(line["request_id"] for line in retries) == ["req-first-0001", "req-second-002"]


def test_work_written_outside_a_request_has_no_id(endpoint):
    destination = DestinationFactory(channels=["callback"], callback_url=endpoint.url)
    responsibility = ResponsibilityFactory(destination=destination)
    submission = submit_payload(payload_for(responsibility))
    assert OutboxMessage.objects.get(submission_id=submission.pk).request_id == ""
