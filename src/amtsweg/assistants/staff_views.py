"""Staff pages for form definitions: list, versions, JSON editing of drafts, publishing, preview,
export/import as files and FIM upload.

Forms are shared by all Kommunen (EfA): every staff member may look at them and preview them; only Land
operators (and platform superusers) change them.
"""

from __future__ import annotations

import json

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amtsweg.accounts.access import role_required, staff_required
from amtsweg.core import parsers
from amtsweg.core.tenancy import can_edit_forms

from . import forms as form_services
from .definition import DefinitionError, text
from .engine import remove_entry, validate_step
from .fim import FimError
from .models import FormDefinition, FormVersion, PublishedVersionError
from .presentation import StepView

MAX_UPLOAD = 10 * 1024 * 1024


editor_required = role_required(can_edit_forms)


def _lang() -> str:
    return (get_language() or "de")[:2]


def _version(slug: str, number: int) -> FormVersion:
    return get_object_or_404(FormVersion.objects.select_related("form"), form__slug=slug, number=number)


@staff_required
def form_list(request: HttpRequest) -> HttpResponse:
    forms = FormDefinition.objects.prefetch_related("versions")
    return render(request, "assistants/staff/list.html", {"forms": forms, "can_edit": can_edit_forms(request.user)})


@staff_required
def form_detail(request: HttpRequest, slug: str) -> HttpResponse:
    form = get_object_or_404(FormDefinition, slug=slug)
    versions = list(form.versions.order_by("-number"))
    latest = versions[0] if versions else None
    source = (latest.definition.get("source") if latest else None) or {}
    return render(request, "assistants/staff/detail.html", {
        "form": form, "versions": versions, "source": source, "can_edit": can_edit_forms(request.user),
    })


