"""Output formats are plugins of the shared registry (amtsweg.core.plugins), registered in ready()."""

from amtsweg.submissions import output_formats
from amtsweg.testkit.plugin_contract import check_registry_contract


class Plain(output_formats.OutputFormat):
    leika_keys = {"99999999999999"}

    def __init__(self, is_test_plugin: bool = False):
        self.is_test_plugin = is_test_plugin

    def render(self, payload) -> bytes:
        return b"<antrag/>"


def test_the_output_format_registry_keeps_the_plugin_contract(settings):
    check_registry_contract(output_formats.register, make_plugin=Plain, settings=settings)


def test_a_test_format_is_used_only_while_test_plugins_are_on(settings):
    with output_formats.register.registered("plain", Plain(is_test_plugin=True)) as plain:
        settings.AMTSWEG_TEST_PLUGINS = False
        assert output_formats.for_service("99999999999999") is None
        settings.AMTSWEG_TEST_PLUGINS = True
        assert output_formats.for_service("99999999999999") is plain


def test_xbau_is_registered_when_the_app_is_ready():
    # SubmissionsConfig.ready() imports the built-in formats; no lookup imports them lazily any more.
    assert output_formats.register["xbau-2.6-baugenehmigung.antrag.0200"].identifier == (
        "xbau-2.6-baugenehmigung.antrag.0200")
