"""Factories for payments, with named states.

    PaymentTransactionFactory()                 an open transaction (not yet at a provider)
    PaymentTransactionFactory(paid=True)        paid
    TestPaymentOrderFactory()                   the test provider's own INITIAL order
"""

import factory

from amtsweg.payments.models import PaymentStatus, PaymentTransaction, TestPaymentOrder


class PaymentTransactionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PaymentTransaction

    reference = factory.Sequence(lambda n: f"ANTRAG-{n:06d}")
    amount_cents = 1000
    purpose = "Meldebescheinigung"
    provider = "testbezahldienst"
    return_url = "http://127.0.0.1/antrag/rueckkehr/"

    class Params:
        paid = factory.Trait(status=PaymentStatus.PAID, provider_transaction_id=factory.Faker("uuid4"))


class TestPaymentOrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TestPaymentOrder

    request_id = factory.Sequence(lambda n: f"ANTRAG-{n:06d}.1")
    amount_cents = 1000
    purpose = "Meldebescheinigung"
    redirect_url = "http://127.0.0.1/bezahlung/x/rueckkehr/"
