"""Intake from the platform's own forms: routing, metadata, encryption, one transaction, no plaintext."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from django.db import connection, transaction

from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.submissions import crypto, events, metadata, xbau
from amtsweg.submissions.errors import NoResponsibleDestination
from amtsweg.submissions.intake import accept_form_submission
from amtsweg.submissions.models import Case, Event, Submission, SubmissionAttachment
from amtsweg.submissions.signals import submission_submitted
from amtsweg.submissions.tests.factories import destination_private_key, payload_for, submit_payload

pytestmark = pytest.mark.django_db

# Distinctive values of the application that must never appear in clear text after intake.
SECRETS = {
    "vorname": "Quirinella",
    "nachname": "Zwetschgenbaum",
    "hund": {"name": "Wuffelchen", "rasse": "Schnauzerdackel"},
}
ATTACHMENT_BYTES = b"%PDF-1.7 Impfausweis-Wuffelchen-Zwetschgenbaum"
MARKERS = ["Quirinella", "Zwetschgenbaum", "Wuffelchen", "Schnauzerdackel", "Impfausweis", "KASSE-2026-0042",
           "quirinella@example.org", "wuffelchen-impf.pdf"]


def _payload(responsibility, **overrides):
    from amtsweg.assistants.handoff import Attachment

    values = {
        "data": SECRETS,
        "attachments": [Attachment("wuffelchen-impf.pdf", "application/pdf", ATTACHMENT_BYTES, "Impfausweis")],
        "applicant_email": "quirinella@example.org",
    }
    values.update(overrides)
    return payload_for(responsibility, **values)


def _decrypt(token: str) -> bytes:
    return crypto.decrypt_jwe(destination_private_key(0), token)


def test_intake_encrypts_every_part_for_the_destination_key(responsibility):
    submission = submit_payload(_payload(responsibility))
    key = responsibility.destination.active_encryption_key()

    assert submission.status == Submission.Status.SUBMITTED
    assert submission.destination_id == responsibility.destination_id
    assert submission.service_identifier == "urn:de:fim:leika:leistung:99102013000000"
    for token in (submission.encrypted_metadata, submission.encrypted_data):
        header = crypto.jwe_header(token)
        assert header["alg"] == "RSA-OAEP-256" and header["enc"] == "A256GCM" and header["kid"] == key.kid

    data = json.loads(_decrypt(submission.encrypted_data))
    assert data == SECRETS
    meta = json.loads(_decrypt(submission.encrypted_metadata))
    metadata.validate(meta)
    assert meta["publicServiceType"]["identifier"] == "urn:de:fim:leika:leistung:99102013000000"
    assert meta["contentStructure"]["data"]["submissionSchema"]["schemaUri"] == "urn:amtsweg:form:hundesteuer:v3"
    assert meta["contentStructure"]["data"]["hash"]["content"] == crypto.sha512_hex(_decrypt(submission.encrypted_data))
    assert meta["amtswegExtension"]["destinationId"] == str(responsibility.destination_id)
    assert meta["amtswegExtension"]["authenticationLevel"] == "substantiell"
    assert meta["authenticationInformation"][0]["type"] == "identificationReport"
    assert meta["paymentInformation"] == {
        "transactionReference": "KASSE-2026-0042", "transactionId": "KASSE-2026-0042",
        "paymentMethod": "PAYPAL", "status": "BOOKED", "grossAmount": 15.0,
    }
    assert meta["replyChannel"] == {"eMail": {"address": "quirinella@example.org"}}

    (entry,) = meta["contentStructure"]["attachments"]
    attachment = SubmissionAttachment.objects.get(submission=submission)
    assert entry["attachmentId"] == str(attachment.pk)
    assert entry["filename"] == "wuffelchen-impf.pdf" and entry["purpose"] == "attachment"
    plain = _decrypt(attachment.read_jwe())
    assert plain == ATTACHMENT_BYTES
    assert entry["hash"] == {"type": "sha512", "content": crypto.sha512_hex(plain)}


def test_intake_records_create_and_submit_events(responsibility):
    submission = submit_payload(_payload(responsibility))
    log = list(Event.objects.filter(case=submission.case))
    assert [e.event_type for e in log] == [events.CREATE, events.SUBMIT]
    tags = log[1].claims["events"][events.SUBMIT]["authenticationTags"]
    assert tags["metadata"] == submission.encrypted_metadata.rsplit(".", 1)[-1]
    assert tags["data"] == submission.encrypted_data.rsplit(".", 1)[-1]
    assert set(tags["attachments"]) == {str(a.pk) for a in submission.attachments.all()}
    assert all(e.token == "" for e in log)  # signing is deferred off the hot path
    signed = events.signed_log(log)
    assert all(events.verification_state(e) for e in signed)


@pytest.fixture
def attachments_as_files(settings):
    """Every attachment goes to the file storage (as large ones do), not into its row."""
    settings.AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES = 0


@pytest.mark.parametrize("inline_max_bytes", [256 * 1024, 0], ids=["in-rows", "in-files"])
def test_no_plaintext_of_the_application_remains_in_any_table_or_file(responsibility, media_root, settings,
                                                                       inline_max_bytes):
    settings.AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES = inline_max_bytes
    submit_payload(_payload(responsibility))
    building = ResponsibilityFactory(leika_key=xbau.BAUGENEHMIGUNG_LEIKA)  # with the XBau rendering
    submit_payload(_payload(building, leika_key=xbau.BAUGENEHMIGUNG_LEIKA, form_slug="baugenehmigung"))
    events.seal_pending()

    found = []
    with connection.cursor() as cursor:
        for table in connection.introspection.table_names():
            cursor.execute(f'SELECT * FROM "{table}"')
            for row in cursor.fetchall():
                text = " ".join(
                    bytes(v).decode("utf-8", "replace") if isinstance(v, bytes | memoryview) else str(v) for v in row
                )
                found += [(table, m) for m in MARKERS if m.lower() in text.lower()]
    files = [p for p in Path(media_root).rglob("*") if p.is_file()]
    expected_files = 0 if inline_max_bytes else 3  # 2 uploads and 1 XBau message
    assert len(files) == expected_files
    assert SubmissionAttachment.objects.exclude(ciphertext="").count() == 3 - expected_files
    for path in files:
        content = path.read_bytes().decode("latin-1").lower()
        found += [(str(path), m) for m in MARKERS if m.lower() in content]
        assert "wuffelchen" not in path.name
    assert found == []


def test_signal_is_sent_inside_the_submit_transaction(responsibility):
    seen = []

    def receiver(sender, submission, **kwargs):
        seen.append((submission.status, connection.in_atomic_block))

    submission_submitted.connect(receiver, dispatch_uid="test-intake-signal")
    try:
        submit_payload(_payload(responsibility))
    finally:
        submission_submitted.disconnect(dispatch_uid="test-intake-signal")
    assert seen == [(Submission.Status.SUBMITTED, True)]


@pytest.mark.usefixtures("routing_index_as_in_production")
def test_receivers_read_the_submissions_related_objects_without_a_query(responsibility):
    """The rows are built with the related objects at hand, so receivers of the signal do not query them
    again."""
    from django.test.utils import CaptureQueriesContext

    seen = {}

    def receiver(sender, submission, **kwargs):
        with CaptureQueriesContext(connection) as queries:
            seen["destination"] = submission.destination
            seen["case"] = submission.case
            seen["sender"] = submission.sender
            seen["case destination"] = submission.case.destination
        seen["queries"] = len(queries)

    submission_submitted.connect(receiver, dispatch_uid="test-intake-related")
    try:
        submission = submit_payload(_payload(responsibility))
    finally:
        submission_submitted.disconnect(dispatch_uid="test-intake-related")
    assert seen == {"destination": responsibility.destination, "case": submission.case, "sender": None,
                    "case destination": responsibility.destination, "queries": 0}
    attachment = submission.attachments.get()
    assert (attachment.submission_id, attachment.size) == (submission.pk, len(attachment.ciphertext))


def test_failure_in_the_transaction_stores_nothing(responsibility, media_root, attachments_as_files):
    def failing(sender, submission, **kwargs):
        raise RuntimeError("outbox down")

    submission_submitted.connect(failing, dispatch_uid="test-intake-failing")
    try:
        with pytest.raises(RuntimeError):
            accept_form_submission(_payload(responsibility))
    finally:
        submission_submitted.disconnect(dispatch_uid="test-intake-failing")
    assert not Submission.objects.exists() and not Case.objects.exists() and not Event.objects.exists()
    assert not [p for p in Path(media_root).rglob("*") if p.is_file()]


def test_no_responsible_destination_is_a_clear_error(responsibility):
    payload = _payload(responsibility, leika_key="99123456789012")
    with pytest.raises(NoResponsibleDestination) as info:
        accept_form_submission(payload)
    assert "keine zuständige Stelle" in str(info.value) and info.value.user_message == str(info.value)
    assert not Submission.objects.exists()


def test_destination_without_active_key_is_not_responsible():
    responsibility = ResponsibilityFactory(destination__keys=False)
    with pytest.raises(NoResponsibleDestination):
        accept_form_submission(_payload(responsibility))


def test_status_link_is_mailed_after_commit(responsibility, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        reference = accept_form_submission(_payload(responsibility))
    (mail,) = mailoutbox
    assert mail.to == ["quirinella@example.org"]
    assert reference in mail.body and f"/status/{reference}/" in mail.body


def test_building_permit_gets_a_valid_xbau_message(mailoutbox):
    responsibility = ResponsibilityFactory(leika_key=xbau.BAUGENEHMIGUNG_LEIKA)
    payload = _payload(
        responsibility,
        leika_key=xbau.BAUGENEHMIGUNG_LEIKA,
        form_slug="baugenehmigung",
        data={"vorname": "Quirinella", "nachname": "Zwetschgenbaum", "bauvorhaben": "Carport",
              "grundstueck": {"gemarkung": "St. Johann", "flur": "3", "flurstueck": "12/4"}},
    )
    submission = submit_payload(payload)
    meta = json.loads(_decrypt(submission.encrypted_metadata))
    (xml_entry,) = [a for a in meta["contentStructure"]["attachments"] if a["mimeType"] == "application/xml"]
    assert xml_entry["purpose"] == "report"
    xml = _decrypt(SubmissionAttachment.objects.get(pk=xml_entry["attachmentId"]).read_jwe())
    assert xbau.validate(xml) == []
    assert b"baugenehmigung.antrag.0200" in xml and b"Zwetschgenbaum" in xml and b"Carport" in xml
    assert xml_entry["hash"]["content"] == crypto.sha512_hex(xml)


def test_intake_runs_inside_an_outer_transaction_too(responsibility):
    with transaction.atomic():
        reference = accept_form_submission(_payload(responsibility))
    assert Submission.objects.filter(public_reference=reference, status="submitted").exists()


def test_key_rotation_takes_effect_for_the_next_intake(responsibility, settings):
    from django.utils import timezone

    from amtsweg.routing.tests.factories import DestinationKeyFactory

    settings.ROUTING_INDEX_CHECK_SECONDS = 0
    old_key = responsibility.destination.active_encryption_key()
    first = submit_payload(_payload(responsibility))
    assert crypto.jwe_header(first.encrypted_metadata)["kid"] == old_key.kid
    new_key = DestinationKeyFactory(destination=responsibility.destination)
    old_key.retired_at = timezone.now()
    old_key.save()
    second = submit_payload(_payload(responsibility))
    assert crypto.jwe_header(second.encrypted_metadata)["kid"] == new_key.kid != old_key.kid


def test_odd_attachment_content_types_do_not_break_the_metadata(responsibility):
    from amtsweg.assistants.handoff import Attachment

    payload = _payload(responsibility, attachments=[
        Attachment("a.pdf", "application/pdf; charset=binary", b"%PDF a"),
        Attachment("b.bin", "", b"b"),
        Attachment("c.txt", "kein mime typ", b"c"),
    ])
    submission = submit_payload(payload)
    meta = json.loads(_decrypt(submission.encrypted_metadata))
    assert [a["mimeType"] for a in meta["contentStructure"]["attachments"]] == [
        "application/pdf", "application/octet-stream", "application/octet-stream"]


def test_files_of_an_outer_transaction_that_rolled_back_are_cleaned_up(responsibility, media_root,
                                                                        attachments_as_files):
    from datetime import timedelta

    from amtsweg.submissions import services

    class Abort(Exception):
        pass

    with pytest.raises(Abort), transaction.atomic():
        accept_form_submission(_payload(responsibility))
        raise Abort  # e.g. the assistant fails after the hand-over
    kept = submit_payload(_payload(responsibility))
    files = [p for p in Path(media_root).rglob("*.jwe")]
    assert len(files) == 2 and not Submission.objects.exclude(pk=kept.pk).exists()
    assert services.remove_orphaned_files(older_than=timedelta(hours=1)) == 0  # too young to judge
    assert services.remove_orphaned_files(older_than=timedelta(0)) == 1
    (remaining,) = [p for p in Path(media_root).rglob("*.jwe")]
    assert remaining.stem == str(kept.attachments.get().pk)


def test_small_attachments_live_in_their_row_and_large_ones_in_files(responsibility, media_root, settings):
    from amtsweg.assistants.handoff import Attachment

    settings.AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES = 4096
    small, large = b"%PDF-1.7 klein", b"%PDF-1.7 " + b"gross " * 1000
    submission = submit_payload(_payload(responsibility, attachments=[
        Attachment("klein.pdf", "application/pdf", small), Attachment("gross.pdf", "application/pdf", large)]))
    meta = json.loads(_decrypt(submission.encrypted_metadata))
    by_name = {a["filename"]: a["attachmentId"] for a in meta["contentStructure"]["attachments"]}
    inline = SubmissionAttachment.objects.get(pk=by_name["klein.pdf"])
    in_file = SubmissionAttachment.objects.get(pk=by_name["gross.pdf"])
    assert inline.ciphertext and not inline.content and inline.size == len(inline.ciphertext)
    assert not in_file.ciphertext and in_file.content and in_file.size > 4096
    assert [p.stem for p in Path(media_root).rglob("*.jwe")] == [str(in_file.pk)]
    assert _decrypt(inline.read_jwe()) == small and _decrypt(in_file.read_jwe()) == large


def test_the_intakes_inserts_store_exactly_what_bulk_create_stores(responsibility, media_root):
    """`create_submitted` writes its rows with `core.inserts.insert_objects` instead of `bulk_create`: every
    column of every table the intake writes (case, submission, inline and file attachment, events, outbox row)
    holds the same value either way; only the times `auto_now` stamps at the moment of saving differ."""
    import copy
    import uuid

    from django.core.files.base import ContentFile
    from django.utils import timezone

    from amtsweg.core.inserts import insert_objects
    from amtsweg.delivery.models import OutboxMessage

    destination = responsibility.destination
    now = timezone.now()
    case = Case(destination=destination)
    submission = Submission(
        case=case, destination=destination, status=Submission.Status.SUBMITTED, service_identifier="urn:x",
        service_name="Hundesteuer – Anmeldung", form_slug="hundesteuer", form_version=3, announced_attachments=[
            str(uuid.uuid4())], encrypted_metadata="a.b.c.d.e", encrypted_data="f.g.h.i.j", encryption_kid="k1",
        submitted_at=now, public_reference="AW-TEST-0000-0001")
    inline = SubmissionAttachment(submission=submission, ciphertext="x.y.z", size=5)
    in_file = SubmissionAttachment(submission=submission, size=9)
    in_file.content.save(f"{in_file.pk}.jwe", ContentFile(b"l.m.n.o.p"), save=False)
    log = [events.build(submission, events.CREATE, at=now),
           events.build(submission, events.SUBMIT, {"authenticationTags": {"data": "ä"}}, at=now)]
    outbox = [OutboxMessage(idempotency_key=f"{submission.pk}:email", submission_id=submission.pk, channel="email",
                            destination_id=destination.pk, case_id=case.pk, authority_id=destination.authority_id,
                            next_attempt_at=now)]
    stamped = {"created_at", "updated_at", "uploaded_at"}

    for objs in ([case], [submission], [inline, in_file], log, outbox):
        model = type(objs[0])
        stored = {}
        for name, insert in (("insert_objects", insert_objects), ("bulk_create", model.objects.bulk_create)):
            with transaction.atomic():
                started = timezone.now()
                insert(copy.deepcopy(objs))
                rows = list(model.objects.filter(**({"submission_id": submission.pk} if model is OutboxMessage
                                                    else {"pk__in": [o.pk for o in objs]})).order_by("pk").values())
                transaction.set_rollback(True)
            for row in rows:
                for field in stamped & set(row) - ({"created_at"} if model is Event else set()):
                    assert started <= row.pop(field) <= timezone.now(), (model, field)
                row.pop("id") if model is OutboxMessage else None  # the database numbers it
            stored[name] = rows
        assert stored["insert_objects"] == stored["bulk_create"] and stored["bulk_create"], model
        model.objects.bulk_create(objs)  # for the next table's foreign keys


def test_insert_objects_marks_its_instances_saved_and_skips_conflicts_when_asked(responsibility):
    from django.db import IntegrityError

    from amtsweg.core.inserts import insert_objects

    case = Case(destination=responsibility.destination)
    insert_objects([case])
    assert not case._state.adding and case._state.db == "default"
    case.save()  # an UPDATE now, not a second INSERT
    insert_objects([Case(pk=case.pk, destination=responsibility.destination)], ignore_conflicts=True)
    assert Case.objects.filter(pk=case.pk).count() == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        insert_objects([Case(pk=case.pk, destination=responsibility.destination)])
    with pytest.raises(TypeError):
        insert_objects([case, Event()])
