"""The back office as a destination's receiving system: keys, its own delivery channel, ingest through the
subscriber service layer, accept/reject events, idempotency."""

from __future__ import annotations

import json

import pytest
from django.db import IntegrityError

from amtsweg.casework import ingest, receiving, services, vault
from amtsweg.casework.models import Case, CaseAttachment, ReceivingKey
from amtsweg.casework.tests.factories import on_casework, received_case
from amtsweg.core.actors import SYSTEM
from amtsweg.delivery import services as outbox
from amtsweg.delivery.models import OutboxMessage
from amtsweg.routing.models import Destination, DestinationKey
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.submissions import events
from amtsweg.submissions.models import Event, Submission
from amtsweg.submissions.tests.factories import payload_for, submit_payload

pytestmark = pytest.mark.django_db


def test_choosing_the_back_office_generates_and_registers_keys_and_switches_channels(responsibility):
    destination = responsibility.destination
    destination.channels = ["pull", "callback", "email"]
    destination.callback_url = "https://fachverfahren.example/cb"
    destination.notification_email = "post@kommune.example"
    destination.save()
    external = destination.active_encryption_key()

    on_casework(responsibility)
    destination.refresh_from_db()
    assert destination.channels == ["pull", "email"]  # nothing pushed to the old Fachverfahren any more
    encryption, signature = destination.active_encryption_key(), destination.active_signature_key()
    assert {encryption.kid, signature.kid} == set(ReceivingKey.objects.values_list("kid", flat=True))
    assert "d" not in encryption.jwk and "d" not in signature.jwk  # only public halves in routing
    external.refresh_from_db()
    assert external.state == "grace"
    wrapped = ReceivingKey.objects.get(kid=encryption.kid)
    assert b"PRIVATE KEY" not in bytes(wrapped.wrapped_private)
    assert receiving.private_key(destination.pk, encryption.kid).is_private

    assert receiving.enable(destination, actor=SYSTEM).active  # idempotent: no new keys
    assert ReceivingKey.objects.count() == 2
    receiving.rotate_keys(destination, actor=SYSTEM)
    assert ReceivingKey.objects.count() == 4
    assert DestinationKey.objects.get(kid=encryption.kid).state == "grace"

    receiving.disable(destination, actor=SYSTEM)
    destination.refresh_from_db()
    assert destination.channels == ["pull", "callback", "email"]
    assert not receiving.is_active(destination.pk)


def test_an_application_becomes_a_case_at_once_and_is_accepted(responsibility):
    on_casework(responsibility)
    case = received_case(responsibility)
    submission = Submission.objects.get(pk=case.submission_id)
    assert submission.status == Submission.Status.ACCEPTED
    accept = Event.objects.get(submission=submission, event_type=events.ACCEPT)
    assert accept.issuer == Event.Issuer.DESTINATION and events.verification_state(accept)
    kinds = list(Event.objects.filter(submission=submission).order_by("created_at").values_list("event_type",
                                                                                                 flat=True))
    assert kinds == [events.CREATE, events.SUBMIT, events.FORWARD, events.ACCEPT]
    assert OutboxMessage.objects.get(submission_id=submission.pk).channel == "casework"

    assert case.authority_id == responsibility.destination.authority_id
    assert case.reference == submission.public_reference and case.state == Case.State.RECEIVED
    assert case.leika_key == responsibility.leika_key and case.deadline is not None
    assert case.applicant_name_hash == vault.name_hash(case.authority_id, "erika mustermann")
    assert b"Mustermann" not in bytes(case.content)
    content = services.open_application(case, actor=SYSTEM)
    assert content["data"]["hund"]["name"] == "Bello"
    assert content["levelOfAssurance"] == "substantiell"
    assert content["payment"]["transactionReference"] == "KASSE-2026-0042"
    (described,) = content["attachments"]
    meta, data = services.open_attachment(case, described["attachmentId"], actor=SYSTEM)
    assert meta["filename"] == "impfpass-bello.pdf" and data.startswith(b"%PDF")
    assert b"%PDF" not in bytes(CaseAttachment.objects.get(case=case).content)


def test_the_case_views_event_log_names_the_back_office_as_the_one_that_accepted(responsibility):
    """Issue 14: the back office's own acceptance was labelled "(Fachverfahren)"; here the receiving system is
    Amtsweg-Sachbearbeitung itself, so the log says so."""
    from amtsweg.casework import presentation

    on_casework(responsibility)
    case = received_case(responsibility)
    log = presentation.event_log(case)
    assert [row["issuer"] for row in log if row["label"] == "angenommen (Eingangsbestätigung)"] == [
        "Amtsweg-Sachbearbeitung"]
    assert all(row["issuer"] != "Fachverfahren" for row in log)


