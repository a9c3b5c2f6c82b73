"""Online-service link providers of the Leistung page are plugins of the shared registry (issue 13 item 9)."""

import pytest

from amtsweg.catalogue import online_services
from amtsweg.catalogue.tests.factories import OzgServiceFactory
from amtsweg.testkit.plugin_contract import check_registry_contract


def make_provider(test: bool):
    def provider(request, service):
        return [online_services.OnlineServiceLink(title="Test", url="/test/")]

    provider.is_test_plugin = test
    return provider


def test_the_catalogue_link_providers_keep_the_plugin_contract(settings):
    check_registry_contract(online_services.register, make_plugin=make_provider, settings=settings)


@pytest.mark.django_db
def test_a_test_provider_adds_links_only_while_test_plugins_are_on(settings, rf):
    service = OzgServiceFactory()
    with online_services.register.registered("test", make_provider(True)):
        settings.AMTSWEG_TEST_PLUGINS = False
        assert "/test/" not in [link.url for link in online_services.links_for(rf.get("/"), service)]
        settings.AMTSWEG_TEST_PLUGINS = True
        assert "/test/" in [link.url for link in online_services.links_for(rf.get("/"), service)]
