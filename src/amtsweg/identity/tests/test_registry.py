"""Identity providers are plugins of the shared registry (amtsweg.core.plugins), issue 13 item 9."""

from amtsweg.identity.registry import IdentityProvider, register
from amtsweg.testkit.plugin_contract import check_registry_contract


class Provider(IdentityProvider):
    label = "Test"

    def __init__(self, is_test_plugin: bool = False):
        self.is_test_plugin = is_test_plugin

    def is_enabled(self) -> bool:
        return True

    def offered_levels(self) -> tuple[str, ...]:
        return ("niedrig",)

    def start_login(self, request, *, min_level, next_url):
        raise NotImplementedError


def test_the_identity_provider_registry_keeps_the_plugin_contract(settings):
    assert register.test_setting == "AMTSWEG_TEST_IDENTITY_PROVIDERS"
    check_registry_contract(register, make_plugin=Provider, settings=settings)
