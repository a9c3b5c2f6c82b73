"""Payments over real HTTP against the embedded test provider (live server): no protocol mocks."""

import json

import httpx
import pytest

from amtsweg.payments.models import PaymentEvent, PaymentStatus, PaymentTransaction, TestPaymentOrder
from amtsweg.payments.providers.testbezahldienst import SIGNATURE_HEADER, sign
from amtsweg.payments.registry import PaymentProviderError
from amtsweg.payments.services import PaymentConflict, get_transaction, refresh_status, start_payment
from amtsweg.payments.signals import payment_status_changed

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def paid_signals():
    received = []

    def receiver(sender, transaction, from_status, to_status, source, **kwargs):
        received.append((transaction.reference, from_status, to_status, source))

    payment_status_changed.connect(receiver)
    yield received
    payment_status_changed.disconnect(receiver)


def start(live_server, reference="ANTRAG-1", amount=1250):
    return start_payment(reference=reference, amount_cents=amount, purpose="Meldebescheinigung",
                         return_url=f"{live_server.url}/antrag/{reference}/bezahlt/")


def test_paid_end_to_end(test_provider, citizen, paid_signals):
    tx = start(test_provider)
    assert tx.status == PaymentStatus.CREATED
    assert tx.redirect_url.startswith(f"{test_provider.url}/testbezahldienst/bezahlen/")
    order = TestPaymentOrder.objects.get()
    assert order.amount_cents == 1250 and order.purpose == "Meldebescheinigung"

    answer = citizen.choose(tx.redirect_url, "bezahlen")
    assert answer.status_code == 302
    assert answer.headers["location"].startswith(f"{test_provider.url}/bezahlung/ANTRAG-1/rueckkehr/")
    back = citizen.get(answer.headers["location"])
    assert back.status_code == 302
    assert back.headers["location"] == f"{test_provider.url}/antrag/ANTRAG-1/bezahlt/"

    tx = get_transaction("ANTRAG-1")
    assert tx.status == PaymentStatus.PAID and tx.paid_at is not None
    # The provider's callback came first; the return found the payment already recorded: one transition only.
    assert paid_signals == [("ANTRAG-1", "created", "paid", "callback")]
    assert tx.as_handoff()["status"] == "paid"


@pytest.mark.parametrize(("choice", "status"), [("ablehnen", PaymentStatus.DECLINED),
                                                ("abbrechen", PaymentStatus.ABANDONED)])
def test_declined_and_abandoned(test_provider, citizen, choice, status):
    tx = start(test_provider)
    citizen.get(citizen.choose(tx.redirect_url, choice).headers["location"])
    assert get_transaction("ANTRAG-1").status == status


def test_retry_after_abandoned_creates_a_new_provider_transaction(test_provider, citizen):
    first = start(test_provider)
    citizen.get(citizen.choose(first.redirect_url, "abbrechen").headers["location"])
    second = start(test_provider)
    assert second.pk == first.pk and second.attempt == 2
    assert second.status == PaymentStatus.CREATED and second.redirect_url != first.redirect_url
    citizen.get(citizen.choose(second.redirect_url, "bezahlen").headers["location"])
    assert get_transaction("ANTRAG-1").status == PaymentStatus.PAID
    assert TestPaymentOrder.objects.count() == 2


def test_open_transaction_is_reused_and_paid_one_never_charged_again(test_provider, citizen):
    first = start(test_provider)
    again = start(test_provider)
    assert again.pk == first.pk and again.redirect_url == first.redirect_url
    assert TestPaymentOrder.objects.count() == 1
    citizen.get(citizen.choose(first.redirect_url, "bezahlen").headers["location"])
    after = start(test_provider)
    assert after.status == PaymentStatus.PAID and after.redirect_url == first.redirect_url
    assert TestPaymentOrder.objects.count() == 1
    with pytest.raises(PaymentConflict):
        start(test_provider, reference="ANTRAG-2", amount=100) and start(test_provider, reference="ANTRAG-2",
                                                                        amount=200)


