"""Staff pages of the back office: inbox, case view, actions, attachments, choice of receiving system.

Thin: cases come only through `Case.objects.workable_by(request.user)` (tenancy and team; 404 otherwise);
every change and every look at content goes through `casework.services` with the acting user, which writes
the audit entries.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header, url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from amtsweg.accounts.access import role_required, staff_required
from amtsweg.casework import (
    case_links,
    deadlines,
    exports,
    forwarding,
    inbox,
    presentation,
    receiving,
    retention,
    services,
)
from amtsweg.casework.forms import DecisionForm, InboxFilterForm, NoteForm
from amtsweg.casework.models import Case, CaseAttachment, ReceivingSystem, Team, sees_all_teams, teams_of
from amtsweg.core.tenancy import ADMIN_ROLES
from amtsweg.routing.models import Destination

INLINE_TYPES = {"application/pdf", "image/png", "image/jpeg", "image/gif", "image/webp"}


def _case(request: HttpRequest, pk) -> Case:
    """The case, if the person may work on it (404 otherwise); the services trust this check for the request."""
    try:
        return Case.objects.select_related("assignee", "team", "authority").get_workable(request.user, pk=pk)
    except Case.DoesNotExist:
        raise Http404 from None


def _back(request: HttpRequest, fallback: str) -> str:
    target = request.POST.get("weiter", "")
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()},
                                                  require_https=request.is_secure()):
        return target
    return fallback


@staff_required
def inbox_view(request: HttpRequest) -> HttpResponse:
    user = request.user
    # The team filter's choices come with the person's teams, which the team check needs anyway: no extra query.
    if sees_all_teams(user):
        teams = list(Team.objects.visible_to(user).order_by("name").values_list("pk", "name"))
        team_ids = None
    else:
        teams = teams_of(user)
        team_ids = [pk for pk, _name in teams]
    workable = Case.objects.workable_by(user, team_ids=team_ids)
    services_offered = inbox.services_offered(user, workable, team_ids=team_ids,
                                              wanted=request.GET.get("dienst", "")[:14])
    assignees = [(u.pk, u.get_full_name() or u.username) for u in services.assignable_users(user.authority)] \
        if user.authority_id else []
    form = InboxFilterForm(request.GET or None, services=services_offered, assignees=assignees, teams=teams)
    if form.is_bound:
        form.is_valid()
    filters = form.filters()
    try:
        result = inbox.page(user, filters, workable)
    except inbox.BadCursor:
        messages.error(request, _("Die Seitenangabe ist ungültig; es wird die erste Seite gezeigt."))
        filters.cursor = ""
        result = inbox.page(user, filters, workable)
    query = {k: v for k, v in request.GET.items() if k != "nach" and v}
    states = [{"value": value, "label": label, "count": result.counts.get(value, 0),
               "url": "?" + urlencode({**query, "status": value}), "active": filters.state == value}
              for value, label in Case.State.choices]
    return render(request, "casework/inbox.html", {
        "form": form, "page": result, "rows": presentation.inbox_rows(result.cases), "states": states,
        "filters": filters,
        "next_url": "?" + urlencode({**query, "nach": result.next_cursor}) if result.next_cursor else "",
        "first_url": "?" + urlencode(query) if filters.cursor else "",
        "mine_url": "?" + urlencode({**query, "zustaendig": "mir"}),
        "assignees": assignees,
        "here": request.get_full_path(),
    })


@staff_required
def deadlines_view(request: HttpRequest) -> HttpResponse:
    """Fristen: overdue and soon due cases per team and assignee; cases in Rückfrage wait with the clock
    stopped. `?team=` and `?zustaendig=` narrow the lists below the tables."""
    team, assignee = request.GET.get("team", "")[:20], request.GET.get("zustaendig", "")[:20]
    result = deadlines.overview(Case.objects.workable_by(request.user), team=team, assignee=assignee)
    chosen = [t.label for t in result.teams if t.key == team] + [a.label for a in result.assignees
                                                                 if a.key == assignee]
    return render(request, "casework/deadlines.html", {
        "overview": result, "chosen": " · ".join(chosen), "narrowed": bool(team or assignee),
        "lists": [
            {"id": "ueberfaellig", "title": _("Überfällig"), "rows": presentation.inbox_rows(result.overdue),
             "empty": _("Kein Vorgang ist überfällig.")},
            {"id": "bald", "title": _("In den nächsten %(n)d Tagen fällig") % {"n": inbox.DUE_SOON_DAYS},
             "rows": presentation.inbox_rows(result.due), "empty": _("In den nächsten Tagen ist nichts fällig.")},
            {"id": "ruht", "title": _("Frist ruht (Rückfrage)"), "rows": presentation.inbox_rows(result.paused),
             "empty": _("Kein Vorgang wartet auf eine Antwort.")},
        ],
        "limit": deadlines.LIST_LIMIT,
    })


@staff_required
@require_POST
def bulk_assign(request: HttpRequest) -> HttpResponse:
    back = _back(request, reverse("casework:inbox"))
    ids = request.POST.getlist("vorgang")[:500]
    cases = list(Case.objects.workable_by(request.user).filter(pk__in=_uuids(ids)))
    if not ids or len(cases) != len(set(ids)):
        messages.error(request, _("Bitte wählen Sie mindestens einen Vorgang aus der Liste."))
        return redirect(back)
    assignee = _assignee(request, request.POST.get("zustaendig", ""))
    if assignee is False:
        messages.error(request, _("Diese Person gibt es in Ihrer Behörde nicht; bitte neu wählen."))
        return redirect(back)
    try:
        changed = services.assign(cases, assignee, actor=request.user)
    except services.CaseworkError as exc:
        messages.error(request, str(exc))
    else:
        if changed:
            messages.success(request, ngettext("%(n)d Vorgang zugewiesen.", "%(n)d Vorgänge zugewiesen.", changed)
                             % {"n": changed})
        else:
            messages.info(request, _("Die ausgewählten Vorgänge waren bereits so zugewiesen."))
    return redirect(back)


def _uuids(values):
    import uuid

    result = []
    for value in values:
        try:
            result.append(uuid.UUID(value))
        except ValueError:
            continue
    return result


def _assignee(request: HttpRequest, value: str):
    """The chosen person: "mir" (me), "niemand" (None), a user id of the Authority; False if unknown."""
    if value == "mir":
        return request.user
    if value == "niemand":
        return None
    if value.isdigit() and request.user.authority_id:
        found = services.assignable_users(request.user.authority).filter(pk=int(value)).first()
        if found is not None:
            return found
    return False


@staff_required
def case_view(request: HttpRequest, pk) -> HttpResponse:
    case = _case(request, pk)
    content, history = services.open_case_file(case, actor=request.user)  # audited
    case.marker = presentation.deadline_marker(case)
    return render(request, "casework/case.html", {
        "case": case,
        "application": presentation.application(case, content),
        "attachments": presentation.attachments(case, content),
        "payment": presentation.payment(content),
        "content": content,
        "events": presentation.event_log(case),
        "history": history,
        "next_states": presentation.next_states(case),
        "forward_targets": [(d, forwarding.target_label(d)) for d in forwarding.targets(case)]
        if Case.State.FORWARDED in services.TRANSITIONS.get(case.state, set()) else [],
        "decision_form": DecisionForm(),
        "note_form": NoteForm(initial={"text": request.session.pop("casework_note_draft", "")}),
        "assignees": services.assignable_users(case, team=case.team),
        "case_links": case_links.links_for(case),
        "archivable": case.state in exports.ARCHIVABLE_STATES,
        "deletion_due": retention.deletion_due_on(case),
    })


@staff_required
@require_POST
def case_state(request: HttpRequest, pk) -> HttpResponse:
    case = _case(request, pk)
    target = request.POST.get("ziel", "")
    decision = ""
    if target == Case.State.DECIDED:
        form = DecisionForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Bitte wählen Sie die Entscheidung: bewilligt, abgelehnt oder teilweise "
                                      "bewilligt."))
            return redirect("casework:case", pk=case.pk)
        decision = form.cleaned_data["entscheidung"]
    if target not in Case.State.values:
        messages.error(request, _("Diesen Status gibt es nicht."))
        return redirect("casework:case", pk=case.pk)
    if target == case.state:  # sent twice (double click, Back and again): done already, not an error
        messages.info(request, _("Der Vorgang ist bereits „%(state)s“.") % {"state": case.get_state_display()})
        return redirect("casework:case", pk=case.pk)
    try:
        services.transition(case, target, actor=request.user, decision=decision)
    except services.CaseworkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Der Vorgang ist jetzt „%(state)s“.") % {"state": Case.State(target).label})
    return redirect("casework:case", pk=case.pk)


@staff_required
@require_POST
def case_forward(request: HttpRequest, pk) -> HttpResponse:
    case = _case(request, pk)
    target = next((d for d in forwarding.targets(case) if str(d.pk) == request.POST.get("zustellpunkt", "")), None)
    if target is None:
        messages.error(request, _("Bitte wählen Sie die zuständige Stelle."))
        return redirect("casework:case", pk=case.pk)
    try:
        forwarding.forward(case, target, actor=request.user)
    except services.CaseworkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Der Antrag wurde an %(name)s weitergeleitet.") % {"name": target.authority.name})
    return redirect("casework:case", pk=case.pk)


@staff_required
@require_POST
def case_assign(request: HttpRequest, pk) -> HttpResponse:
    case = _case(request, pk)
    assignee = _assignee(request, request.POST.get("zustaendig", ""))
    if assignee is False:
        messages.error(request, _("Diese Person gibt es in Ihrer Behörde nicht; bitte neu wählen."))
        return redirect("casework:case", pk=case.pk)
    try:
        services.assign([case], assignee, actor=request.user)
    except services.CaseworkError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Zuständigkeit gespeichert."))
    return redirect("casework:case", pk=case.pk)


@staff_required
@require_POST
def case_note(request: HttpRequest, pk) -> HttpResponse:
    case = _case(request, pk)
    form = NoteForm(request.POST)
    if not form.is_valid():
        for error in form.errors.get("text", []):
            messages.error(request, error)
        request.session["casework_note_draft"] = request.POST.get("text", "")[:services.MAX_NOTE_LENGTH * 2]
        return redirect("casework:case", pk=case.pk)
    services.add_note(case, form.cleaned_data["text"], actor=request.user)
    messages.success(request, _("Notiz gespeichert."))
    return redirect("casework:case", pk=case.pk)


@staff_required
def attachment(request: HttpRequest, pk, attachment_id) -> HttpResponse:
    case = _case(request, pk)
    try:
        described, data = services.open_attachment(case, attachment_id, actor=request.user)
    except CaseAttachment.DoesNotExist:
        raise Http404 from None
    media_type = str(described.get("mimeType") or "application/octet-stream").lower()
    inline = media_type in INLINE_TYPES and not request.GET.get("herunterladen")
    response = HttpResponse(data, content_type=media_type if inline else "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(
        not inline, str(described.get("filename") or "anlage"))
    response["X-Content-Type-Options"] = "nosniff"
    # Nothing in a case file may run: no scripts, no forms, no frames; a PDF may use the browser's viewer.
    policy = "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; frame-ancestors 'self'"
    response["Content-Security-Policy"] = policy + ("; object-src 'self'" if media_type == "application/pdf"
                                                    else "; sandbox")
    return response


def _zip_download(name: str, data: bytes) -> HttpResponse:
    response = HttpResponse(data, content_type="application/zip")
    response["Content-Disposition"] = content_disposition_header(True, name)
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"  # personal data: never in a shared or browser cache
    return response


@staff_required
def case_data_export(request: HttpRequest, pk) -> HttpResponse:
    """Auskunft nach Art. 15 DSGVO: everything stored about the applicant in this case, as one ZIP (audited)."""
    case = _case(request, pk)
    name, data = exports.data_export(case, actor=request.user)
    return _zip_download(name, data)


@staff_required
def case_archive(request: HttpRequest, pk) -> HttpResponse:
    """The e-Akte archive of a decided or closed case (audited); an open case gets a German explanation."""
    case = _case(request, pk)
    try:
        name, data = exports.archive(case, actor=request.user)
    except exports.NotArchivable:
        messages.error(request, _("Für die E-Akte lässt sich nur ein entschiedener oder abgeschlossener Vorgang "
                                  "exportieren; dieser ist „%(state)s“.") % {"state": case.get_state_display()})
        return redirect("casework:case", pk=case.pk)
    return _zip_download(name, data)


def _may_choose(user) -> bool:
    return bool(user.is_superuser or user.role in ADMIN_ROLES)


@role_required(_may_choose)
def receiving_view(request: HttpRequest) -> HttpResponse:
    destinations = Destination.objects.acting_for(request.user).select_related("authority").order_by("name")
    systems = {s.destination_id: s for s in ReceivingSystem.objects.filter(destination__in=destinations)}
    rows = [{"destination": d, "system": systems.get(d.pk),
             "active": bool(systems.get(d.pk) and systems[d.pk].active)} for d in destinations]
    return render(request, "casework/receiving.html", {"rows": rows})


@role_required(_may_choose)
@require_POST
def receiving_switch(request: HttpRequest, destination) -> HttpResponse:
    found = get_object_or_404(Destination.objects.acting_for(request.user), pk=destination)
    choice = request.POST.get("wahl", "")
    try:
        if choice == "amtsweg":
            receiving.enable(found, actor=request.user)
            messages.success(request, _("„%(name)s“ empfängt Anträge jetzt in der Amtsweg-Sachbearbeitung. Neue "
                                        "Schlüssel wurden erzeugt und veröffentlicht.") % {"name": found.name})
        elif choice == "schluessel":
            if not receiving.is_active(found.pk):
                raise ReceivingSystem.DoesNotExist
            receiving.rotate_keys(found, actor=request.user)
            messages.success(request, _("Neue Schlüssel für „%(name)s“ sind erzeugt und veröffentlicht. Anträge, "
                                        "die noch für die bisherigen verschlüsselt wurden, werden während der "
                                        "Übergangsfrist weiter geöffnet.") % {"name": found.name})
        elif choice == "extern":
            receiving.disable(found, actor=request.user)
            messages.success(request, _("„%(name)s“ ist wieder auf das externe Fachverfahren umgestellt. Bitte "
                                        "hinterlegen Sie dessen Schlüssel beim Zustellpunkt.") % {"name": found.name})
        else:
            messages.error(request, _("Bitte wählen Sie das Empfangssystem."))
    except PermissionDenied:
        raise Http404 from None
    except ReceivingSystem.DoesNotExist:
        messages.error(request, _("Dieser Zustellpunkt empfängt bereits über ein externes Fachverfahren."))
    return redirect("casework:receiving")
