"""The staff home's sections are plugins of the shared registry (amtsweg.core.plugins), issue 13 item 9."""

import pytest

from amtsweg.accounts import navigation
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.testkit.plugin_contract import check_registry_contract


def test_the_staff_navigation_keeps_the_plugin_contract(settings):
    check_registry_contract(navigation.register, settings=settings, make_plugin=lambda test: navigation.Section(
        title="Test", url_name="accounts:home", is_test_plugin=test))


@pytest.mark.django_db
def test_a_test_section_is_shown_only_while_test_plugins_are_on(settings):
    user = UserFactory()
    section = navigation.Section(title="Nur zum Testen", url_name="accounts:home", is_test_plugin=True)
    with navigation.register.registered("test.section", section):
        settings.AMTSWEG_TEST_PLUGINS = False
        assert section not in navigation.sections_for(user)
        settings.AMTSWEG_TEST_PLUGINS = True
        assert section in navigation.sections_for(user)
