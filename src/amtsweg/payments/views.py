"""The platform's side of a payment: the citizen's return from the provider and the provider's callback."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from amtsweg.payments.registry import PaymentProviderError
from amtsweg.payments.services import get_transaction, handle_notification, refresh_status


@require_GET
def payment_return(request: HttpRequest, reference: str) -> HttpResponse:
    """The provider sends the citizen here. Query parameters are ignored: we ask the provider ourselves."""
    tx = get_transaction(reference)
    if tx is None:
        return render(request, "payments/unknown.html", status=404)
    tx = refresh_status(tx, source="return")
    if tx.last_error:
        messages.error(request, tx.last_error)
    return HttpResponseRedirect(tx.return_url)


@csrf_exempt
@require_POST
def notify(request: HttpRequest, provider: str) -> HttpResponse:
    """Server-to-server callback. Authenticated by the plugin; the status itself is fetched from the provider."""
    try:
        tx = handle_notification(provider, request.body, dict(request.headers))
    except PaymentProviderError:
        return HttpResponse(status=503)
    if tx is None:
        return HttpResponse(status=400)
    return HttpResponse(status=204)