def test_double_callback_and_reloaded_return_change_the_status_once(settings, test_provider, citizen,
                                                                   paid_signals):
    settings.AMTSWEG_TESTBEZAHLDIENST_NOTIFY = False  # the return comes first, the callbacks after it
    tx = start(test_provider)
    return_url = citizen.choose(tx.redirect_url, "bezahlen").headers["location"]
    for _ in range(3):
        assert citizen.get(return_url).status_code == 302
    body = json.dumps({"transactionId": tx.provider_transaction_id, "status": "PAYED"}).encode()
    headers = {SIGNATURE_HEADER: sign(body, settings.AMTSWEG_TESTBEZAHLDIENST_SECRET)}
    notify_url = f"{test_provider.url}/bezahlung/benachrichtigung/testbezahldienst/"
    for _ in range(2):
        assert httpx.post(notify_url, content=body, headers=headers).status_code == 204
    assert paid_signals == [("ANTRAG-1", "created", "paid", "return")]
    assert PaymentEvent.objects.filter(to_status="paid").count() == 1


def test_callback_without_valid_signature_is_refused(settings, test_provider):
    settings.AMTSWEG_TESTBEZAHLDIENST_NOTIFY = False
    tx = start(test_provider)
    body = json.dumps({"transactionId": tx.provider_transaction_id, "status": "PAYED"}).encode()
    notify_url = f"{test_provider.url}/bezahlung/benachrichtigung/testbezahldienst/"
    assert httpx.post(notify_url, content=body, headers={SIGNATURE_HEADER: "0" * 64}).status_code == 400
    assert httpx.post(notify_url, content=body).status_code == 400
    assert get_transaction("ANTRAG-1").status == PaymentStatus.CREATED


def test_tampered_return_parameters_are_ignored(test_provider, citizen):
    tx = start(test_provider)
    forged = (f"{test_provider.url}/bezahlung/ANTRAG-1/rueckkehr/"
              f"?transactionId={tx.provider_transaction_id}&status=PAYED")
    assert citizen.get(forged).status_code == 302
    assert get_transaction("ANTRAG-1").status == PaymentStatus.CREATED
    # Pointing the return at somebody else's (paid) transaction id changes nothing either.
    other = start(test_provider, reference="ANTRAG-2")
    citizen.get(citizen.choose(other.redirect_url, "bezahlen").headers["location"])
    citizen.get(f"{test_provider.url}/bezahlung/ANTRAG-1/rueckkehr/?transactionId={other.provider_transaction_id}")
    assert get_transaction("ANTRAG-1").status == PaymentStatus.CREATED
    assert get_transaction("ANTRAG-2").status == PaymentStatus.PAID


def test_unknown_reference_on_return_is_a_clear_404(test_provider, citizen):
    answer = citizen.get(f"{test_provider.url}/bezahlung/GIBT-ES-NICHT/rueckkehr/")
    assert answer.status_code == 404
    assert "Zahlung nicht gefunden" in answer.text


def test_provider_unreachable_gives_german_error_and_loses_nothing(settings, test_provider, closed_port_url,
                                                                   citizen):
    settings.AMTSWEG_TESTBEZAHLDIENST_NOTIFY = False  # only the return can tell the platform here
    settings.AMTSWEG_TESTBEZAHLDIENST_URL = closed_port_url
    with pytest.raises(PaymentProviderError, match="nicht erreichbar"):
        start(test_provider)
    tx = PaymentTransaction.objects.get(reference="ANTRAG-1")
    assert tx.status == PaymentStatus.CREATED and not tx.provider_transaction_id and tx.last_error
    # Back up: the same row is used, the citizen pays once.
    settings.AMTSWEG_TESTBEZAHLDIENST_URL = f"{test_provider.url}/testbezahldienst"
    tx = start(test_provider)
    assert tx.redirect_url and tx.last_error == ""
    citizen.choose(tx.redirect_url, "bezahlen")
    # Down again while the citizen returns: the status cannot be asked, nothing is changed or lost ...
    settings.AMTSWEG_TESTBEZAHLDIENST_URL = closed_port_url
    unchanged = refresh_status(get_transaction("ANTRAG-1"))
    assert unchanged.status == PaymentStatus.CREATED and "nicht erreichbar" in unchanged.last_error
    with pytest.raises(PaymentProviderError):
        refresh_status(get_transaction("ANTRAG-1"), raise_errors=True)
    answer = citizen.get(f"{test_provider.url}/bezahlung/ANTRAG-1/rueckkehr/")
    assert answer.status_code == 302  # back to the application, with the error as a message
    # ... and once it is back, the payment is found.
    settings.AMTSWEG_TESTBEZAHLDIENST_URL = f"{test_provider.url}/testbezahldienst"
    found = refresh_status(get_transaction("ANTRAG-1"))
    assert found.status == PaymentStatus.PAID and found.last_error == ""


