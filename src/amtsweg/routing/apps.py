from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RoutingConfig(AppConfig):
    name = "amtsweg.routing"
    verbose_name = _("Zuständigkeiten und Zustellpunkte")

    def ready(self) -> None:
        from amtsweg.accounts import audit, navigation
        from amtsweg.core import navigation as public_navigation
        from amtsweg.routing import signals
        from amtsweg.routing.models import Destination, DestinationKey

        audit.register_values(DestinationKey.Purpose, Destination.Status)

        signals.connect()
        public_navigation.register.add("routing.who", public_navigation.Entry(
            title=_("Wer ist zuständig?"), url_name="routing:who_is_responsible", namespace="routing", order=30))
        navigation.register.add("routing.destinations", navigation.Section(
            title=_("Zustellpunkte"),
            url_name="routing:destinations",
            description=_("Wohin Anträge Ihrer Behörde verschlüsselt zugestellt werden, mit Schlüsseln"),
            order=30,
        ))
        navigation.register.add("routing.responsibilities", navigation.Section(
            title=_("Zuständigkeiten"),
            url_name="routing:responsibilities",
            description=_("Wer für welche Leistung in welchem Gebiet zuständig ist; prüfen und importieren"),
            order=31,
        ))
