"""The embedded test payment provider: the *provider's* side, reachable only over HTTP.

It behaves like a small XBezahldienste platform (ePayBL/pmPayment): a JSON API authenticated with a shared
secret to create and query transactions, a pay page where the citizen chooses „Bezahlen“, „Ablehnen“ or
„Abbrechen“, a signed server-to-server notification to the platform, and a redirect back. Mounted under
/testbezahldienst/ only when settings.AMTSWEG_TEST_PAYMENT_PROVIDER is on (demo, tests).
"""

from __future__ import annotations

import hmac
import json
import logging
from decimal import Decimal, InvalidOperation
from urllib.parse import urlencode

import httpx
from django.db import IntegrityError, transaction
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseRedirect, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from amtsweg.core import parsers
from amtsweg.payments import conf
from amtsweg.payments.models import TestPaymentOrder
from amtsweg.payments.providers.testbezahldienst import SIGNATURE_HEADER, sign

logger = logging.getLogger(__name__)
CHOICES = {"bezahlen": TestPaymentOrder.Status.PAYED, "ablehnen": TestPaymentOrder.Status.FAILED,
           "abbrechen": TestPaymentOrder.Status.CANCELED}


MAX_AMOUNT = Decimal("1000000")  # euros: far above any fee, far below the database's integer range


def _require_enabled() -> None:
    if not conf.test_provider_enabled():
        raise Http404


def _authorized(request: HttpRequest) -> bool:
    header = request.headers.get("Authorization", "")
    expected = f"Bearer {conf.test_provider_secret()}"
    return hmac.compare_digest(header.encode(), expected.encode())


def _document(request: HttpRequest, order: TestPaymentOrder) -> dict:
    tid = str(order.transaction_id)
    return {
        "paymentRequest": {
            "requestId": order.request_id,
            "currency": order.currency,
            "grosAmount": f"{order.amount_cents // 100}.{order.amount_cents % 100:02d}",
            "purpose": order.purpose,
            "redirectUrl": order.redirect_url,
        },
        "paymentInformation": {
            "transactionId": tid,
            "transactionUrl": request.build_absolute_uri(reverse("payments:tbd-status", args=[tid])),
            "transactionRedirectUrl": request.build_absolute_uri(reverse("payments:tbd-pay", args=[tid])),
            "transactionTimestamp": order.created_at.isoformat(),
            "status": order.status,
        },
    }


def _error(status: int, message: str) -> JsonResponse:
    return JsonResponse({"error": message}, status=status)


@csrf_exempt
@require_POST
def api_create(request: HttpRequest) -> JsonResponse:
    _require_enabled()
    if not _authorized(request):
        return _error(401, "unauthorized")
    try:
        data = parsers.loads(request.body)
        amount = Decimal(str(data["grosAmount"]))
        if not Decimal(0) < amount <= MAX_AMOUNT:  # also NaN and 1e999999 (a million-digit int otherwise)
            return _error(400, "invalid amount")
        amount_cents = int(amount * 100)
        fields = {
            "amount_cents": amount_cents,
            "currency": str(data.get("currency") or "EUR")[:3],
            "purpose": str(data["purpose"])[:140],
            "redirect_url": str(data["redirectUrl"]),
            "notify_url": str(data.get("notifyUrl") or ""),
        }
        request_id = str(data["requestId"])[:100]
    except (ValueError, KeyError, TypeError, InvalidOperation):  # parsers.JSONInputError is a ValueError
        return _error(400, "invalid payment request")
    if amount_cents <= 0 or amount != Decimal(amount_cents) / 100 or not request_id:
        return _error(400, "invalid amount")
    try:
        with transaction.atomic():
            order, created = TestPaymentOrder.objects.get_or_create(request_id=request_id, defaults=fields)
    except IntegrityError:
        order, created = TestPaymentOrder.objects.get(request_id=request_id), False
    return JsonResponse(_document(request, order), status=201 if created else 200)


@require_GET
def api_status(request: HttpRequest, transaction_id) -> JsonResponse:
    _require_enabled()
    if not _authorized(request):
        return _error(401, "unauthorized")
    order = TestPaymentOrder.objects.filter(transaction_id=transaction_id).first()
    if order is None:
        return _error(404, "unknown transaction")
    return JsonResponse(_document(request, order))


def _notify(order: TestPaymentOrder) -> None:
    """Best effort, like a real provider: the platform must also cope without it (it asks on return)."""
    if not order.notify_url or not getattr(conf.settings, "AMTSWEG_TESTBEZAHLDIENST_NOTIFY", True):
        return
    body = json.dumps({"transactionId": str(order.transaction_id), "status": order.status}).encode()
    try:
        httpx.post(order.notify_url, content=body, timeout=conf.http_timeout(), headers={
            "Content-Type": "application/json", SIGNATURE_HEADER: sign(body, conf.test_provider_secret()),
        })
    except httpx.HTTPError:
        logger.warning("test provider notification failed", extra={"order_id": order.pk})


@require_http_methods(["GET", "POST"])
def pay_page(request: HttpRequest, transaction_id) -> HttpResponse:
    _require_enabled()
    order = TestPaymentOrder.objects.filter(transaction_id=transaction_id).first()
    if order is None:
        raise Http404
    if request.method == "POST":
        choice = request.POST.get("auswahl", "")
        if choice not in CHOICES:
            return render(request, "payments/testbezahldienst_pay.html",
                          {"order": order, "error": True}, status=400)
        decided = False
        with transaction.atomic():
            locked = TestPaymentOrder.objects.select_for_update().get(pk=order.pk)
            if locked.status == TestPaymentOrder.Status.INITIAL:
                locked.status = CHOICES[choice]
                locked.decided_at = timezone.now()
                locked.save()
                decided = True
            order = locked
        if decided:
            _notify(order)
        separator = "&" if "?" in order.redirect_url else "?"
        query = urlencode({"transactionId": str(order.transaction_id), "status": order.status})
        return HttpResponseRedirect(f"{order.redirect_url}{separator}{query}")
    return render(request, "payments/testbezahldienst_pay.html", {"order": order})
