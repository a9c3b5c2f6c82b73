"""Bescheide: templates per service, rendering from the case, PDF, signature, delivery and Bekanntgabe.

Templates are staff text with `$platzhalter` (`PLACEHOLDERS`), filled by `string.Template.safe_substitute`:
staff cannot put template code, attribute access or filters into a notice — a value is inserted as text,
nothing else happens. The preview shows the result through Django's autoescaping; the PDF prints it as text.

The PDF is signed with the Authority's notice signing key (ES256, joserfc): a compact JWS whose payload is
detached (RFC 7515, appendix F), so the document stays an ordinary PDF and the signature travels beside it.
The status page verifies it against the public key (`verify`). The private key is stored only sealed by the
vault; it is made on the first notice of an Authority.

Bekanntgabe: `made_available_at` is when the notice was put into the Postfach (and the applicant was told,
without content); `first_fetched_at` when the applicant first downloaded it.
"""

from __future__ import annotations

import json
import string
import uuid
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from fpdf import FPDF
from joserfc import jws
from joserfc.errors import JoseError
from joserfc.jwk import ECKey

from amtsweg.accounts import audit
from amtsweg.accounts.models import Authority
from amtsweg.casework import services as casework
from amtsweg.casework import vault
from amtsweg.casework.ingest import applicant_name
from amtsweg.casework.models import Case
from amtsweg.core.actors import is_system
from amtsweg.core.pdf import shaping_for, unicode_font
from amtsweg.core.tenancy import can_act_for
from amtsweg.postfach.messages import Applicant, MessageError, notify
from amtsweg.postfach.models import Notice, NoticeTemplate, SigningKey

DOCUMENT = "postfach.notice"
PRIVATE_KEY = "postfach.signing_key"
ALGORITHM = "ES256"
MAX_BODY = 20_000

PLACEHOLDERS = {
    "vorgangsnummer": gettext_lazy("Vorgangsnummer, z. B. AW-7KQ2-M9XD-4TPA"),
    "leistung": gettext_lazy("Name der Leistung"),
    "behoerde": gettext_lazy("Name Ihrer Behörde"),
    "antragsteller": gettext_lazy("Name der antragstellenden Person (aus dem Antrag)"),
    "eingangsdatum": gettext_lazy("Datum des Eingangs"),
    "datum": gettext_lazy("Datum des Bescheids (heute)"),
    "entscheidung": gettext_lazy("die Entscheidung: bewilligt, abgelehnt oder teilweise bewilligt"),
}


# --- templates ---------------------------------------------------------------------------------------------


def check_text(text: str, *, what: str) -> str:
    """Only known placeholders, and `$` only as a placeholder (`$$` for a dollar sign)."""
    text = (text or "").replace("\x00", "").strip()
    if not text:
        raise MessageError(_("Bitte füllen Sie „%(what)s“ aus.") % {"what": what})
    template = string.Template(text)
    if not template.is_valid():
        raise MessageError(_("„%(what)s“ enthält ein $-Zeichen, das kein Platzhalter ist. Schreiben Sie $$ für "
                             "ein Dollarzeichen.") % {"what": what})
    unknown = sorted(set(template.get_identifiers()) - set(PLACEHOLDERS))
    if unknown:
        raise MessageError(_("„%(what)s“ enthält unbekannte Platzhalter: %(names)s. Erlaubt sind: %(allowed)s.")
                           % {"what": what, "names": ", ".join("$" + n for n in unknown),
                              "allowed": ", ".join("$" + n for n in PLACEHOLDERS)})
    return text


def save_template(authority: Authority, *, actor, leika_key: str, name: str, title: str, body: str,
                  template: NoticeTemplate | None = None) -> NoticeTemplate:
    """Create or change a template of `authority` (the actor must act for it)."""
    if not can_act_for(actor, authority) or template is not None and template.authority_id != authority.pk:
        raise PermissionError
    leika_key = (leika_key or "").strip()
    if not (len(leika_key) == 14 and leika_key.isascii() and leika_key.isdigit()):
        raise MessageError(_("Der Leistungsschlüssel hat 14 Ziffern, z. B. 99102013000000."))
    name = (name or "").strip()
    if not name or len(name) > 100:
        raise MessageError(_("Bitte geben Sie der Vorlage einen Namen (höchstens 100 Zeichen)."))
    title = check_text(title, what=_("Überschrift"))
    if len(title) > 200:
        raise MessageError(_("Die Überschrift darf höchstens 200 Zeichen lang sein."))
    body = check_text(body, what=_("Text"))
    if len(body) > MAX_BODY:
        raise MessageError(_("Der Text darf höchstens %(n)d Zeichen lang sein.") % {"n": MAX_BODY})
    template = template or NoticeTemplate(authority=authority)
    template.leika_key, template.name, template.title, template.body = leika_key, name, title, body
    try:
        with transaction.atomic():
            template.save()
            audit.record(actor, authority, "postfach.template_changed", template,
                         {"name": name})
    except IntegrityError:
        raise MessageError(_("Für diese Leistung gibt es schon eine Vorlage mit diesem Namen.")) from None
    return template


