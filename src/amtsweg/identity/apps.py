from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "amtsweg.identity"

    def ready(self) -> None:
        # Importing the plugin modules registers them.
        from amtsweg.identity.providers import oidc, saml  # noqa: F401
