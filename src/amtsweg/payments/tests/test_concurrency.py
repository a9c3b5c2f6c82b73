"""Callbacks and returns racing each other on real database connections (PostgreSQL: row locks)."""

import threading

import pytest
from django.db import connection, connections

from amtsweg.payments.models import PaymentEvent, PaymentStatus, TestPaymentOrder
from amtsweg.payments.services import get_transaction, refresh_status, start_payment
from amtsweg.payments.signals import payment_status_changed

pytestmark = [
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(connection.vendor != "postgresql", reason="needs row locks of a server database"),
]


def run_in_threads(count, target):
    barrier = threading.Barrier(count)
    errors = []

    def worker():
        try:
            barrier.wait(timeout=10)
            target()
        except Exception as exc:  # surfaced below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker) for _ in range(count)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    assert not errors, errors


def test_concurrent_starts_create_one_provider_transaction(settings, test_provider):
    run_in_threads(4, lambda: start_payment(reference="PAR-1", amount_cents=500, purpose="Hundesteuer",
                                            return_url=f"{test_provider.url}/x/"))
    assert TestPaymentOrder.objects.count() == 1
    tx = get_transaction("PAR-1")
    assert tx.provider_transaction_id == str(TestPaymentOrder.objects.get().transaction_id)


def test_concurrent_status_checks_change_the_status_once(settings, test_provider, citizen):
    settings.AMTSWEG_TESTBEZAHLDIENST_NOTIFY = False
    tx = start_payment(reference="PAR-2", amount_cents=500, purpose="Hundesteuer",
                       return_url=f"{test_provider.url}/x/")
    citizen.choose(tx.redirect_url, "bezahlen")  # paid at the provider; the platform does not know yet
    changes = []

    def receiver(sender, transaction, to_status, **kwargs):
        changes.append(to_status)

    payment_status_changed.connect(receiver)
    try:
        run_in_threads(4, lambda: refresh_status(get_transaction("PAR-2"), source="callback"))
    finally:
        payment_status_changed.disconnect(receiver)
    assert changes == ["paid"]
    assert get_transaction("PAR-2").status == PaymentStatus.PAID
    assert PaymentEvent.objects.filter(transaction__reference="PAR-2", to_status="paid").count() == 1