def templates_for(case: Case):
    return NoticeTemplate.objects.filter(authority_id=case.authority_id, leika_key=case.leika_key)


# --- rendering ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Rendered:
    title: str
    text: str
    decision: str


def values(case: Case, decision: str, *, actor) -> dict[str, str]:
    """The placeholders' values for this case; the applicant's name is read from the sealed application
    (a look at the case, recorded in the audit trail by casework)."""
    content = casework.open_application(case, actor=actor)
    return {
        "vorgangsnummer": case.reference,
        "leistung": case.service_name,
        "behoerde": case.authority.name,
        "antragsteller": applicant_name(case.form_slug, case.form_version, content.get("data") or {}),
        "eingangsdatum": timezone.localtime(case.received_at).strftime("%d.%m.%Y"),
        "datum": timezone.localdate().strftime("%d.%m.%Y"),
        "entscheidung": str(Case.Decision(decision).label),
    }


def render(case: Case, template: NoticeTemplate, decision: str, *, actor) -> Rendered:
    """The notice's title and text for the preview and the PDF."""
    casework.check_may_work(actor, case)
    if template.authority_id != case.authority_id or template.leika_key != case.leika_key:
        raise NoticeTemplate.DoesNotExist
    if decision not in Case.Decision.values:
        raise MessageError(_("Bitte wählen Sie die Entscheidung: bewilligt, abgelehnt oder teilweise bewilligt."))
    filled = values(case, decision, actor=actor)
    return Rendered(string.Template(template.title).safe_substitute(filled),
                    string.Template(template.body).safe_substitute(filled), decision)


def pdf(case: Case, rendered: Rendered) -> bytes:
    """The notice as PDF (fpdf2, the site's Unicode fonts, shaping for right-to-left and Indic names)."""
    document = FPDF(format="A4")
    document.set_title(rendered.title)
    document.set_lang("de")
    document.set_creator("Amtsweg")
    unicode_font(document, [rendered.title, rendered.text, case.authority.name])
    document.set_auto_page_break(auto=True, margin=15)
    document.add_page()
    width = document.epw
    document.set_font("DejaVu", "", 9)
    document.multi_cell(width, 5, case.authority.name, new_x="LMARGIN", new_y="NEXT")
    document.multi_cell(width, 5, _("Vorgangsnummer: %(reference)s · %(date)s") % {
        "reference": case.reference, "date": timezone.localdate().strftime("%d.%m.%Y")}, new_x="LMARGIN",
        new_y="NEXT")
    document.ln(6)
    document.set_font("DejaVu", "B", 15)
    document.multi_cell(width, 8, rendered.title, new_x="LMARGIN", new_y="NEXT")
    document.ln(3)
    document.set_font("DejaVu", "", 11)
    for paragraph in rendered.text.split("\n"):
        shaping_for(document, paragraph)
        document.multi_cell(width, 6, paragraph or " ", new_x="LMARGIN", new_y="NEXT")
        document.set_text_shaping(False)
    document.ln(6)
    document.set_font("DejaVu", "", 8)
    document.multi_cell(width, 4, _("Dieser Bescheid wurde elektronisch erstellt und mit dem Siegel der Behörde "
                                    "signiert. Die Signatur prüfen Sie auf der Seite zu Ihrem Antrag."),
                        new_x="LMARGIN", new_y="NEXT")
    return bytes(document.output())


# --- signing -----------------------------------------------------------------------------------------------


def signing_key(authority_id: int) -> tuple[str, ECKey]:
    """The Authority's active notice signing key, made (and stored sealed) on first use."""
    row = SigningKey.objects.filter(authority_id=authority_id, retired_at__isnull=True).first()
    if row is None:
        key = ECKey.generate_key("P-256", private=True)
        kid = f"notice-{uuid.uuid4().hex[:16]}"
        sealed = vault.seal(authority_id, json.dumps(key.as_dict(private=True)).encode(), purpose=PRIVATE_KEY)
        try:
            with transaction.atomic():
                row = SigningKey.objects.create(authority_id=authority_id, kid=kid, sealed_private=sealed,
                                                public_jwk=dict(key.as_dict(private=False), kid=kid))
        except IntegrityError:  # made by a concurrent first notice
            row = SigningKey.objects.get(authority_id=authority_id, retired_at__isnull=True)
    private = json.loads(vault.open(authority_id, bytes(row.sealed_private), purpose=PRIVATE_KEY))
    return row.kid, ECKey.import_key(private)


