from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "amtsweg.routing"
    verbose_name = _("Zuständigkeiten und Zustellpunkte")

    def ready(self) -> None:
        from amtsweg.routing import signals

        signals.connect()
