"""Drafts, uploads and the final, idempotent submission of an application.

A draft's answers live only encrypted (AES-GCM, see crypto.py). Submitting hands the validated data to
`hand_over()` inside one transaction that also deletes the draft and stores the receipt: either all of it
happens or nothing, so a failing intake keeps the draft, and a second submit of the same draft (reload,
double payment callback) finds the receipt instead of submitting twice.
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.core import signing
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.crypto import get_random_string

from amtsweg.core.ratelimit import mail_allowed

from . import crypto, integrations
from .engine import PendingUpload, prune_answers, visible_steps
from .engine.display import summary_sections
from .handoff import Attachment, FormSubmissionPayload, hand_over
from .models import Draft, DraftFile, FormVersion, Receipt, ReceiptDocument

log = logging.getLogger(__name__)
RESUME_SALT = "amtsweg.assistants.resume"
RESUME_MAX_AGE = 30 * 24 * 3600


class DraftGone(LookupError):
    """The draft to be saved is no longer there: submitted (or purged) while this request ran.

    A save only ever updates the draft's row; re-creating it would leave an orphan copy of the citizen's
    answers for an application already handed over, which could be submitted a second time."""


class IncompleteDraft(ValueError):
    """The draft is missing a step (or the place); `step_id` names where to continue."""

    def __init__(self, step_id: str):
        self.step_id = step_id
        super().__init__(step_id)


@dataclass
class DraftState:
    """The decrypted content of a draft."""

    answers: dict[str, Any] = field(default_factory=dict)
    done: list[str] = field(default_factory=list)
    place: dict[str, str] = field(default_factory=dict)  # postcode, ars, name
    payment_attempt: int = 0
    # Kept when the citizen leaves for the pay page, so that a paid application can be handed over even if
    # the browser never comes back (see `submit_paid_draft`).
    auth_level: str | None = None
    auth_provider: str | None = None
    language: str = "de"
    # The submitting citizen account's owner key (integrations.owner_key), kept for the same reason: the
    # paid application lands in that account's Postfach even if the browser never comes back.
    owner_key: str = ""

    def as_json(self) -> dict:
        return {"answers": self.answers, "done": self.done, "place": self.place,
                "payment_attempt": self.payment_attempt, "auth_level": self.auth_level,
                "auth_provider": self.auth_provider, "language": self.language, "owner_key": self.owner_key}


def load_state(draft: Draft) -> DraftState:
    data = crypto.decrypt_json(draft.ciphertext, str(draft.id))
    return DraftState(**data)


def save_state(draft: Draft, state: DraftState) -> None:
    """Store the encrypted state into the draft's existing row; raises DraftGone when the row is gone.

    An UPDATE that is checked for its row count, not `draft.save()`: a save that finds no row falls back to an
    INSERT and would re-create the draft a concurrent submission just deleted."""
    draft.ciphertext = crypto.encrypt_json(state.as_json(), str(draft.id))
    draft.updated_at = timezone.now()
    updated = Draft.objects.filter(pk=draft.pk).update(ciphertext=draft.ciphertext, updated_at=draft.updated_at)
    if not updated:
        raise DraftGone(str(draft.id))


def create_draft(version: FormVersion, *, owner_key: str = "") -> Draft:
    draft = Draft(id=uuid.uuid4(), version=version, owner_key=owner_key, resume_key=get_random_string(43))
    draft.ciphertext = crypto.encrypt_json(DraftState().as_json(), str(draft.id))
    draft.save(force_insert=True)
    return draft


def store_step(draft: Draft, state: DraftState, step_id: str, cleaned: dict[str, Any], *, complete: bool) -> None:
    """Merge one step's cleaned values (uploads get encrypted into DraftFile rows) and drop hidden answers.

    With uploads, the draft's row is written before its files, in one transaction: a draft submitted meanwhile
    raises DraftGone before a file refers to it (its foreign key would fail), and a submission waits for the
    row (PostgreSQL row lock, SQLite's single writer) so that it never reads answers naming a file not yet stored."""
    spec = draft.version.spec
    step = spec.step(step_id)
    own = {f["id"] for fs in step["fieldsets"] for f in fs["fields"]}
    uploads = {f["id"] for fs in step["fieldsets"] for f in fs["fields"] if f["type"] == "file"}
    new_files: list[DraftFile] = []
    for field_id, value in cleaned.items():
        if isinstance(value, PendingUpload):
            value = _encrypt_upload(draft, field_id, value, new_files)
        elif isinstance(value, list):  # a field of a repeatable fieldset: one value per entry
            value = [_encrypt_upload(draft, field_id, v, new_files) if isinstance(v, PendingUpload) else v
                     for v in value]
        state.answers[field_id] = value
    for field_id in own:
        if field_id not in cleaned:
            state.answers.pop(field_id, None)
    kept = {str(i) for fid in uploads for i in _file_ids(state.answers.get(fid))}
    state.answers = prune_answers(spec, state.answers)
    if complete and step_id not in state.done:
        state.done.append(step_id)
    if not uploads:  # a step without upload fields writes the draft only (one statement)
        save_state(draft, state)
        return
    with transaction.atomic():
        save_state(draft, state)
        for stored in new_files:
            stored.save(force_insert=True)
        # files replaced or no longer answered
        DraftFile.objects.filter(draft=draft, field_id__in=uploads).exclude(pk__in=kept).delete()


def _encrypt_upload(draft: Draft, field_id: str, upload: PendingUpload, new_files: list[DraftFile]) -> dict:
    """The upload encrypted into a DraftFile, appended to `new_files` (stored after the draft's row, see
    store_step); returns the answer that refers to it."""
    stored = DraftFile(draft=draft, field_id=field_id, filename=upload.filename, content_type=upload.content_type,
                       size=len(upload.content))
    stored.ciphertext = crypto.encrypt(upload.content, f"{draft.id}/{stored.id}")
    new_files.append(stored)
    return {"file_id": str(stored.id), "filename": upload.filename, "content_type": upload.content_type,
            "size": len(upload.content)}


def _file_ids(value: Any) -> list[str]:
    """The stored files an answer refers to (one file, or one per entry of a repeatable fieldset)."""
    values = value if isinstance(value, list) else [value]
    return [v["file_id"] for v in values if isinstance(v, dict) and v.get("file_id")]


def next_missing_step(draft: Draft, state: DraftState) -> str | None:
    """The first step still to do ('place' or a definition step), or None when ready for the summary."""
    if not state.place.get("ars"):
        return "place"
    for step in visible_steps(draft.version.spec, state.answers):
        if step["id"] not in state.done:
            return step["id"]
    return None


def resume_token(draft: Draft) -> str:
    return signing.dumps({"d": str(draft.id), "k": draft.resume_key}, salt=RESUME_SALT, compress=True)


def draft_from_token(token: str) -> Draft | None:
    try:
        data = signing.loads(token, salt=RESUME_SALT, max_age=RESUME_MAX_AGE)
    except signing.BadSignature:
        return None
    draft = Draft.objects.filter(pk=data.get("d"), expires_at__gt=timezone.now()).first()
    if draft is None or draft.resume_key != data.get("k"):
        return None
    return draft


def _submitted_data(spec, answers: dict[str, Any]) -> dict[str, Any]:
    """Answers as handed over: uploads are named by filename (their content travels as attachments)."""
    data = {}
    for field_id, value in answers.items():
        if spec.fields[field_id].field["type"] == "file":
            def public(v):
                return {"filename": v["filename"], "content_type": v["content_type"], "size": v["size"]} \
                    if isinstance(v, dict) else v
            value = [public(v) for v in value] if isinstance(value, list) else public(value)
        data[field_id] = value
    return data


def sepa_mandate(spec, answers: dict[str, Any], office: dict) -> dict | None:
    """The SEPA direct debit mandate given with this application, as the receipt and its PDF repeat it: the
    payee and its Gläubiger-ID, which the form's mandate text named (issue 16). The receipt is what the citizen
    keeps of the mandate. None when no IBAN was given in a field marked `sepa_mandate` (hidden answers are
    pruned before, so a direct debit declined leaves none)."""
    given = any(answers.get(field_id) for field_id, ref in spec.fields.items()
                if ref.field.get("type") == "iban" and ref.field.get("sepa_mandate"))
    if not given:
        return None
    return {"payee": office.get("name", ""), "creditor_id": office.get("sepa_creditor_id", "")}


def submit_draft(draft_id: uuid.UUID | str, *, auth_level: str | None = None, auth_provider: str | None = None,
                 payment: dict | None = None, language: str = "de",
                 may_mail: Callable[[str], bool] | None = None, owner_key: str = "") -> Receipt:
    """Hand the application over exactly once. Raises IncompleteDraft, or whatever the intake raises
    (the draft is then kept unchanged).

    The intake mails the status link to the applicant's e-mail address; `may_mail(address)` (the rate limit
    of the request, see core.ratelimit) decides whether it may. If not, the intake is told not to mail it
    (the address stays the reply channel in the metadata) and the receipt asks the applicant to keep the link
    instead of saying it was mailed.

    `owner_key` names the logged-in citizen account that submits (integrations.owner_key; "" when anonymous):
    the application is put into that account's Postfach in the same transaction."""
    with transaction.atomic():
        try:  # `get()`: by primary key, without the default sort's ORDER BY (issue 18)
            draft = Draft.objects.select_for_update().select_related("version__form").get(pk=draft_id)
        except Draft.DoesNotExist:
            return Receipt.objects.get(draft_key=draft_id)
        state = load_state(draft)
        missing = next_missing_step(draft, state)
        if missing:
            raise IncompleteDraft(missing)
        version, spec = draft.version, draft.version.spec
        answers = prune_answers(spec, state.answers)
        attachments = []
        for stored in draft.files.all():
            if str(stored.id) in _file_ids(answers.get(stored.field_id)):
                content = crypto.decrypt(stored.ciphertext, f"{draft.id}/{stored.id}")
                label = spec.fields[stored.field_id].field["label"]["de"]
                attachments.append(Attachment(stored.filename, stored.content_type, content, label))
        # the applicant's address: the first single e-mail field (not one inside a repeatable fieldset's entries)
        email = next((v for k, v in answers.items() if spec.fields[k].field["type"] == "email"
                      and isinstance(v, str)), None)
        mail_status_link = bool(email) and (may_mail is None or may_mail(email))
        if email and not mail_status_link:
            log.warning("status mail over the rate limit, not sent", extra={"form": version.form.slug})
        payload = FormSubmissionPayload(
            leika_key=version.form.leika_key, form_slug=version.form.slug, form_version=version.number,
            data=_submitted_data(spec, answers), applicant_ars=state.place["ars"], attachments=attachments,
            auth_level=auth_level, auth_provider=auth_provider, payment=payment, applicant_email=email,
            language=language, mail_status_link=mail_status_link,
        )
        # the office the intake delivers to, resolved by the same function: receipt and PDF name it
        office = integrations.responsible_office(payload.leika_key, payload.applicant_ars)
        office = office.contact() if office is not None else {}
        reference = hand_over(payload)
        integrations.link_application(reference, owner_key)
        summary = {"sections": summary_sections(spec, answers, "de"), "place": state.place, "office": office,
                   "sections_en": summary_sections(spec, answers, "en"), "payment": payment,
                   "email_given": mail_status_link,  # the intake mails the status link to that address
                   "sepa_mandate": sepa_mandate(spec, answers, office)}
        receipt = Receipt(draft_key=draft.id, version=version, reference=reference)
        receipt.ciphertext = crypto.encrypt_json(summary, str(receipt.id))
        receipt.save(force_insert=True)
        draft.delete()
    log.info("application handed over", extra={"form": version.form.slug, "receipt": str(receipt.id)})
    return receipt


def payment_info(draft: Draft, transaction_) -> dict:
    """What the hand-over carries about the payment."""
    if hasattr(transaction_, "as_handoff"):
        return dict(transaction_.as_handoff())
    return {"reference": draft.payment_reference, "status": transaction_.status,
            "amount_cents": draft.version.form.fee_cents, "provider": getattr(transaction_, "provider", None)}


def submit_paid_draft(reference: str, transaction_) -> Receipt | None:
    """Hand over the application whose fee was just paid, whether or not the citizen's browser returns.

    Called after the payment provider's server-to-server notification marked `reference` paid. Idempotent with
    the return page: `submit_draft` locks the draft and finds the receipt if the other path was first. A
    failing hand-over leaves the draft in place; the return page or the next notification retries.
    """
    draft = Draft.objects.filter(payment_reference=reference, status=Draft.Status.PAYING).first()
    if draft is None:
        return None
    state = load_state(draft)
    try:
        return submit_draft(draft.id, auth_level=state.auth_level, auth_provider=state.auth_provider,
                            payment=payment_info(draft, transaction_), language=state.language,
                            may_mail=lambda address: mail_allowed(None, address), owner_key=state.owner_key)
    except Exception:
        log.exception("hand-over after payment failed", extra={"draft": str(draft.id)})
        return None


def receipt_summary(receipt: Receipt) -> dict:
    return crypto.decrypt_json(receipt.ciphertext, str(receipt.id))


def receipt_document(receipt: Receipt, language: str, status_url: str | None = None) -> bytes:
    """The receipt PDF in `language`: rendered on the first call and stored encrypted, then only decrypted.

    Rendering costs up to a few tenths of a second (see pdf.py); an applicant reloading the download must
    not make the server pay that each time. Two first downloads at once both render; the second store
    loses the unique constraint and its (identical) document is simply returned.
    """
    from .pdf import receipt_pdf

    associated = f"{receipt.id}/pdf/{language}"
    stored = ReceiptDocument.objects.filter(receipt=receipt, language=language).first()
    if stored is not None:
        return crypto.decrypt(stored.ciphertext, associated)
    pdf = receipt_pdf(receipt, receipt_summary(receipt), language, status_url=status_url)
    document = ReceiptDocument(receipt=receipt, language=language, ciphertext=crypto.encrypt(pdf, associated))
    try:
        with transaction.atomic():
            document.save(force_insert=True)
    except IntegrityError:
        pass
    return pdf


RECEIPT_RETENTION_DAYS = 90


def purge_expired(now=None) -> tuple[int, int]:
    """Delete drafts past their expiry (with their uploads) and receipts older than the retention period."""
    now = now or timezone.now()
    drafts, _detail = Draft.objects.filter(expires_at__lte=now).delete()
    cutoff = now - timezone.timedelta(days=RECEIPT_RETENTION_DAYS)
    receipts, _detail = Receipt.objects.filter(submitted_at__lte=cutoff).delete()
    return drafts, receipts
