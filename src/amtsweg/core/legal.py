"""Views of the operator's legal pages and the demo's texts (see :mod:`amtsweg.core.models`)."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from amtsweg.core.models import LegalPage


@require_GET
def legal_page(request: HttpRequest, kind: str) -> HttpResponse:
    """Show one legal text; without a row the page says the operator has not published it yet (never a 404:
    the footer links it on every page, and a broken link there would hide that the text is missing)."""
    if kind not in LegalPage.Kind.values:
        raise Http404
    page = LegalPage.objects.filter(kind=kind).first()
    paragraphs = [p.strip() for p in page.body.replace("\r\n", "\n").split("\n\n") if p.strip()] if page else []
    return render(request, "core/legal.html", {
        "kind": kind, "title": LegalPage.Kind(kind).label, "page": page, "paragraphs": paragraphs})
