"""The subscriber service layer (`submissions.subscriber`): what a receiving system may fetch and answer,
without HTTP. The API's tests (test_api, test_wire) pin the same behaviour through the wire."""

from __future__ import annotations

import json
import time
import uuid

import pytest
from joserfc import jws

from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory
from amtsweg.submissions import crypto, events, subscriber
from amtsweg.submissions.errors import Forbidden, NotFound, Unprocessable
from amtsweg.submissions.models import Event, Submission
from amtsweg.submissions.tests.factories import destination_private_key, payload_for, submit_payload

pytestmark = pytest.mark.django_db
PRIVATE = destination_private_key(0)
SIGNER = destination_private_key(1)


def _accept(submission: Submission, **overrides) -> str:
    claims = {"iss": str(submission.destination_id), "iat": int(time.time()), "jti": str(uuid.uuid4()),
              "sub": f"submission:{submission.pk}", "txn": f"case:{submission.case_id}",
              "events": {events.ACCEPT: {}}}
    claims.update(overrides)
    return jws.serialize_compact({"typ": "secevent+jwt", "alg": "PS512", "kid": "sig"}, json.dumps(claims).encode(),
                                 SIGNER, algorithms=["PS512"])


def test_receiving_system_lists_fetches_everything_and_accepts(responsibility):
    destination = responsibility.destination
    public = SIGNER.as_dict(private=False) | {"kid": "sig", "alg": "PS512", "key_ops": ["verify"]}
    DestinationKeyFactory(destination=destination, signature=True, jwk=public, kid="sig")
    submission = submit_payload(payload_for(responsibility))
    me = subscriber.Subscriber.for_destination(destination.pk)

    page = subscriber.list_waiting(me, destination.pk)
    assert page.total == 1 and page.rows == [(destination.pk, submission.pk, submission.case_id)]
    fetched = subscriber.fetch(me, submission.pk, with_attachments=True)
    assert json.loads(crypto.decrypt_jwe(PRIVATE, fetched.encrypted_data))["hund"]["name"] == "Bello"
    (attachment_id, jwe), = fetched.attachments.items()
    assert crypto.decrypt_jwe(PRIVATE, jwe).startswith(b"%PDF")
    tags = subscriber.authentication_tags(submission)
    assert tags["metadata"] == fetched.encrypted_metadata.rsplit(".", 1)[1]
    assert tags["attachments"] == {attachment_id: jwe.rsplit(".", 1)[1]}
    submission.refresh_from_db()
    assert submission.status == Submission.Status.FORWARDED

    event = subscriber.send_event(me, submission.case_id, _accept(submission))
    assert event.issuer == Event.Issuer.DESTINATION
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    assert subscriber.list_waiting(me).total == 0
    with pytest.raises(NotFound):  # accepted: no longer ready for pick-up
        subscriber.fetch(me, submission.pk)


def test_another_destination_sees_nothing(responsibility):
    submission = submit_payload(payload_for(responsibility))
    stranger = subscriber.Subscriber.for_destination(ResponsibilityFactory().destination.pk)
    with pytest.raises(Forbidden):
        subscriber.list_waiting(stranger, submission.destination_id)
    assert subscriber.list_waiting(stranger).total == 0
    for call in (lambda: subscriber.fetch(stranger, submission.pk),
                 lambda: subscriber.fetch_attachment(stranger, submission.pk, submission.announced_attachments[0]),
                 lambda: subscriber.send_event(stranger, submission.case_id, _accept(submission)),
                 lambda: subscriber.fetch(stranger, "keine-uuid")):
        with pytest.raises(NotFound):
            call()
    with pytest.raises(Forbidden):
        subscriber.list_waiting(subscriber.Subscriber())
    submission.refresh_from_db()
    assert submission.status == Submission.Status.SUBMITTED  # nobody fetched it