def test_a_retry_never_creates_a_second_case(responsibility):
    on_casework(responsibility)
    case = received_case(responsibility)
    again = ingest.receive(case.submission_id, case.destination_id)
    assert again.case.pk == case.pk
    message = OutboxMessage.objects.get(submission_id=case.submission_id)
    outbox.resend(message, actor=SYSTEM)
    outbox.run_until_idle()
    assert Case.objects.filter(submission_id=case.submission_id).count() == 1
    with pytest.raises(IntegrityError):  # and the database says so too
        Case.objects.create(**{f.attname: getattr(case, f.attname) for f in Case._meta.concrete_fields
                               if f.attname != "id"})


def test_a_tampered_attachment_is_rejected_with_a_problem_and_no_case(responsibility, monkeypatch):
    on_casework(responsibility)
    from amtsweg.submissions import metadata

    real = metadata.hash_entry
    monkeypatch.setattr(metadata, "hash_entry", lambda digest: real("0" * 128) if digest != "x" else real(digest))
    # every hash in the metadata is wrong: the data hash is checked first
    submission = submit_payload(payload_for(responsibility))
    outbox.run_until_idle()
    submission.refresh_from_db()
    assert submission.status == Submission.Status.REJECTED
    reject = Event.objects.get(submission=submission, event_type=events.REJECT)
    (problem,) = reject.claims["events"][events.REJECT]["problems"]
    assert problem["type"] == events.PROBLEM_BASE + "incorrect-data-hash"
    assert not Case.objects.exists()
    assert OutboxMessage.objects.get(submission_id=submission.pk).status == OutboxMessage.Status.DELIVERED


def test_a_destination_not_on_the_back_office_gets_no_casework_delivery(responsibility):
    submission = submit_payload(payload_for(responsibility))
    assert not OutboxMessage.objects.filter(submission_id=submission.pk, channel="casework").exists()
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SUBMITTED


def test_applications_for_another_receiving_systems_key_are_left_alone(responsibility):
    on_casework(responsibility)
    submission = submit_payload(payload_for(responsibility))
    ReceivingKey.objects.all().delete()  # as if the Fachverfahren's key were the one used
    receiving.forget_cached_keys()
    with pytest.raises(ingest.NotOurs):
        ingest.receive(submission.pk, submission.destination_id)
    assert not Case.objects.exists()
    # fetch, case and event are one transaction: nothing of it stays, not even the forwarded mark
    assert Submission.objects.get(pk=submission.pk).status == Submission.Status.SUBMITTED
    assert not Event.objects.filter(submission=submission, event_type=events.FORWARD).exists()


def test_only_administrators_choose_the_receiving_system(responsibility):
    from django.core.exceptions import PermissionDenied

    from amtsweg.accounts.tests.factories import UserFactory

    destination = responsibility.destination
    staff = UserFactory(authority=destination.authority)
    operator = UserFactory(land_operator=True, authority__land_office=True)
    for actor in (staff, operator, UserFactory(kommune_admin=True)):
        with pytest.raises(PermissionDenied):
            receiving.enable(destination, actor=actor)
    admin = UserFactory(authority=destination.authority, kommune_admin=True)
    assert receiving.enable(destination, actor=admin).active
    assert Destination.objects.get(pk=destination.pk).casework.active


def test_the_applicant_name_comes_from_the_fields_the_form_marks():
    data = {"vorname": "Erika", "familienname": "Mustermann"}
    assert ingest.applicant_name("", None, data) == "Erika Mustermann"
    assert ingest.applicant_name("", None, {"name": "Max Muster"}) == "Max Muster"
    assert ingest.applicant_name("", None, {}) == ""
    assert json.dumps(ingest.level_of_assurance({"amtswegExtension": {"authenticationLevel": "hoch"}})) == '"hoch"'


