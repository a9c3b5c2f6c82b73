from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class IdentityConfig(AppConfig):
    name = "amtsweg.identity"

    def ready(self) -> None:
        # Importing the plugin modules registers them; the test plugins ("test-saml", "test-oidc") live
        # with their embedded IdPs, registered always, offered only with AMTSWEG_TEST_IDENTITY_PROVIDERS.
        from amtsweg.core import navigation as public_navigation
        from amtsweg.identity.providers import embedded_oidc_op, embedded_saml_idp, oidc, saml  # noqa: F401

        public_navigation.register.add("identity.login", public_navigation.Entry(
            title=_("Bürgerkonto"), url_name="identity:choose", namespace="identity", order=90))
