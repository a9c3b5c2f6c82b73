"""Online-service link providers of "Wer ist zuständig?" are plugins of the shared registry (issue 13 item 9)."""

import pytest

from amtsweg.accounts.tests.factories import AuthorityFactory
from amtsweg.routing import links
from amtsweg.testkit.plugin_contract import check_registry_contract


def make_provider(test: bool):
    def provider(leika_key, authority, municipality_ars):
        return [links.OnlineServiceLink(label="Test", url="/test/")]

    provider.is_test_plugin = test
    return provider


def test_the_routing_link_providers_keep_the_plugin_contract(settings):
    check_registry_contract(links.register, make_plugin=make_provider, settings=settings)


@pytest.mark.django_db
def test_a_test_provider_adds_links_only_while_test_plugins_are_on(settings):
    authority = AuthorityFactory()
    link = links.OnlineServiceLink("Test", "/test/")
    with links.register.registered("test", make_provider(True)):
        settings.AMTSWEG_TEST_PLUGINS = False
        assert link not in links.online_service_links("99000000000000", authority)
        settings.AMTSWEG_TEST_PLUGINS = True
        assert link in links.online_service_links("99000000000000", authority)


def test_the_shop_registers_its_provider():
    assert "shop" in links.register
