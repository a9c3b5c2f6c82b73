"""The production login plugins' modules hold no test plugin (issue 13, item 12): "test-saml" and
"test-oidc" live beside their embedded IdPs, which only the demo and the tests switch on."""

from amtsweg.identity.providers import embedded_oidc_op, embedded_saml_idp, oidc, saml
from amtsweg.identity.registry import register


def test_test_plugins_live_beside_the_embedded_idps():
    assert type(register["test-saml"]).__module__ == embedded_saml_idp.__name__
    assert type(register["test-oidc"]).__module__ == embedded_oidc_op.__name__
    assert register["test-saml"].is_test_plugin and register["test-oidc"].is_test_plugin


def test_production_plugin_modules_define_only_production_plugins():
    for module in (saml, oidc):
        plugins = [p for p in register if type(p).__module__ == module.__name__]
        assert plugins and not any(p.is_test_plugin for p in plugins)
