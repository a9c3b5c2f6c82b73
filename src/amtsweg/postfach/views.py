"""The citizen's Postfach pages ("Meine Anträge", messages, answers to a Rückfrage) and the case worker's
correspondence page of a case. Thin: access checks here, everything else in `messages` and `services`."""

from __future__ import annotations

import json

from django.contrib import messages as flash
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amtsweg.assistants import integrations
from amtsweg.casework import exports
from amtsweg.casework.models import Case
from amtsweg.postfach import access, messages, notices, services
from amtsweg.postfach.models import Message, MessageAttachment, Notice, NoticeTemplate, SigningKey
from amtsweg.submissions import status


def index(request: HttpRequest) -> HttpResponse:
    """All applications of the logged-in citizen; without a citizen login, how to get there (log in, or
    the status link from the confirmation mail for one application)."""
    identity = integrations.citizen_identity(request)
    rows = services.applications_of(integrations.owner_key(identity)) if identity else []
    login_url = None if identity else integrations.login_url(request, request.path)
    return render(request, "postfach/index.html", {"identity": identity, "rows": rows, "login_url": login_url})


def _download(described: dict, content: bytes) -> HttpResponse:
    response = HttpResponse(content, content_type=described["content_type"])
    disposition = "inline" if described["content_type"] in {"application/pdf", "image/png", "image/jpeg"} \
        else "attachment"
    name = described["filename"].replace('"', "").encode("ascii", "replace").decode()
    response["Content-Disposition"] = f'{disposition}; filename="{name}"'
    response["X-Content-Type-Options"] = "nosniff"
    return response


def _uploads(request: HttpRequest) -> list[messages.Upload]:
    return [messages.check_upload(f) for f in request.FILES.getlist("files") if getattr(f, "name", "")]


# --- citizen -------------------------------------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def message(request: HttpRequest, reference: str, sig: str, message_id) -> HttpResponse:
    """One message; an open Rückfrage carries the answer form (text and files)."""
    submission, applicant = access.applicant_for(request, reference, sig)
    try:
        item = messages.applicant_message(applicant, message_id)
    except Message.DoesNotExist:
        raise Http404 from None
    shown = messages.show(item)
    can_answer = item.kind == Message.Kind.INQUIRY and not shown.answered and \
        item.case.state == Case.State.INQUIRY
    error, text = "", ""
    if request.method == "POST":
        if not can_answer:
            if item.kind == Message.Kind.INQUIRY and shown.answered:
                # The answer went in already (a second click on "Antwort senden", or the Back button and send
                # again): say so instead of a "not found" page that would make the citizen think it was lost.
                flash.info(request, _("Ihre Antwort auf diese Rückfrage ist bereits bei der Behörde eingegangen."))
                return redirect(status.status_path(reference))
            raise Http404
        text = request.POST.get("text", "")
        try:
            messages.answer(applicant, item.pk, text=text, uploads=_uploads(request))
        except messages.MessageError as exc:
            error = str(exc)
        else:
            flash.success(request, _answered())
            return redirect(status.status_path(reference))
    return render(request, "postfach/message.html", {
        "submission": submission, "shown": shown, "sig": sig, "can_answer": can_answer, "error": error,
        "text": text, "status_url": status.status_path(reference), "max_text": messages.MAX_TEXT,
    }, status=400 if error else 200)


def _answered() -> str:
    return _("Ihre Antwort ist bei der Behörde eingegangen. Vielen Dank!")


def attachment(request: HttpRequest, reference: str, sig: str, attachment_id) -> HttpResponse:
    _submission, applicant = access.applicant_for(request, reference, sig)
    try:
        described, content = messages.applicant_attachment(applicant, attachment_id)
    except MessageAttachment.DoesNotExist:
        raise Http404 from None
    return _download(described, content)


def data_export(request: HttpRequest, reference: str, sig: str) -> HttpResponse:
    """Auskunft nach Art. 15 DSGVO for the applicant's own application: everything the back office stores
    about it, as one ZIP (only with the signed status link or from the owning account; audited)."""
    _submission, applicant = access.applicant_for(request, reference, sig)
    case = messages.case_of(applicant)
    if case is None:
        raise Http404
    name, data = exports.data_export(case, applicant_via=applicant.via)
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    return response


