"""Messages between a case's authority and its applicant, Rückfragen and their answers — plain functions.

Who acts is always explicit:

* staff functions take `actor` (a staff user, or `core.actors.SYSTEM`) and check it may work on the case
  (`casework.services.check_may_work`: own Authority, own team; the Land operator and other Kommunen never);
* applicant functions take an `Applicant` — the proof the request holds for one application: the signed
  status link or the logged-in citizen account it belongs to (`access.applicant_for`).

Subject, text, requested documents, file names and file contents are sealed by the vault for the case's
Authority; mails to the applicant (`notify`) only say that something is waiting, never what.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from amtsweg.accounts import audit
from amtsweg.casework import services as casework
from amtsweg.casework import vault
from amtsweg.casework.ingest import APPLICATION
from amtsweg.casework.models import Case
from amtsweg.core.actors import is_system
from amtsweg.postfach.models import Application, Message, MessageAttachment

logger = logging.getLogger(__name__)
BODY = "postfach.message"
ATTACHMENT = "postfach.attachment"
MAX_SUBJECT = 200
MAX_TEXT = 10_000
MAX_DOCUMENTS = 10
MAX_DOCUMENT_NAME = 200
MAX_FILES = 5
# A Rückfrage's answer deadline ("Bitte antworten Sie bis …"): at least tomorrow, at most a year ahead; the form
# proposes two weeks.
ANSWER_DAYS_DEFAULT = 14
ANSWER_DAYS_MAX = 365
# Subjects the platform writes itself are stored as a code and named in the reader's language when shown:
# a subject translated when the message was stored stayed German in the English UI. Staff write their own
# subjects, stored as typed. Older messages stored the German text; `show` names those too.
SUBJECTS = {
    "inquiry": gettext_noop("Rückfrage zu Ihrem Antrag"),
    "answer": gettext_noop("Antwort auf die Rückfrage"),
    "forwarded": gettext_noop("Ihr Antrag wurde weitergeleitet"),
}
# Texts the platform writes itself, stored as a code and parameters like SUBJECTS (the forwarding note was
# stored German and stayed German in the English UI and in the applicant's export). Dates are stored ISO; the
# forwarding note's status link is made from the reference when shown, so it follows PUBLIC_BASE_URL.
TEXTS = {
    "forwarded": gettext_noop(
        "Ihr Antrag ist nicht bei uns, sondern bei %(authority)s zu bearbeiten. Wir haben ihn deshalb am "
        "%(date)s dorthin weitergeleitet; Sie müssen dafür nichts tun.\n\nDort hat Ihr Antrag die neue "
        "Vorgangsnummer %(reference)s. Den Stand der Bearbeitung sehen Sie ab jetzt hier:\n%(url)s"),
}
TEXT_PARAMS = {"forwarded": ("authority", "date", "reference")}


class MessageError(Exception):
    """Input that cannot be sent; the message is German and says what to change."""


@dataclass(frozen=True)
class Upload:
    """A file as validated by `check_upload` (type sniffed, size bounded)."""

    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class Applicant:
    """The applicant of one application, as proven by the request (signed link or owning account)."""

    submission_id: Any
    via: str  # "link" | "account"


@dataclass
class ShownMessage:
    message: Message
    subject: str
    text: str
    documents: list[str] = field(default_factory=list)
    attachments: list[dict] = field(default_factory=list)  # {"id", "filename", "content_type", "size"}
    answered: bool = False
    answer_by: dt.date | None = None  # a Rückfrage's deadline for the answer, if the case worker set one


# --- validation --------------------------------------------------------------------------------------------


def check_upload(upload) -> Upload:
    """The assistant's upload rules (`assistants.engine.validators.check_upload`): at most 5 MB, PDF, PNG or
    JPEG by their first bytes (not by name or the browser's claim), German errors."""
    from amtsweg.assistants.engine import validators

    limit = validators.DEFAULT_MAX_UPLOAD
    size = getattr(upload, "size", None)
    content = b"" if size is not None and size > limit else upload.read(limit + 1)
    try:
        if size is not None and size > limit:  # name the file's size, not the limit + 1 bytes read
            raise validators.Invalid(_("Die Datei ist zu groß (%(size)s). Erlaubt sind höchstens %(max)s.") % {
                "size": validators.format_size(size), "max": validators.format_size(limit)})
        content_type = validators.check_upload(content, {})
    except validators.Invalid as exc:
        raise MessageError(_("%(name)s: %(error)s") % {"name": _filename(upload.name), "error": exc.message}) \
            from None
    return Upload(_filename(upload.name), content_type, content)


def check_answer_by(value: str | dt.date | None) -> dt.date | None:
    """The answer deadline of a Rückfrage as typed (ISO from the date field, or German dd.mm.yyyy); empty is
    none. A day already begun or past gives the applicant no time to answer, so it is refused, like one
    more than a year ahead (a typo in the year)."""
    if isinstance(value, dt.date):
        day = value
    else:
        text = (value or "").strip()
        if not text:
            return None
        day = None
        for pattern in ("%Y-%m-%d", "%d.%m.%Y"):
            try:
                day = dt.datetime.strptime(text, pattern).date()
                break
            except ValueError:
                continue
        if day is None:
            raise MessageError(_("Bitte geben Sie die Antwortfrist als Datum an, z. B. %(example)s.")
                               % {"example": default_answer_by().strftime("%d.%m.%Y")})
    first, last = answer_by_bounds()
    if day < first:
        raise MessageError(_("Die Antwortfrist muss in der Zukunft liegen (frühestens morgen)."))
    if day > last:
        raise MessageError(_("Die Antwortfrist darf höchstens ein Jahr in der Zukunft liegen."))
    return day


def answer_by_bounds() -> tuple[dt.date, dt.date]:
    """The first and the last day `check_answer_by` takes (for the date field's min and max)."""
    today = timezone.localdate()
    return today + dt.timedelta(days=1), today + dt.timedelta(days=ANSWER_DAYS_MAX)


def default_answer_by() -> dt.date:
    """The answer deadline the Rückfrage form proposes."""
    return timezone.localdate() + dt.timedelta(days=ANSWER_DAYS_DEFAULT)


def _filename(name: str) -> str:
    return os.path.basename((name or "").replace("\\", "/"))[:120] or "datei"


def _clean_text(text: str, *, what: str, limit: int) -> str:
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise MessageError(_("Bitte schreiben Sie %(what)s.") % {"what": what})
    if len(text) > limit:
        raise MessageError(_("%(what)s darf höchstens %(n)d Zeichen lang sein (jetzt %(m)d).")
                           % {"what": what.capitalize(), "n": limit, "m": len(text)})
    return text


def _clean_documents(documents: list[str]) -> list[str]:
    names = [d.strip() for d in documents if d and d.strip()]
    if len(names) > MAX_DOCUMENTS:
        raise MessageError(_("Bitte fordern Sie höchstens %(n)d Unterlagen auf einmal an.") % {"n": MAX_DOCUMENTS})
    for name in names:
        if len(name) > MAX_DOCUMENT_NAME:
            raise MessageError(_("Die Bezeichnung einer Unterlage darf höchstens %(n)d Zeichen lang sein.")
                               % {"n": MAX_DOCUMENT_NAME})
    return names


# --- storing -------------------------------------------------------------------------------------------------


def _store(case: Case, *, direction: str, kind: str, sender, text: str = "", subject: str = "",
           subject_code: str = "", text_code: str = "", text_params: dict | None = None,
           documents: list[str] = (), uploads: list[Upload] = (), in_reply_to: Message | None = None,
           answer_by: dt.date | None = None) -> Message:
    """Seal and store a message; `subject` and `text` as a person typed them, or `subject_code` (a key of
    SUBJECTS) and `text_code` with `text_params` (TEXTS) for what the platform writes."""
    if len(uploads) > MAX_FILES:
        raise MessageError(_("Bitte senden Sie höchstens %(n)d Dateien mit einer Nachricht.") % {"n": MAX_FILES})
    described = [{"filename": u.filename, "content_type": u.content_type, "size": len(u.content)} for u in uploads]
    body = {"subject": subject, "text": text, "documents": list(documents), "attachments": described}
    if answer_by is not None:
        body["answer_by"] = answer_by.isoformat()
    if subject_code:
        if subject_code not in SUBJECTS:
            raise ValueError(f"unknown subject code {subject_code!r}")
        body = {**body, "subject": "", "subject_code": subject_code}
    if text_code:
        params = dict(text_params or {})
        if text_code not in TEXTS or set(params) != set(TEXT_PARAMS[text_code]):
            raise ValueError(f"unknown text code {text_code!r} or wrong parameters")
        body = {**body, "text": "", "text_code": text_code, "text_params": params}
    message = Message.objects.create(
        case=case, direction=direction, kind=kind, sender=sender, in_reply_to=in_reply_to,
        body=vault.seal(case.authority_id, json.dumps(body, ensure_ascii=False).encode(), purpose=BODY),
    )
    MessageAttachment.objects.bulk_create([
        MessageAttachment(message=message, position=i, size=len(u.content),
                          content=vault.seal(case.authority_id, u.content, purpose=ATTACHMENT))
        for i, u in enumerate(uploads)
    ])
    return message


def listed(queryset) -> list[Message]:
    """Messages for a list of `show`: case, attachment ids and whether each has a reply come with them, so
    a list costs the same few queries for one message or fifty (before, each message asked for its
    attachments and its replies on its own)."""
    return list(queryset.select_related("case").annotate(has_reply=Exists(
        Message.objects.filter(in_reply_to=OuterRef("pk")))).prefetch_related(Prefetch(
            "attachments", queryset=MessageAttachment.objects.only("id", "message_id", "position")
            .order_by("position"))))


def show(message: Message) -> ShownMessage:
    """The message opened (callers have checked who may read it). Loaded through `listed`, it costs no query;
    a single message asks for its attachments and replies."""
    body = json.loads(vault.open(message.case.authority_id, bytes(message.body), purpose=BODY))
    ids = [a.pk for a in sorted(message.attachments.all(), key=lambda a: a.position)]
    attachments = [dict(described, id=ids[i]) for i, described in enumerate(body.get("attachments", []))
                   if i < len(ids)]
    replied = message.has_reply if hasattr(message, "has_reply") else message.replies.exists()
    answered = message.kind == Message.Kind.INQUIRY and replied
    answer_by = dt.date.fromisoformat(body["answer_by"]) if body.get("answer_by") else None
    return ShownMessage(message, _subject(body), _text(body), body.get("documents", []),
                        attachments, answered, answer_by)


def _subject(body: dict) -> str:
    """The subject in the reader's language where the platform wrote it (a code, or an older German text)."""
    code, subject = body.get("subject_code", ""), body.get("subject", "")
    if code in SUBJECTS:
        return _(SUBJECTS[code])
    return _(subject) if subject in SUBJECTS.values() else subject


def _text(body: dict) -> str:
    """The text in the reader's language where the platform wrote it (a code and its parameters), else as
    stored (what people wrote, and platform notes stored as German text before the codes)."""
    from amtsweg.submissions import status

    code, stored = body.get("text_code", ""), body.get("text_params") or {}
    if code not in TEXTS or not set(TEXT_PARAMS[code]) <= set(stored):
        return body.get("text", "")
    params = {name: stored[name] for name in TEXT_PARAMS[code]}
    params["date"] = dt.date.fromisoformat(params["date"]).strftime("%d.%m.%Y")
    params["url"] = status.absolute_status_url(params["reference"])
    return _(TEXTS[code]) % params


def open_attachment(attachment: MessageAttachment) -> tuple[dict, bytes]:
    """An attachment's description and content (callers have checked who may read it)."""
    shown = show(attachment.message)
    described = next((a for a in shown.attachments if a["id"] == attachment.pk), None)
    if described is None:
        raise MessageAttachment.DoesNotExist
    content = vault.open(attachment.message.case.authority_id, bytes(attachment.content), purpose=ATTACHMENT)
    return described, content


# --- staff side --------------------------------------------------------------------------------------------


def _staff(actor):
    return None if is_system(actor) else actor


def send_message(case: Case, *, actor, subject: str, text: str, uploads: list[Upload] = ()) -> Message:
    """A message from the authority to the applicant (no change of the case's state)."""
    casework.check_may_work(actor, case)
    subject = _clean_text(subject, what=_("einen Betreff"), limit=MAX_SUBJECT)
    text = _clean_text(text, what=_("eine Nachricht"), limit=MAX_TEXT)
    with transaction.atomic():
        message = _store(case, direction=Message.Direction.TO_APPLICANT, kind=Message.Kind.MESSAGE,
                         sender=_staff(actor), subject=subject, text=text, uploads=uploads)
        audit.record(actor, case.authority, "postfach.message_sent", case, {"message": str(message.pk)})
        transaction.on_commit(lambda: notify(case))
    return message


def ask(case: Case, *, actor, text: str, documents: list[str] = (),
        answer_by: str | dt.date | None = None) -> Message:
    """Rückfrage: a question with the documents the applicant should send and, if given, the day by which
    to answer. The case goes to Rückfrage (the deadline clock stands still until the answer arrives); a case
    not yet taken up is taken up first."""
    casework.check_may_work(actor, case)
    text = _clean_text(text, what=_("Ihre Frage"), limit=MAX_TEXT)
    documents = _clean_documents(list(documents))
    answer_by = check_answer_by(answer_by)
    with transaction.atomic():
        if case.state == Case.State.RECEIVED:
            case = casework.start(case, actor=actor)
        if case.state != Case.State.IN_PROGRESS:
            raise MessageError(_("Eine Rückfrage ist nur bei einem Vorgang in Bearbeitung möglich."))
        case = casework.pause_for_inquiry(case, actor=actor)
        message = _store(case, direction=Message.Direction.TO_APPLICANT, kind=Message.Kind.INQUIRY,
                         sender=_staff(actor), subject_code="inquiry", text=text,
                         documents=documents, answer_by=answer_by)
        audit.record(actor, case.authority, "postfach.inquiry_sent", case, {"message": str(message.pk)})
        transaction.on_commit(lambda: notify(case))
    return message


def store_inquiry(case: Case, *, actor, text: str, documents: list[str] = ()) -> Message:
    """A Rückfrage for a case that is already in Rückfrage (the demo walks the state itself): only the
    message and the notification, no change of state."""
    casework.check_may_work(actor, case)
    text = _clean_text(text, what=_("Ihre Frage"), limit=MAX_TEXT)
    with transaction.atomic():
        message = _store(case, direction=Message.Direction.TO_APPLICANT, kind=Message.Kind.INQUIRY,
                         sender=_staff(actor), subject_code="inquiry", text=text,
                         documents=_clean_documents(list(documents)))
        audit.record(_staff(actor), case.authority, "postfach.inquiry_sent", case, {"message": str(message.pk)})
        transaction.on_commit(lambda: notify(case))
    return message


def messages_for_staff(case: Case, *, actor) -> list[ShownMessage]:
    """The case's correspondence, oldest first; the applicant's unread messages count as read now."""
    casework.check_may_work(actor, case)
    messages = listed(Message.objects.filter(case=case).select_related("sender").order_by("created_at", "id"))
    unread = [m.pk for m in messages if m.direction == Message.Direction.FROM_APPLICANT and m.read_at is None]
    if unread:
        Message.objects.filter(pk__in=unread).update(read_at=timezone.now())
    audit.record(actor, case.authority, "postfach.messages_viewed", case, {"reference": case.reference})
    return [show(m) for m in messages]


def staff_attachment(case: Case, attachment_id, *, actor) -> tuple[dict, bytes]:
    casework.check_may_work(actor, case)
    attachment = MessageAttachment.objects.select_related("message__case").get(pk=attachment_id, message__case=case)
    audit.record(actor, case.authority, "postfach.attachment_viewed", case,
                 {"attachment": str(attachment.pk)})
    return open_attachment(attachment)


# --- applicant side ----------------------------------------------------------------------------------------


def case_of(applicant: Applicant) -> Case | None:
    """The back-office case of the applicant's application (None: not worked in Amtsweg-Sachbearbeitung)."""
    return Case.objects.filter(submission_id=applicant.submission_id).first()


def messages_for_applicant(applicant: Applicant) -> list[ShownMessage]:
    case = case_of(applicant)
    if case is None:
        return []
    return [show(m) for m in listed(Message.objects.filter(case=case).order_by("created_at", "id"))]


def applicant_message(applicant: Applicant, message_id) -> Message:
    """One message of the applicant's case (DoesNotExist for any other); a message to the applicant is read
    now if it was not before."""
    message = Message.objects.select_related("case").get(pk=message_id, case__submission_id=applicant.submission_id)
    if message.direction == Message.Direction.TO_APPLICANT and message.read_at is None:
        Message.objects.filter(pk=message.pk, read_at__isnull=True).update(read_at=timezone.now())
    return message


def applicant_attachment(applicant: Applicant, attachment_id) -> tuple[dict, bytes]:
    attachment = MessageAttachment.objects.select_related("message__case").get(
        pk=attachment_id, message__case__submission_id=applicant.submission_id)
    return open_attachment(attachment)


def open_inquiry(applicant: Applicant) -> Message | None:
    """The Rückfrage still waiting for the applicant's answer, if any."""
    case = case_of(applicant)
    if case is None or case.state != Case.State.INQUIRY:
        return None
    return (Message.objects.filter(case=case, kind=Message.Kind.INQUIRY, replies__isnull=True)
            .order_by("-created_at").first())


def answer(applicant: Applicant, inquiry_id, *, text: str, uploads: list[Upload] = ()) -> Message:
    """The applicant answers a Rückfrage with text and files: the answer lands in the case, which goes back
    to in Bearbeitung with its deadline moved by the days it waited (casework.services.transition)."""
    from amtsweg.core.actors import SYSTEM

    text = (text or "").replace("\x00", "").strip()
    if not text and not uploads:
        raise MessageError(_("Bitte schreiben Sie eine Antwort oder fügen Sie eine Datei hinzu."))
    if len(text) > MAX_TEXT:
        raise MessageError(_("Ihre Antwort darf höchstens %(n)d Zeichen lang sein (jetzt %(m)d).")
                           % {"n": MAX_TEXT, "m": len(text)})
    with transaction.atomic():
        inquiry = (Message.objects.select_for_update().select_related("case")
                   .filter(pk=inquiry_id, kind=Message.Kind.INQUIRY, case__submission_id=applicant.submission_id)
                   .first())
        if inquiry is None:
            raise Message.DoesNotExist
        if inquiry.replies.exists():
            raise MessageError(_("Diese Rückfrage haben Sie bereits beantwortet."))
        case = inquiry.case
        reply = _store(case, direction=Message.Direction.FROM_APPLICANT, kind=Message.Kind.ANSWER, sender=None,
                       subject_code="answer", text=text, uploads=uploads, in_reply_to=inquiry)
        if case.state == Case.State.INQUIRY:
            casework.start(case, actor=SYSTEM)
        audit.record(SYSTEM, case.authority, "postfach.answer_received", case,
                     {"message": str(reply.pk), "via": applicant.via})
        transaction.on_commit(lambda: notify_staff(case, inquiry))
    return reply


# --- notifications -----------------------------------------------------------------------------------------


def reply_address(case: Case) -> str:
    """The address the applicant gave in the application (sealed in the case; opened by the system only to
    send a notification, which names nothing of the case)."""
    content = json.loads(vault.open(case.authority_id, bytes(case.content), purpose=APPLICATION))
    return str(content.get("replyEmail") or "")


def notify(case: Case) -> bool:
    """Tell the applicant that something waits in the Postfach — without any content: no subject, no text,
    not even the service. An account's applications point to the login, others to the signed status link
    (like the mail at submission). Best effort: the message is stored whatever the mail does."""
    from django.conf import settings

    from amtsweg.submissions import status

    try:
        address = reply_address(case)
        if not address:
            return False
        if Application.objects.filter(submission_id=case.submission_id).exists():
            where = _("Melden Sie sich mit Ihrem Bürgerkonto an und öffnen Sie „Meine Anträge“:\n%(url)s") % {
                "url": settings.PUBLIC_BASE_URL + "/postfach/"}
        else:
            where = _("Sie finden sie auf der Seite zu Ihrem Antrag:\n%(url)s\n\nBitte geben Sie diesen Link "
                      "nicht weiter.") % {"url": status.absolute_status_url(case.reference)}
        send_mail(
            _("Neue Nachricht zu Ihrem Antrag %(reference)s") % {"reference": case.reference},
            _("Guten Tag,\n\nzu Ihrem Antrag %(reference)s liegt eine neue Nachricht für Sie bereit.\n%(where)s\n\n"
              "Aus Gründen des Datenschutzes steht der Inhalt nicht in dieser E-Mail.\n")
            % {"reference": case.reference, "where": where},
            None, [address])
    except Exception:  # noqa: BLE001 - any mailer or vault error; logged without the address
        logger.warning("postfach notification failed", extra={"case": str(case.pk)})
        return False
    return True


def staff_addresses(case: Case, inquiry: Message | None = None) -> list[str]:
    """Who in the back office is told that an answer arrived: the case's assignee; without one, the members
    of the case's team; without a team, the person who asked. Active accounts with an address only."""
    from amtsweg.accounts.models import User

    active = User.objects.filter(is_active=True).exclude(email="")
    if case.assignee_id:
        people = active.filter(pk=case.assignee_id)
    elif case.team_id:
        people = active.filter(casework_teams=case.team_id)
    elif inquiry is not None and inquiry.sender_id:
        people = active.filter(pk=inquiry.sender_id)
    else:
        return []
    return sorted(set(people.filter(authority_id=case.authority_id).values_list("email", flat=True)))


def notify_staff(case: Case, inquiry: Message | None = None) -> bool:
    """Tell the case worker that the applicant answered a Rückfrage — without content: only the reference
    and where to read it (the answer may hold health data or documents; mail is not the place for them).
    Best effort, like `notify`: the answer is stored whatever the mail does."""
    from django.conf import settings
    from django.urls import reverse

    try:
        addresses = staff_addresses(case, inquiry)
        if not addresses:
            return False
        url = settings.PUBLIC_BASE_URL + reverse("postfach:case_messages", args=[case.pk])
        send_mail(
            _("Eine Antwort auf Ihre Rückfrage zu %(reference)s liegt vor") % {"reference": case.reference},
            _("Guten Tag,\n\neine Antwort auf Ihre Rückfrage zu %(reference)s liegt vor. Sie finden sie in der "
              "Amtsweg-Sachbearbeitung (Anmeldung erforderlich):\n%(url)s\n\nAus Gründen des Datenschutzes "
              "steht der Inhalt nicht in dieser E-Mail.\n") % {"reference": case.reference, "url": url},
            None, addresses)
    except Exception:  # noqa: BLE001 - any mailer error; logged without the addresses
        logger.warning("postfach staff notification failed", extra={"case": str(case.pk)})
        return False
    return True


def on_case_forwarded(sender, *, case: Case, submission, destination, actor, **kwargs) -> Message:
    """Weiterleitung (`casework.signals.case_forwarded`, in the forwarding's transaction): the applicant finds
    a note in the Postfach — where the application went, its new reference and the link to its new status
    page — and gets the mail without content. An application in a citizen account's "Meine Anträge" is
    listed there at its new place too (same owner key)."""
    owner = Application.objects.filter(submission_id=case.submission_id).values_list("owner_key", flat=True).first()
    if owner:
        Application.objects.get_or_create(submission=submission, defaults={"owner_key": owner})
    params = {
        "authority": destination.authority.name, "date": timezone.localdate().isoformat(),
        "reference": submission.public_reference}
    message = _store(case, direction=Message.Direction.TO_APPLICANT, kind=Message.Kind.MESSAGE,
                     sender=_staff(actor), subject_code="forwarded", text_code="forwarded", text_params=params)
    audit.record(actor, case.authority, "postfach.message_sent", case, {"message": str(message.pk)})
    transaction.on_commit(lambda: notify(case))
    return message


def check_staff(actor) -> None:
    """Only staff (or the system) act on the staff side."""
    if not is_system(actor) and getattr(actor, "role", None) == "citizen":
        raise PermissionDenied