def test_provider_api_requires_the_shared_secret(settings, test_provider):
    tx = start(test_provider)
    api = f"{test_provider.url}/testbezahldienst/api/paymenttransaction"
    assert httpx.get(f"{api}/{tx.provider_transaction_id}",
                     headers={"Authorization": "Bearer falsch"}).status_code == 401
    assert httpx.post(api, json={"requestId": "X.1", "grosAmount": "1.00", "purpose": "x",
                                 "redirectUrl": "/"}).status_code == 401
    good = {"Authorization": f"Bearer {settings.AMTSWEG_TESTBEZAHLDIENST_SECRET}"}
    assert httpx.get(f"{api}/{tx.provider_transaction_id}", headers=good).json()["paymentInformation"][
        "status"] == "INITIAL"
    assert httpx.post(api, headers=good, json={"requestId": "X.1", "grosAmount": "-1", "purpose": "x",
                                               "redirectUrl": "/"}).status_code == 400


def test_test_provider_is_off_by_default(settings, live_server):
    settings.AMTSWEG_TEST_PAYMENT_PROVIDER = False
    assert httpx.get(f"{live_server.url}/testbezahldienst/bezahlen/00000000-0000-0000-0000-000000000000/"
                     ).status_code == 404
    with pytest.raises(PaymentProviderError):
        start_payment(reference="X-1", amount_cents=100, purpose="x", return_url="/x/")


@pytest.mark.parametrize("kwargs", [
    {"reference": "", "amount_cents": 100, "purpose": "x"},
    {"reference": "A/1", "amount_cents": 100, "purpose": "x"},
    {"reference": "A-1", "amount_cents": 0, "purpose": "x"},
    {"reference": "A-1", "amount_cents": 100, "purpose": "  "},
])
def test_invalid_arguments(settings, kwargs):
    settings.AMTSWEG_TEST_PAYMENT_PROVIDER = True
    with pytest.raises(ValueError):
        start_payment(return_url="/x/", **kwargs)
    assert not PaymentTransaction.objects.exists()


def test_provider_error_is_translated(settings, closed_port_url, test_provider):
    from django.utils import translation

    settings.AMTSWEG_TESTBEZAHLDIENST_URL = closed_port_url
    with translation.override("en"), pytest.raises(PaymentProviderError, match="cannot be reached"):
        start(test_provider)


def test_payments_are_read_only_in_the_admin(rf):
    from django.contrib import admin

    from amtsweg.accounts.tests.factories import UserFactory

    model_admin = admin.site.get_model_admin(PaymentTransaction)
    request = rf.get("/")
    request.user = UserFactory(is_superuser=True, is_staff=True, totp_device=False)
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_delete_permission(request)
    assert set(model_admin.get_readonly_fields(request)) >= {"status", "amount_cents", "reference", "paid_at"}


@pytest.mark.parametrize("body", [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"requestId": "X.\\u0000", "grosAmount": "1.00", "purpose": "x", "redirectUrl": "/"}',
    b'{"requestId": "X.2", "grosAmount": "1e999999", "purpose": "x", "redirectUrl": "/"}',
    b'{"requestId": "X.3", "grosAmount": "NaN", "purpose": "x", "redirectUrl": "/"}',
])
def test_provider_api_answers_hostile_bodies_with_400(settings, db, body):
    from django.test import Client

    settings.AMTSWEG_TEST_PAYMENT_PROVIDER = True
    settings.AMTSWEG_TESTBEZAHLDIENST_SECRET = "geheim-" + "y" * 32
    response = Client(raise_request_exception=False).post(
        "/testbezahldienst/api/paymenttransaction", body, content_type="application/json",
        HTTP_AUTHORIZATION=f"Bearer {settings.AMTSWEG_TESTBEZAHLDIENST_SECRET}")
    assert response.status_code == 400
