from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "amtsweg.routing"
    verbose_name = _("Zuständigkeiten und Zustellpunkte")

    def ready(self) -> None:
        from amtsweg.accounts import navigation
        from amtsweg.routing import signals

        signals.connect()
        navigation.register(
            "routing.destinations",
            title=_("Zustellpunkte"),
            url_name="routing:destinations",
            description=_("Wohin Anträge Ihrer Behörde verschlüsselt zugestellt werden, mit Schlüsseln"),
            order=30,
        )
        navigation.register(
            "routing.responsibilities",
            title=_("Zuständigkeiten"),
            url_name="routing:responsibilities",
            description=_("Wer für welche Leistung in welchem Gebiet zuständig ist; prüfen und importieren"),
            order=31,
        )
