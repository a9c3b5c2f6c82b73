from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaturityConfig(AppConfig):
    name = "amtsweg.maturity"
    verbose_name = _("Reifegrad")

    def ready(self) -> None:
        # The facts live in earlier apps (shop, routing, casework, postfach); they do not know this app, so the
        # incremental recompute listens to their model signals (README "Architecture": registries and signals).
        from amtsweg.maturity import triggers

        triggers.connect()
