from dataclasses import dataclass

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from amtsweg.core import navigation as public_navigation


@dataclass(frozen=True)
class LoginEntry(public_navigation.Entry):
    """The main navigation's "Bürgerkonto": only while a provider can be chosen (the registry asks
    `is_enabled`), so an installation without BundID or OpenID does not lead citizens to an empty chooser."""

    def is_enabled(self) -> bool:
        from amtsweg.identity.registry import register

        return bool(register.enabled())


class IdentityConfig(AppConfig):
    name = "amtsweg.identity"

    def ready(self) -> None:
        # Importing the plugin modules registers them; the test plugins ("test-saml", "test-oidc") live
        # with their embedded IdPs, registered always, offered only with AMTSWEG_TEST_IDENTITY_PROVIDERS.
        from amtsweg.identity.providers import embedded_oidc_op, embedded_saml_idp, oidc, saml  # noqa: F401

        public_navigation.register.add("identity.login", LoginEntry(
            title=_("Bürgerkonto"), url_name="identity:choose", namespace="identity", order=90))
