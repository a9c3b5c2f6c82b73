"""The administrator's pages of the back office: teams (create, rename, members, services) and the settings
per service (team, Bearbeitungsfrist, Aufbewahrungsfrist).

For the administrator of the Authority they work for (`core.tenancy.is_authority_admin`: a Kommune's
administrator, a Land operator for the Land's own office). Rows come through the tenancy layer (a team of
another Authority answers 404); every change goes through `casework.administration` with the acting user.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amtsweg.accounts.access import role_required
from amtsweg.casework import administration
from amtsweg.casework.forms import ServiceSettingsForm, TeamCreateForm, TeamForm
from amtsweg.casework.models import Team
from amtsweg.core.tenancy import is_authority_admin


def _teams(request: HttpRequest):
    return Team.objects.editable_by(request.user).filter(authority=request.user.authority)


def _member_choices(authority) -> list[tuple[str, str]]:
    return [(str(u.pk), f"{u.get_full_name() or u.username} ({u.username})")
            for u in administration.members_choosable(authority)]


_CREATED_TEAM = "casework_created_team"  # the team this session created last: a repeated POST shows it


@role_required(is_authority_admin)
@require_http_methods(["GET", "POST"])
def teams(request: HttpRequest) -> HttpResponse:
    """The Authority's teams with members and services, and a new one."""
    authority = request.user.authority
    form = TeamCreateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        name = form.cleaned_data["name"]
        try:
            team = administration.create_team(authority, name, actor=request.user)
        except administration.AdministrationError as exc:
            # Sent twice (double click, Back and again): the team this session just made is shown, not an error.
            created = request.session.get(_CREATED_TEAM) or {}
            if created.get("name", "").casefold() == " ".join(name.split()).casefold() and \
                    _teams(request).filter(pk=created.get("pk")).exists():
                messages.info(request, _("Das Team „%(name)s“ ist bereits angelegt.") % {"name": created["name"]})
                return redirect("casework:team", pk=created["pk"])
            form.add_error("name", str(exc))
        else:
            request.session[_CREATED_TEAM] = {"name": team.name, "pk": team.pk}
            messages.success(request, _("Das Team „%(name)s“ ist angelegt. Wählen Sie jetzt Mitglieder und "
                                        "Leistungen.") % {"name": team.name})
            return redirect("casework:team", pk=team.pk)
    services = {s.leika_key: s for s in administration.services_of(authority)}
    rows = []
    for team in _teams(request).prefetch_related("members"):
        rows.append({"team": team, "members": [m.get_full_name() or m.username for m in team.members.all()],
                     "services": [s.name for s in services.values() if s.team_id == team.pk]})
    return render(request, "casework/teams.html", {"rows": rows, "form": form},
                  status=400 if form.errors else 200)


@role_required(is_authority_admin)
@require_http_methods(["GET", "POST"])
def team(request: HttpRequest, pk: int) -> HttpResponse:
    """One team: its name, members and the services it handles."""
    found = get_object_or_404(_teams(request), pk=pk)
    authority = found.authority
    services = administration.services_of(authority)
    service_choices = [(s.leika_key, _("%(name)s – bisher: %(team)s") % {"name": s.name, "team": s.team_name}
                        if s.team_id not in (None, found.pk) else s.name) for s in services]
    initial = {"name": found.name, "mitglieder": [str(pk) for pk in found.members.values_list("pk", flat=True)],
               "leistungen": [s.leika_key for s in services if s.team_id == found.pk]}
    form = TeamForm(request.POST or None, initial=initial, members=_member_choices(authority),
                    services=service_choices)
    if request.method == "POST" and form.is_valid():
        try:
            administration.update_team(found, actor=request.user, name=form.cleaned_data["name"],
                                       member_ids=form.cleaned_data["mitglieder"],
                                       leika_keys=form.cleaned_data["leistungen"])
        except administration.AdministrationError as exc:
            form.add_error(None, str(exc))
        except PermissionError:
            raise Http404 from None
        else:
            messages.success(request, _("Das Team ist gespeichert."))
            return redirect("casework:teams")
    return render(request, "casework/team.html", {"team": found, "form": form},
                  status=400 if form.errors else 200)


@role_required(is_authority_admin)
def services(request: HttpRequest) -> HttpResponse:
    """The Authority's services with team, Bearbeitungsfrist and Aufbewahrungsfrist."""
    return render(request, "casework/services.html", {
        "services": administration.services_of(request.user.authority),
        "default_processing": administration.DEFAULT_PROCESSING_DAYS,
        "default_retention": administration.DEFAULT_RETENTION_DAYS,
    })


@role_required(is_authority_admin)
@require_http_methods(["GET", "POST"])
def service(request: HttpRequest, leika_key: str) -> HttpResponse:
    """The settings of one of the Authority's services (another Authority's service: 404)."""
    authority = request.user.authority
    found = administration.service_of(authority, leika_key)
    if found is None:
        raise Http404
    teams_here = list(_teams(request))
    initial = {"bearbeitungsfrist": found.processing_days, "aufbewahrungsfrist": found.retention_days,
               "team": str(found.team_id or "")}
    form = ServiceSettingsForm(request.POST or None, initial=initial,
                               teams=[(str(t.pk), t.name) for t in teams_here])
    if request.method == "POST" and form.is_valid():
        chosen = next((t for t in teams_here if str(t.pk) == form.cleaned_data["team"]), None)
        try:
            administration.save_service(authority, leika_key, actor=request.user,
                                        processing_days=form.cleaned_data["bearbeitungsfrist"],
                                        retention_days=form.cleaned_data["aufbewahrungsfrist"], team=chosen)
        except administration.AdministrationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Die Einstellungen für „%(name)s“ sind gespeichert. Die Bearbeitungsfrist "
                                        "gilt für Anträge, die ab jetzt eingehen.") % {"name": found.name})
            return redirect("casework:services")
    return render(request, "casework/service.html", {"service": found, "form": form},
                  status=400 if form.errors else 200)
