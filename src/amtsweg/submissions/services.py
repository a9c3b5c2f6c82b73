"""The submission lifecycle as plain functions: announce → upload attachments → submit.

Both senders use these functions: the Submission API (external online services that encrypt themselves)
and the platform's own intake (`amtsweg.submissions.intake`, which encrypts for them). Every function
that changes state records its step in the event log in the same transaction.

Every function that writes a submission takes its acting party as a required keyword `sender`: the API
client (an online service) that announced it, or `SYSTEM` for the platform's own intake and the back
office's forwarding, whose submissions have no client. Forgetting it is a TypeError, not a submission that
anybody may continue; `store_attachment` and `submit` refuse (404, as for any other's) a submission that
another party announced, so ownership holds below the API views too.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import timedelta

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from amtsweg.core.actors import SystemActor, is_system
from amtsweg.core.ids import uuid7
from amtsweg.core.inserts import insert_objects
from amtsweg.routing import key_ids
from amtsweg.routing.models import Destination
from amtsweg.submissions import crypto, events, metrics
from amtsweg.submissions.errors import Conflict, NotFound, TooLarge, Unprocessable
from amtsweg.submissions.models import ApiClient, Case, Event, Submission, SubmissionAttachment
from amtsweg.submissions.signals import submission_submitted

MAX_ATTACHMENT_BYTES = 200 * 1024 * 1024
MAX_ATTACHMENTS = 500
# Attachment ids are the sender's UUIDs and the attachments' primary keys, so one id names one attachment.
ATTACHMENT_ID_TAKEN = "Diese Anlagen-ID gehört bereits zu einer anderen Einreichung; bitte eine neue UUID wählen."
_TICK = timedelta(microseconds=1)  # keeps steps recorded together in order

Sender = ApiClient | SystemActor


def _client_of(sender: Sender) -> ApiClient | None:
    """The `Submission.sender` row for an acting party: the API client, or None for the platform (SYSTEM).

    Anything else (None, a staff user) is a TypeError: a caller that does not say who acts gets nothing."""
    if is_system(sender):
        return None
    if isinstance(sender, ApiClient) and sender.pk is not None:
        return sender
    raise TypeError(f"sender must be an ApiClient or SYSTEM, not {sender!r}")


def _check_owner(submission: Submission, sender: Sender) -> None:
    """404 unless `sender` announced `submission` (the platform's own have no client)."""
    client = _client_of(sender)
    if submission.sender_id != (client.pk if client is not None else None):
        raise NotFound(_("Einreichung nicht gefunden."))


def announce(
    destination: Destination,
    *,
    service_identifier: str,
    service_name: str = "",
    sender: Sender,
    announced_attachments: Iterable[str | uuid.UUID] = (),
    case_id: uuid.UUID | str | None = None,
    callback_url: str = "",
    callback_secret: str = "",
    submission_id: uuid.UUID | None = None,
    public_reference: str | None = None,
) -> Submission:
    """Create a submission (status incomplete) for a destination; opens a case unless one is named.

    `sender` is the announcing API client or SYSTEM; only it may upload to and submit the submission."""
    client = _client_of(sender)
    if destination.status != Destination.Status.ACTIVE:
        raise Unprocessable("Der Zustellpunkt ist nicht aktiv.")
    if destination.active_encryption_key() is None:
        raise Unprocessable("Der Zustellpunkt hat keinen aktiven Verschlüsselungsschlüssel.")
    attachment_ids = [str(uuid.UUID(str(a))) for a in announced_attachments]
    if len(set(attachment_ids)) != len(attachment_ids):
        raise Unprocessable("announcedAttachments enthält doppelte IDs.")
    if len(attachment_ids) > MAX_ATTACHMENTS:
        raise TooLarge(f"Höchstens {MAX_ATTACHMENTS} Anlagen je Einreichung.")
    if attachment_ids and SubmissionAttachment.objects.filter(pk__in=attachment_ids).exists():
        raise Conflict(ATTACHMENT_ID_TAKEN)
    with transaction.atomic():
        if case_id:
            case = Case.objects.filter(pk=case_id, destination=destination).first()
            if case is None:
                raise NotFound("Der Vorgang (caseId) ist für diesen Zustellpunkt unbekannt.")
        else:
            case = Case.objects.create(destination=destination)
        submission = Submission.objects.create(
            id=submission_id or uuid7(),
            case=case,
            destination=destination,
            service_identifier=service_identifier,
            service_name=service_name,
            announced_attachments=attachment_ids,
            sender=client,
            callback_url=callback_url,
            callback_secret=callback_secret,
            **({"public_reference": public_reference} if public_reference else {}),
        )
        events.record(submission, events.CREATE)
    return submission


def store_attachment(submission: Submission, attachment_id: uuid.UUID | str, jwe: str, *,
                     sender: Sender) -> SubmissionAttachment:
    """Store (or replace) an announced attachment, given as a compact JWE, for the submission's own sender."""
    _check_owner(submission, sender)
    attachment_id = str(uuid.UUID(str(attachment_id)))
    if submission.status != Submission.Status.INCOMPLETE:
        raise Conflict("Anlagen können nur vor dem Absenden hochgeladen werden.")
    if attachment_id not in submission.announced_attachments:
        raise Unprocessable("Diese Anlage wurde nicht angekündigt (announcedAttachments).")
    if len(jwe) > MAX_ATTACHMENT_BYTES:
        raise TooLarge("Die Anlage ist zu groß.")
    _check_jwe(_("Die Anlage"), jwe)
    existing = SubmissionAttachment.objects.filter(pk=attachment_id).first()
    if existing is not None and existing.submission_id != submission.pk:
        raise Conflict(ATTACHMENT_ID_TAKEN)
    if existing is not None:
        if existing.content:
            existing.content.delete(save=False)
        attachment = existing
    else:
        attachment = SubmissionAttachment(id=attachment_id, submission=submission)
    _put_ciphertext(attachment, jwe)
    try:
        with transaction.atomic():
            attachment.save()
    except IntegrityError:  # another submission's upload took the id in the meantime
        if attachment.content:
            attachment.content.delete(save=False)
        raise Conflict(ATTACHMENT_ID_TAKEN) from None
    return attachment


def _check_jwe(what: str, token: str) -> None:
    """422 unless `token` is a well-formed FIT-Connect JWE; the detail names the bad part."""
    try:
        crypto.check_compact_jwe(token)
    except crypto.MalformedJWE as exc:
        raise Unprocessable(_("%(what)s ist kein JWE (RSA-OAEP-256, A256GCM) in kompakter Form: %(reason)s.")
                            % {"what": what, "reason": exc}) from None


def _put_ciphertext(attachment: SubmissionAttachment, jwe: str) -> bool:
    """Keep a small JWE in the row, write a large one to the file storage; True if a file was written."""
    data = jwe.encode("ascii")
    attachment.size = len(data)
    if len(data) <= settings.AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES:
        attachment.ciphertext = jwe
        attachment.content = ""
        return False
    attachment.ciphertext = ""
    attachment.content.save(f"{attachment.id}.jwe", ContentFile(data), save=False)
    return True


def _decrypting_kid(destination_id, encrypted_metadata: str) -> str:
    """The `kid` of the destination key the sender encrypted for, which the header names by kid or by JWK
    thumbprint (`routing.key_ids`); "" if it names none of the destination's keys."""
    header_kid = crypto.jwe_header(encrypted_metadata).get("kid")
    key = key_ids.encryption_key(destination_id, header_kid) if isinstance(header_kid, str) else None
    return key.kid if key is not None else ""


def _authentication_tag(jwe: str) -> str:
    return jwe.rsplit(".", 1)[-1]


def submit(submission: Submission, *, sender: Sender, encrypted_metadata: str,
           encrypted_data: str | None = None) -> Submission:
    """Complete a submission: store the encrypted metadata/data, move to submitted, log, signal.

    Only the party that announced it (`sender`) may submit it; any other gets 404 as for an unknown one.

    Runs in one transaction together with the `submit-submission` event and the `submission_submitted`
    signal, so the delivery outbox row is written atomically with the submission.
    """
    _check_owner(submission, sender)
    _check_jwe("encryptedMetadata", encrypted_metadata)
    if encrypted_data is not None:
        _check_jwe("encryptedData", encrypted_data)
    with transaction.atomic():
        locked = Submission.objects.select_for_update().get(pk=submission.pk)
        if locked.status != Submission.Status.INCOMPLETE:
            raise Conflict("Die Einreichung wurde bereits abgesendet.")
        uploaded = {str(a) for a in locked.attachments.values_list("id", flat=True)}
        missing = [a for a in locked.announced_attachments if a not in uploaded]
        if missing:
            raise Unprocessable("Angekündigte Anlagen fehlen noch: " + ", ".join(missing))
        locked.encrypted_metadata = encrypted_metadata
        locked.encrypted_data = encrypted_data or ""
        locked.encryption_kid = _decrypting_kid(locked.destination_id, encrypted_metadata)
        locked.status = Submission.Status.SUBMITTED
        locked.submitted_at = timezone.now()
        locked.save()
        attachment_tags = {
            str(a.id): _authentication_tag(a.read_jwe()) for a in locked.attachments.all()
        } if locked.announced_attachments else {}
        tags = {"metadata": _authentication_tag(encrypted_metadata), "attachments": attachment_tags}
        if encrypted_data:
            tags["data"] = _authentication_tag(encrypted_data)
        events.record(locked, events.SUBMIT, {"authenticationTags": tags})
        submission_submitted.send(sender=Submission, submission=locked)
        transaction.on_commit(metrics.API_INTAKE.inc)
    return locked


def create_submitted(
    destination: Destination,
    *,
    service_identifier: str,
    service_name: str,
    attachments: list[tuple[uuid.UUID, str]],
    encrypted_metadata: str,
    encrypted_data: str,
    sender: Sender,
    public_reference: str | None = None,
    form_slug: str = "",
    form_version: int | None = None,
    encryption_kid: str | None = None,
) -> Submission:
    """Announce, upload and submit in one round, for a sender that has every encrypted part at hand.

    The platform's own forms use this: the same rows, events and signal as `announce` → `store_attachment`
    → `submit`, but each table written with one INSERT (`core.inserts.insert_objects`: no read-back, no row
    locks), because nobody else can know the new submission yet. Runs in one transaction with the
    `submission_submitted` signal. Small attachments go into their rows; if the transaction fails, the files
    written for large ones are removed. `sender` is SYSTEM for the platform's forms and forwarding.
    """
    client = _client_of(sender)
    now = timezone.now()
    case = Case(destination=destination)
    submission = Submission(
        case=case,
        destination=destination,
        status=Submission.Status.SUBMITTED,
        service_identifier=service_identifier,
        service_name=service_name,
        form_slug=form_slug,
        form_version=form_version,
        announced_attachments=[str(a) for a, _jwe in attachments],
        encrypted_metadata=encrypted_metadata,
        encrypted_data=encrypted_data,
        encryption_kid=(encryption_kid if encryption_kid is not None
                        else _decrypting_kid(destination.pk, encrypted_metadata))[:64],
        sender=client,
        submitted_at=now,
        **({"public_reference": public_reference} if public_reference else {}),
    )
    tags = {
        "metadata": _authentication_tag(encrypted_metadata),
        "data": _authentication_tag(encrypted_data),
        "attachments": {str(a): _authentication_tag(jwe) for a, jwe in attachments},
    }
    log = [
        events.build(submission, events.CREATE, at=now),
        events.build(submission, events.SUBMIT, {"authenticationTags": tags}, at=now + _TICK),
    ]
    stored: list[SubmissionAttachment] = []
    written: list[SubmissionAttachment] = []
    try:
        for attachment_id, jwe in attachments:
            attachment = SubmissionAttachment(id=attachment_id, submission=submission)
            if _put_ciphertext(attachment, jwe):
                written.append(attachment)
            stored.append(attachment)
        with transaction.atomic():
            insert_objects([case])
            insert_objects([submission])
            insert_objects(stored)
            insert_objects(log)
            submission_submitted.send(sender=Submission, submission=submission)
            transaction.on_commit(metrics.FORM_INTAKE.inc)
    except Exception:
        for attachment in written:
            attachment.content.delete(save=False)
        raise
    return submission


def mark_forwarded(submission: Submission) -> None:
    """The platform handed the submission to the Fachverfahren (fetched or pushed). Idempotent: only the
    call that moves it from submitted to forwarded records the forward-submission event, also when several
    run at once (the status condition of the UPDATE is checked again under the row lock). A submission read
    as past submitted cannot go back, so for it nothing is written at all (repeated fetches).

    No savepoint inside a caller's transaction (the back office's ingest, two statements less per submission):
    nobody goes on after a failure here in the same transaction, it rolls back whole (`savepoint=False` marks it
    so), and outside one the block is the transaction."""
    if submission.status != Submission.Status.SUBMITTED:
        return
    with transaction.atomic(savepoint=False):
        updated = Submission.objects.filter(pk=submission.pk, status=Submission.Status.SUBMITTED).update(
            status=Submission.Status.FORWARDED, updated_at=timezone.now()
        )
        if updated:
            submission.status = Submission.Status.FORWARDED
            events.record(submission, events.FORWARD)


def record_notification(submission: Submission, channel: str) -> None:
    """A push channel notified the Fachverfahren (no personal data in the notification)."""
    record_notifications([submission], channel)


def record_notifications(submissions: Iterable[Submission], channel: str) -> None:
    """`record_notification` for a worker's batch: the notify-submission events in one `bulk_create`.
    Needs only `id` and `case_id`."""
    Event.objects.bulk_create([events.build(submission, events.NOTIFY, {"channel": channel})
                               for submission in submissions])


def delete_submission(submission: Submission) -> None:
    """Delete the ciphertext of a finished submission; the (content-free) event log remains."""
    with transaction.atomic():
        for attachment in submission.attachments.exclude(content=""):
            attachment.content.delete(save=False)
        submission.attachments.all().delete()
        submission.encrypted_metadata = ""
        submission.encrypted_data = ""
        submission.status = Submission.Status.DELETED
        submission.save()
        events.record(submission, events.DELETE)


def purge_finished(older_than: timedelta) -> int:
    """Delete the ciphertext of submissions the Fachverfahren accepted or rejected more than `older_than`
    ago (it has them); each gets a `delete-submission` event. Returns how many were purged."""
    cutoff = timezone.now() - older_than
    finished = Submission.objects.filter(
        status__in=[Submission.Status.ACCEPTED, Submission.Status.REJECTED], updated_at__lt=cutoff
    )
    count = 0
    for submission in finished.iterator():
        delete_submission(submission)
        count += 1
    return count


def remove_orphaned_files(older_than: timedelta = timedelta(hours=1)) -> int:
    """Delete attachment files without a row: left behind when an outer transaction (e.g. the assistant's)
    rolled back after the files were written. Only ciphertext, but it should not linger."""
    from django.core.files.storage import default_storage

    cutoff = timezone.now() - older_than
    removed = 0
    try:
        folders, _files = default_storage.listdir("submissions")
    except FileNotFoundError:
        return 0
    for folder in folders:
        _dirs, names = default_storage.listdir(f"submissions/{folder}")
        ids = {name.removesuffix(".jwe") for name in names if name.endswith(".jwe")}
        known = {str(pk) for pk in SubmissionAttachment.objects.filter(pk__in=_valid_uuids(ids))
                 .values_list("pk", flat=True)}
        for name in names:
            path = f"submissions/{folder}/{name}"
            if name.removesuffix(".jwe") in known or default_storage.get_modified_time(path) > cutoff:
                continue
            default_storage.delete(path)
            removed += 1
    return removed


def _valid_uuids(values) -> list[uuid.UUID]:
    result = []
    for value in values:
        try:
            result.append(uuid.UUID(value))
        except ValueError:
            continue
    return result



def every_attachment_file_present() -> int:
    """After a restore (`amtsweg restore`): every attachment kept in the file storage is there, so every
    stored submission can still be fetched. Returns how many files were checked; raises RestoreError naming
    the first missing one (by attachment id)."""
    from django.core.files.storage import default_storage

    from amtsweg.core.backup import RestoreError

    checked = 0
    for pk, name in SubmissionAttachment.objects.exclude(content="").values_list("pk", "content").iterator(500):
        if not default_storage.exists(name):
            raise RestoreError(f"the file of attachment {pk} is missing from the storage")
        checked += 1
    return checked
