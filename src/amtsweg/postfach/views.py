"""The citizen's Postfach pages ("Meine Anträge")."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from amtsweg.assistants import integrations
from amtsweg.postfach import services


def index(request: HttpRequest) -> HttpResponse:
    """All applications of the logged-in citizen; without a citizen login, how to get there (log in, or
    the status link from the confirmation mail for one application)."""
    identity = integrations.citizen_identity(request)
    rows = services.applications_of(integrations.owner_key(identity)) if identity else []
    login_url = None if identity else integrations.login_url(request, request.path)
    return render(request, "postfach/index.html", {"identity": identity, "rows": rows, "login_url": login_url})