@editor_required
def version_edit(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version(slug, number)
    problems: list[str] = []
    raw = json.dumps(version.definition, ensure_ascii=False, indent=2)
    if version.is_published:
        messages.error(request, _("Eine veröffentlichte Formularversion kann nicht geändert werden."))
        return redirect("assistants:staff_detail", slug=slug)
    if request.method == "POST":
        raw = request.POST.get("definition", "")
        try:
            definition = parsers.loads(raw)
            form_services.update_draft_version(version, definition)
        except ValueError as exc:
            problems = exc.problems if isinstance(exc, DefinitionError) else [
                _("Kein gültiges JSON: %(error)s") % {"error": exc}]
        except PublishedVersionError as exc:
            problems = list(exc.messages)
        else:
            messages.success(request, _("Version %(n)d gespeichert.") % {"n": version.number})
            return redirect("assistants:staff_detail", slug=slug)
    return render(request, "assistants/staff/edit.html", {"version": version, "form": version.form, "raw": raw,
                                                         "problems": problems}, status=400 if problems else 200)


@editor_required
@require_POST
def version_new(request: HttpRequest, slug: str) -> HttpResponse:
    form = get_object_or_404(FormDefinition, slug=slug)
    latest = form.versions.order_by("-number").first()
    if latest is None:
        raise Http404
    version = form_services.add_version(form, latest.definition)
    messages.success(request, _("Version %(n)d als Entwurf angelegt.") % {"n": version.number})
    return redirect("assistants:staff_edit", slug=slug, number=version.number)


@editor_required
@require_POST
def version_publish(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version(slug, number)
    form_services.publish(version)
    messages.success(request, _("Version %(n)d ist veröffentlicht.") % {"n": version.number})
    return redirect("assistants:staff_detail", slug=slug)


@staff_required
def version_export(request: HttpRequest, slug: str, number: int) -> HttpResponse:
    version = _version(slug, number)
    response = HttpResponse(form_services.export_form_json(version.form, version),
                            content_type="application/json; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{slug}-v{number}.json"'
    return response


@staff_required
def preview(request: HttpRequest, slug: str, number: int, step_id: str | None = None) -> HttpResponse:
    """The step as citizens see it; submitting validates (errors shown) but stores nothing. Entries of
    repeatable fieldsets and fields are added and removed as in the assistant, so editors can try them."""
    version = _version(slug, number)
    spec = version.spec
    step_def = spec.step(step_id) if step_id else spec.steps[0]
    ids = [s["id"] for s in spec.steps]
    if step_def["id"] not in ids:
        raise Http404
    result, posted, extra = None, None, {}
    if request.method == "POST":
        action = request.POST.get("action", "next")
        posted = request.POST
        if action.startswith("add:"):  # "Weitere Angabe / Weiteren Eintrag hinzufügen", as in the assistant
            extra = {action[4:]: 1}
        elif action.startswith("remove:"):  # "Eintrag entfernen"
            posted = _without_entry(step_def, request.POST, action)
        else:
            result = validate_step(spec, step_def["id"], request.POST, request.FILES, {}, language=_lang())
            if result.is_valid:
                messages.success(request, _("Vorschau: Die Eingaben dieses Schritts sind gültig (nichts gespeichert)."))
    view = StepView(spec, step_def, answers={}, posted=posted, result=result, language=_lang(), extra_slots=extra)
    index = ids.index(step_def["id"])
    return render(request, "assistants/staff/preview.html", {
        "version": version, "form": version.form, "title": spec.title(_lang()),
        "step_title": text(step_def["title"], _lang()), "step_help": text(step_def.get("help"), _lang()),
        "view": view, "step_number": index + 2, "step_count": len(ids) + 1, "preview": True,
        "action_url": request.path,
        "steps": [{"id": s["id"], "title": text(s["title"], _lang()), "current": s["id"] == step_def["id"],
                   "url": reverse("assistants:staff_preview_step", args=[slug, number, s["id"]])} for s in spec.steps],
    })


def _without_entry(step_def: dict, data: QueryDict, action: str) -> QueryDict:
    """The posted inputs without the entry `remove:<fieldset>:<n>` names (later entries move up)."""
    fieldset_id, _sep, entry_text = action.removeprefix("remove:").partition(":")
    fieldset = next((fs for fs in step_def["fieldsets"] if fs["id"] == fieldset_id and fs.get("repeat")), None)
    if fieldset is None or not entry_text.isdigit() or int(entry_text) >= fieldset["repeat"]["max"]:
        return data
    moved, _answers = remove_entry(fieldset, data, {}, int(entry_text))
    result = QueryDict(mutable=True)
    for key, values in moved.items():
        result.setlist(key, values)
    return result


def _read_upload(request: HttpRequest, name: str) -> bytes | None:
    upload = request.FILES.get(name)
    if upload is None:
        return None
    if upload.size > MAX_UPLOAD:
        raise ValueError(_("Die Datei ist zu groß (höchstens 10 MB)."))
    return upload.read()


@editor_required
def import_json(request: HttpRequest) -> HttpResponse:
    error = ""
    if request.method == "POST":
        try:
            data = _read_upload(request, "file")
            if data is None:
                raise ValueError(_("Bitte wählen Sie eine Datei aus."))
            version = form_services.import_form(data, publish_now=request.POST.get("publish") == "yes")
        except ValueError as exc:
            error = str(exc)
        else:
            messages.success(request, _("%(slug)s Version %(n)d importiert.") % {"slug": version.form.slug,
                                                                                "n": version.number})
            return redirect("assistants:staff_detail", slug=version.form.slug)
    return render(request, "assistants/staff/import.html", {"error": error}, status=400 if error else 200)


@editor_required
def import_fim(request: HttpRequest) -> HttpResponse:
    error, values = "", {"leika": "", "slug": ""}
    if request.method == "POST":
        values = {"leika": request.POST.get("leika", "").strip(), "slug": request.POST.get("slug", "").strip()}
        try:
            data = _read_upload(request, "file")
            if data is None:
                raise ValueError(_("Bitte wählen Sie eine XDatenfelder-Datei aus."))
            version = form_services.import_fim(data, leika_key=values["leika"], slug=values["slug"])
        except FimError as exc:
            error = _("Die Datei wurde nicht übernommen: %(error)s") % {"error": exc}
        except ValueError as exc:
            error = str(exc)
        else:
            messages.success(request, _("FIM-Dokument als %(slug)s Version %(n)d übernommen. Bitte prüfen Sie die "
                                        "Hinweise.") % {"slug": version.form.slug, "n": version.number})
            return redirect("assistants:staff_detail", slug=version.form.slug)
    return render(request, "assistants/staff/fim.html", {"error": error, "values": values},
                  status=400 if error else 200)