def sign(authority_id: int, document: bytes) -> tuple[str, str]:
    """A compact JWS over `document` with the payload detached: `header..signature`."""
    kid, key = signing_key(authority_id)
    token = jws.serialize_compact({"alg": ALGORITHM, "kid": kid, "cty": "application/pdf"}, document, key,
                                  algorithms=[ALGORITHM])
    return kid, jws.detach_content(token)


def verify(notice: Notice, document: bytes) -> bool:
    """Whether the notice's detached signature is the Authority's over exactly these bytes."""
    row = SigningKey.objects.filter(kid=notice.kid, authority_id=notice.case.authority_id).first()
    if row is None:
        return False
    try:
        jws.deserialize_compact(notice.signature, ECKey.import_key(row.public_jwk), algorithms=[ALGORITHM],
                                payload=document)
    except (JoseError, ValueError):
        return False
    return True


# --- issuing and fetching ----------------------------------------------------------------------------------


def issue(case: Case, template: NoticeTemplate, decision: str, *, actor) -> Notice:
    """Decide (if not yet decided), render, sign and deliver the notice into the applicant's Postfach; the
    applicant is mailed that a notice waits (no content)."""
    rendered = render(case, template, decision, actor=actor)
    document = pdf(case, rendered)
    kid, signature = sign(case.authority_id, document)
    with transaction.atomic():
        current = Case.objects.select_for_update().get(pk=case.pk)
        if current.state == Case.State.RECEIVED:
            current = casework.start(current, actor=actor)
        if current.state == Case.State.IN_PROGRESS:
            current = casework.decide(current, decision, actor=actor)
        elif current.state != Case.State.DECIDED or current.decision != decision:
            raise MessageError(_("Ein Bescheid „%(decision)s“ passt nicht zum Stand des Vorgangs (%(state)s).")
                               % {"decision": Case.Decision(decision).label,
                                  "state": current.get_state_display()})
        else:
            # Decided before (on the case page): its one notice may follow. A second send — the back button
            # on the sent preview, a double click — must not deliver the same Bescheid twice; the case's
            # row lock above makes the check hold for two requests at once.
            earlier = Notice.objects.filter(case=current).order_by("made_available_at").first()
            if earlier is not None:
                raise MessageError(_("Für diesen Vorgang ist bereits ein Bescheid zugestellt (am %(date)s). "
                                     "Er wurde nicht noch einmal gesendet.")
                                   % {"date": date_format(timezone.localtime(earlier.made_available_at),
                                                          "SHORT_DATE_FORMAT")})
        notice = Notice.objects.create(
            case=current, decision=decision, created_by=None if is_system(actor) else actor, kid=kid,
            signature=signature, document=vault.seal(case.authority_id, document, purpose=DOCUMENT))
        audit.record(actor, current.authority, "postfach.notice_sent", current,
                     {"notice": str(notice.pk), "decision": decision})
        transaction.on_commit(lambda: notify(current))
    return notice


def document_of(notice: Notice) -> bytes:
    return vault.open(notice.case.authority_id, bytes(notice.document), purpose=DOCUMENT)


def notices_for_applicant(applicant: Applicant) -> list[Notice]:
    return list(Notice.objects.filter(case__submission_id=applicant.submission_id).select_related("case")
                .order_by("made_available_at", "id"))


def fetch(applicant: Applicant, notice_id) -> tuple[Notice, bytes]:
    """The applicant downloads a notice: the first download is recorded (Bekanntgabe)."""
    notice = Notice.objects.select_related("case__authority").get(
        pk=notice_id, case__submission_id=applicant.submission_id)
    if notice.first_fetched_at is None:
        Notice.objects.filter(pk=notice.pk, first_fetched_at__isnull=True).update(first_fetched_at=timezone.now())
    return notice, document_of(notice)


def staff_notices(case: Case, *, actor) -> list[Notice]:
    casework.check_may_work(actor, case)
    return list(Notice.objects.filter(case=case).order_by("made_available_at", "id"))


def staff_document(case: Case, notice_id, *, actor) -> bytes:
    casework.check_may_work(actor, case)
    notice = Notice.objects.select_related("case").get(pk=notice_id, case=case)
    return document_of(notice)