# --- case worker -----------------------------------------------------------------------------------------------


def _case(request: HttpRequest, case_id) -> Case:
    return get_object_or_404(Case.objects.workable_by(request.user).select_related("authority"), pk=case_id)


@require_http_methods(["GET", "POST"])
def case_messages(request: HttpRequest, case_id) -> HttpResponse:
    """The correspondence of a case with the applicant: read it, write a message, send a Rückfrage."""
    case = _case(request, case_id)
    error, action, form = "", "", {}
    if request.method == "POST":
        action = request.POST.get("action", "")
        form = {"subject": request.POST.get("subject", ""), "text": request.POST.get("text", ""),
                "documents": request.POST.get("documents", ""), "answer_by": request.POST.get("answer_by", "")}
        try:
            if action == "ask":
                messages.ask(case, actor=request.user, text=form["text"],
                             documents=form["documents"].splitlines(), answer_by=form["answer_by"])
                flash.success(request, _sent(True))
            elif action == "send":
                messages.send_message(case, actor=request.user, subject=form["subject"], text=form["text"],
                                      uploads=_uploads(request))
                flash.success(request, _sent(False))
            else:
                raise Http404
        except messages.MessageError as exc:
            error = str(exc)
        else:
            return redirect(reverse("postfach:case_messages", args=[case.pk]))
    shown = messages.messages_for_staff(case, actor=request.user)
    case.refresh_from_db()
    return render(request, "postfach/staff_case.html", {
        "case": case, "shown": shown, "error": error, "action": action, "form": form,
        "can_ask": case.state in (Case.State.RECEIVED, Case.State.IN_PROGRESS),
        "max_text": messages.MAX_TEXT, "max_subject": messages.MAX_SUBJECT,
        "answer_by": form["answer_by"] if action == "ask" else messages.default_answer_by().isoformat(),
        "answer_by_bounds": [day.isoformat() for day in messages.answer_by_bounds()],
    }, status=400 if error else 200)


def _sent(inquiry: bool) -> str:
    if inquiry:
        return _("Die Rückfrage ist im Postfach des Antragstellers; die Frist ruht bis zur Antwort.")
    return _("Die Nachricht ist im Postfach des Antragstellers.")


def case_attachment(request: HttpRequest, case_id, attachment_id) -> HttpResponse:
    case = _case(request, case_id)
    try:
        described, content = messages.staff_attachment(case, attachment_id, actor=request.user)
    except MessageAttachment.DoesNotExist:
        raise Http404 from None
    return _download(described, content)


# --- Bescheide -------------------------------------------------------------------------------------------------


def notice(request: HttpRequest, reference: str, sig: str, notice_id) -> HttpResponse:
    """The applicant downloads a notice (the first download is the recorded Bekanntgabe)."""
    _submission, applicant = access.applicant_for(request, reference, sig)
    try:
        item, document = notices.fetch(applicant, notice_id)
    except Notice.DoesNotExist:
        raise Http404 from None
    return _download({"content_type": "application/pdf", "filename": f"Bescheid-{reference}.pdf"}, document)


def notice_signature(request: HttpRequest, reference: str, sig: str, notice_id) -> HttpResponse:
    """The detached signature (compact JWS) and the public key, for anyone who wants to check it themselves."""
    _submission, applicant = access.applicant_for(request, reference, sig)
    item = Notice.objects.filter(pk=notice_id, case__submission_id=applicant.submission_id).first()
    if item is None:
        raise Http404
    key = SigningKey.objects.filter(kid=item.kid).values_list("public_jwk", flat=True).first()
    response = HttpResponse(json.dumps({"signature": item.signature, "key": key}, indent=2),
                            content_type="application/json")
    response["Content-Disposition"] = f'attachment; filename="Bescheid-{reference}-Signatur.json"'
    return response


def _templates_scope(request: HttpRequest):
    return NoticeTemplate.objects.visible_to(request.user)


