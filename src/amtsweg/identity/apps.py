from django.apps import AppConfig


class IdentityConfig(AppConfig):
    name = "amtsweg.identity"

    def ready(self) -> None:
        # Importing the plugin modules registers them.
        import amtsweg.identity.providers  # noqa: F401