def test_event_for_a_submission_of_another_case_is_unprocessable(responsibility):
    first = submit_payload(payload_for(responsibility))
    second = submit_payload(payload_for(responsibility))
    me = subscriber.Subscriber.for_destination(first.destination_id)
    with pytest.raises(Unprocessable):
        subscriber.send_event(me, first.case_id, _accept(second))
    with pytest.raises(subscriber.BadRequest):
        subscriber.send_event(me, first.case_id, "kein.token")


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_an_event_reads_the_submission_once(responsibility, django_assert_num_queries):
    """The case and the submission are one read (the case only on the error path, to tell "not yours" from
    "not this case"); the status moves with one conditional UPDATE instead of a locked re-read and a save.
    Left: the submission, the signature key, the UPDATE, the event row, and the savepoint around them (9 before:
    a separate case read and the locked re-read of the submission (issue 13); 7 before: a look for the jti
    before the INSERT, which fails on a jti seen before anyway (issue 14))."""
    destination = responsibility.destination
    public = SIGNER.as_dict(private=False) | {"kid": "sig", "alg": "PS512", "key_ops": ["verify"]}
    DestinationKeyFactory(destination=destination, signature=True, jwk=public, kid="sig")
    submission = submit_payload(payload_for(responsibility))
    me = subscriber.Subscriber.for_destination(destination.pk)
    token = _accept(submission)
    with django_assert_num_queries(6):
        event = subscriber.send_event(me, submission.case_id, token)
    assert event.submission_id == submission.pk
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
    with pytest.raises(events.EventRejected) as rejected:  # a second event finds it accepted: a conflict
        subscriber.send_event(me, submission.case_id, _accept(submission))
    assert rejected.value.kind == "conflict"


def test_a_jti_seen_before_is_a_conflict_and_moves_nothing(responsibility):
    """The jti is unique (the event's primary key): a second event with it, even for another submission, is a
    conflict, and that submission's status stays as it was (the UPDATE rolls back with the refused event)."""
    destination = responsibility.destination
    public = SIGNER.as_dict(private=False) | {"kid": "sig", "alg": "PS512", "key_ops": ["verify"]}
    DestinationKeyFactory(destination=destination, signature=True, jwk=public, kid="sig")
    first, second = submit_payload(payload_for(responsibility)), submit_payload(payload_for(responsibility))
    me = subscriber.Subscriber.for_destination(destination.pk)
    jti = str(uuid.uuid4())
    subscriber.send_event(me, first.case_id, _accept(first, jti=jti))
    with pytest.raises(events.EventRejected) as rejected:
        subscriber.send_event(me, second.case_id, _accept(second, jti=jti))
    assert rejected.value.kind == "conflict" and "jti" in rejected.value.detail
    second.refresh_from_db()
    assert second.status == Submission.Status.SUBMITTED
    assert Event.objects.filter(pk=jti).values_list("submission_id", flat=True).get() == first.pk
    subscriber.send_event(me, second.case_id, _accept(second))  # a fresh jti still goes through
    second.refresh_from_db()
    assert second.status == Submission.Status.ACCEPTED


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_answering_a_fetched_submission_does_not_read_it_again(responsibility, django_assert_num_queries):
    """The back office answers the submission it fetched in the same transaction (`answer`): the token is
    verified as any other (signature key, sub/txn, status), without reading the submission a second time."""
    destination = responsibility.destination
    public = SIGNER.as_dict(private=False) | {"kid": "sig", "alg": "PS512", "key_ops": ["verify"]}
    DestinationKeyFactory(destination=destination, signature=True, jwk=public, kid="sig")
    submission, other = submit_payload(payload_for(responsibility)), submit_payload(payload_for(responsibility))
    me = subscriber.Subscriber.for_destination(destination.pk)
    fetched = subscriber.fetch(me, submission.pk)
    stranger = subscriber.Subscriber.for_destination(ResponsibilityFactory().destination.pk)
    with pytest.raises(NotFound):
        subscriber.answer(stranger, fetched, _accept(submission))
    with pytest.raises(events.EventRejected) as rejected:  # a token about another submission
        subscriber.answer(me, fetched, _accept(other))
    assert rejected.value.kind == "invalid"
    token = _accept(submission)
    # the savepoint, the UPDATE, the event row; the signature key is the routing index's (read once above)
    with django_assert_num_queries(4):
        event = subscriber.answer(me, fetched, token)
    assert event.submission_id == submission.pk and event.token == token
    submission.refresh_from_db()
    assert submission.status == Submission.Status.ACCEPTED