@require_http_methods(["GET", "POST"])
def templates(request: HttpRequest) -> HttpResponse:
    """The Authority's Bescheid templates, and a new one."""
    authority = request.user.authority
    error, form = "", {}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("leika_key", "name", "title", "body")}
        if authority is None:
            raise Http404
        try:
            notices.save_template(authority, actor=request.user, **form)
        except notices.MessageError as exc:
            error = str(exc)
        except PermissionError:
            raise Http404 from None
        else:
            flash.success(request, _("Die Vorlage ist gespeichert."))
            return redirect("postfach:templates")
    return render(request, "postfach/templates.html", {
        "templates": _templates_scope(request).select_related("authority"), "form": form, "error": error,
        "placeholders": notices.PLACEHOLDERS, "max_body": notices.MAX_BODY, "can_create": authority is not None,
    }, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def template_edit(request: HttpRequest, pk: int) -> HttpResponse:
    template = get_object_or_404(NoticeTemplate.objects.editable_by(request.user), pk=pk)
    error = ""
    form = {k: getattr(template, k) for k in ("leika_key", "name", "title", "body")}
    if request.method == "POST":
        form = {k: request.POST.get(k, "") for k in ("leika_key", "name", "title", "body")}
        try:
            notices.save_template(template.authority, actor=request.user, template=template, **form)
        except notices.MessageError as exc:
            error = str(exc)
        except PermissionError:
            raise Http404 from None
        else:
            flash.success(request, _("Die Vorlage ist gespeichert."))
            return redirect("postfach:templates")
    return render(request, "postfach/template_edit.html", {
        "template": template, "form": form, "error": error, "placeholders": notices.PLACEHOLDERS,
        "max_body": notices.MAX_BODY}, status=400 if error else 200)


@require_http_methods(["GET", "POST"])
def case_notice(request: HttpRequest, case_id) -> HttpResponse:
    """Compose a Bescheid from a template: preview, then decide and deliver it into the applicant's Postfach."""
    case = _case(request, case_id)
    available = list(notices.templates_for(case))
    chosen = request.POST.get("template", "")
    decision = request.POST.get("decision", case.decision or "")
    error, preview = "", None
    if request.method == "POST":
        template = next((t for t in available if str(t.pk) == chosen), None)
        try:
            if template is None:
                raise notices.MessageError(_("Bitte wählen Sie eine Vorlage."))
            if request.POST.get("action") == "send" and request.POST.get("previewed") != f"{template.pk}:{decision}":
                # The decision or template was changed after the preview: what would be sent (with legal
                # effect) is not what was read. Show the new preview instead of sending.
                error = _("Sie haben Vorlage oder Entscheidung nach der Vorschau geändert. Bitte prüfen Sie die "
                          "neue Vorschau; der Bescheid wurde noch nicht zugestellt.")
            elif request.POST.get("action") == "send":
                notices.issue(case, template, decision, actor=request.user)
                flash.success(request, _("Der Bescheid ist im Postfach des Antragstellers."))
                return redirect("postfach:case_messages", case_id=case.pk)
            preview = notices.render(case, template, decision, actor=request.user)
        except notices.MessageError as exc:
            error = str(exc)
    issued = notices.staff_notices(case, actor=request.user)
    return render(request, "postfach/case_notice.html", {
        "case": case, "templates": available, "chosen": chosen, "decision": decision, "preview": preview,
        "error": error, "decisions": Case.Decision.choices, "issued": issued,
        # a decided case gets its one notice (`notices.issue`); once sent, the form is not offered again
        "can_issue": case.state in (Case.State.RECEIVED, Case.State.IN_PROGRESS)
        or (case.state == Case.State.DECIDED and not issued),
    }, status=400 if error else 200)


def case_notice_document(request: HttpRequest, case_id, notice_id) -> HttpResponse:
    case = _case(request, case_id)
    try:
        document = notices.staff_document(case, notice_id, actor=request.user)
    except Notice.DoesNotExist:
        raise Http404 from None
    return _download({"content_type": "application/pdf", "filename": f"Bescheid-{case.reference}.pdf"}, document)
