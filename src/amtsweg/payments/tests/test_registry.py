"""Payment providers are plugins of the shared registry (amtsweg.core.plugins), issue 13 item 9."""

from amtsweg.payments.registry import PaymentProvider, register
from amtsweg.testkit.plugin_contract import check_registry_contract


class Provider(PaymentProvider):
    label = "Test"

    def __init__(self, is_test_plugin: bool = False):
        self.is_test_plugin = is_test_plugin

    def is_enabled(self) -> bool:
        return True

    def create_transaction(self, **kwargs):
        raise NotImplementedError

    def get_status(self, transaction_id):
        raise NotImplementedError


def test_the_payment_provider_registry_keeps_the_plugin_contract(settings):
    assert register.test_setting == "AMTSWEG_TEST_PAYMENT_PROVIDER"
    check_registry_contract(register, make_plugin=Provider, settings=settings)