def test_forwarding_re_encrypts_for_the_responsible_authority(responsibility):
    from amtsweg.accounts.models import AuditEntry
    from amtsweg.accounts.tests.factories import UserFactory
    from amtsweg.casework import forwarding
    from amtsweg.casework.models import CaseEntry
    from amtsweg.submissions import crypto
    from amtsweg.submissions.tests.factories import destination_private_key

    on_casework(responsibility)
    case = received_case(responsibility)
    responsible = ResponsibilityFactory(leika_key=responsibility.leika_key)  # another Kommune, external key 0
    worker = UserFactory(authority=case.authority)
    assert forwarding.targets(case) == [responsible.destination]
    services.start(case, actor=worker)
    forwarded = forwarding.forward(Case.objects.get(pk=case.pk), responsible.destination, actor=worker)
    assert forwarded.state == Case.State.FORWARDED
    new = Submission.objects.get(destination=responsible.destination)
    assert new.status == Submission.Status.SUBMITTED and new.public_reference != case.reference
    private = destination_private_key(0)
    data = json.loads(crypto.decrypt_jwe(private, new.encrypted_data))
    assert data["hund"]["name"] == "Bello"
    meta = json.loads(crypto.decrypt_jwe(private, new.encrypted_metadata))
    (attachment,) = new.attachments.all()
    assert crypto.sha512_hex(crypto.decrypt_jwe(private, attachment.read_jwe())) == \
        meta["contentStructure"]["attachments"][0]["hash"]["content"]
    entry = CaseEntry.objects.get(case=case, kind=CaseEntry.Kind.FORWARDED)
    assert entry.details["reference"] == new.public_reference
    assert AuditEntry.objects.filter(action="case.forwarded", actor=worker).exists()
    with pytest.raises(services.CaseworkError):  # once forwarded, nothing more
        forwarding.forward(forwarded, responsible.destination, actor=worker)
    stranger = ResponsibilityFactory(leika_key="99115004001005")  # responsible for another service only
    assert stranger.destination not in forwarding.targets(case)


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_storing_a_case_reads_team_deadline_and_form_in_one_query(responsibility, django_assert_num_queries,
                                                                  django_capture_on_commit_callbacks):
    """The case's team (receiving system), deadline (the service's Bearbeitungsfrist) and the applicant's
    name (from the fields the form version marks) come from one query; no look for an existing case before
    the fetch. 15 statements per submission here (two of them the savepoint the test's own transaction adds;
    28, then 23, then 21 before), most of them the transport's. Issue 14 took out six: the fetch's forwarded
    mark has no savepoint of its own, the accept event does not read the fetched submission again
    (`subscriber.answer`) and does not look for its jti before inserting it, and the destination's signature
    key, to sign and to verify the event, comes from the routing index (`signature_keys`), not a query each.
    With the index checked as in production (not on every lookup as in the other back-office tests)."""
    from django.utils import timezone

    from amtsweg.assistants.tests.factories import FormVersionFactory
    from amtsweg.casework.models import ServiceDeadline
    from amtsweg.casework.tests.factories import TeamFactory

    destination = responsibility.destination
    team = TeamFactory(authority=destination.authority)
    on_casework(responsibility, team=team)
    ServiceDeadline.objects.create(authority=destination.authority, leika_key=responsibility.leika_key,
                                   processing_days=12)
    version = FormVersionFactory(published=True)
    data = {"given_name": "Anna", "family_name": "Beispiel", "vorname": "Erika", "nachname": "Mustermann"}
    with django_capture_on_commit_callbacks(execute=True):  # committed: the data key is cached from here on
        first = received_case(responsibility, form_slug=version.form.slug, form_version=version.number, data=data)
    assert first.team == team and first.form_slug == version.form.slug
    assert first.deadline == timezone.localdate(first.received_at) + timezone.timedelta(days=12)
    assert first.applicant_name_hash == vault.name_hash(first.authority_id, "Anna Beispiel")

    submission = submit_payload(payload_for(responsibility, form_slug="ohne-formular", form_version=None))
    with django_assert_num_queries(15):
        outcome = ingest.receive(submission.pk, destination.pk)
    assert outcome.case.team == team and outcome.case.applicant_name_hash == vault.name_hash(
        first.authority_id, "Erika Mustermann")


@pytest.mark.usefixtures("routing_index_as_in_production")  # the index is not re-read on every lookup
def test_after_a_key_rotation_the_next_event_is_signed_and_verified_with_the_new_key(responsibility):
    """The signature key comes from the routing index (no query per event); a rotation writes the keys, which
    renews the index, so this process signs with the new key at once and the event verifies against it, while
    an event signed with the previous key still verifies (grace period)."""
    destination = responsibility.destination
    on_casework(responsibility)
    first = received_case(responsibility)
    old_kid = Event.objects.get(submission_id=first.submission_id, event_type=events.ACCEPT).signing_kid
    assert receiving.signing_key(destination.pk)[0] == old_kid
    receiving.rotate_keys(destination, actor=SYSTEM)
    new_kid = destination.active_signature_key().kid
    assert new_kid != old_kid and receiving.signing_key(destination.pk)[0] == new_kid
    second = received_case(responsibility)
    accept = Event.objects.get(submission_id=second.submission_id, event_type=events.ACCEPT)
    assert accept.signing_kid == new_kid and events.verification_state(accept)
    old_accept = Event.objects.get(submission_id=first.submission_id, event_type=events.ACCEPT)
    assert events.verification_state(old_accept)  # the retired key still verifies
    DestinationKey.objects.get(kid=old_kid).delete()  # gone from routing: its events no longer verify
    assert not events.verification_state(old_accept)


def test_the_accept_events_signature_key_is_imported_once_per_process(responsibility):
    """Verifying each accept event no longer imports the destination's RSA-4096 public key again (a few ms
    of CPU per submission in the ingest profile); the key row is still looked up each time."""
    events._public_signature_key.cache_clear()
    on_casework(responsibility)
    first, second = received_case(responsibility), received_case(responsibility)
    assert first.pk != second.pk
    info = events._public_signature_key.cache_info()
    assert (info.misses, info.hits) == (1, 1)
