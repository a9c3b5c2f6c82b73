"""Citizen login pages: choose a provider, start the login, log out. Protocol callbacks live with the plugins."""

from __future__ import annotations

import logging

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from amtsweg.identity import levels
from amtsweg.identity.registry import register
from amtsweg.identity.services import logout_citizen
from amtsweg.identity.session import get_citizen_identity, login_url

logger = logging.getLogger(__name__)


def safe_next(request: HttpRequest, candidate: str | None) -> str:
    """Only local targets: a login must never become an open redirect."""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return "/"


def requested_level(value: str | None) -> str | None:
    return levels.normalize(value) if value else None


@require_http_methods(["GET"])
def choose(request: HttpRequest) -> HttpResponse:
    next_url = safe_next(request, request.GET.get("next"))
    min_level = requested_level(request.GET.get("stufe"))
    providers = register.enabled(min_level)
    identity = get_citizen_identity(request)
    return render(request, "identity/choose.html", {
        "providers": providers,
        "next_url": next_url,
        "min_level": min_level,
        "min_level_label": levels.label(min_level),
        "identity": identity,
        "identity_level_label": levels.label(identity.level) if identity else "",
        "level_too_low": bool(identity and min_level and not levels.satisfies(identity.level, min_level)),
        "level_labels": {k: str(v) for k, v in levels.LABELS.items()},
    })


@require_POST
def start(request: HttpRequest, provider: str) -> HttpResponse:
    next_url = safe_next(request, request.POST.get("next"))
    min_level = requested_level(request.POST.get("stufe"))
    plugin = register.get_enabled(provider)
    if plugin is None or not plugin.can_reach(min_level):
        messages.error(request, _("Dieser Anmeldedienst steht nicht zur Verfügung. Bitte wählen Sie einen anderen."))
        return HttpResponseRedirect(login_url(request, next_url, min_level))
    try:
        return plugin.start_login(request, min_level=min_level, next_url=next_url)
    except Exception:  # a misconfigured or unreachable provider must not end in a 500 for the citizen
        logger.exception("login start failed", extra={"provider": provider})
        messages.error(request, _("Der Anmeldedienst ist gerade nicht erreichbar. Bitte versuchen Sie es später "
                                  "erneut oder wählen Sie einen anderen."))
        return HttpResponseRedirect(login_url(request, next_url, min_level))


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    logout_citizen(request)
    messages.success(request, _("Sie sind abgemeldet."))
    return HttpResponseRedirect(safe_next(request, request.POST.get("next")))
