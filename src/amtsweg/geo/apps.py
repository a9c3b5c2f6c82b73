from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GeoConfig(AppConfig):
    name = "amtsweg.geo"
    verbose_name = _("Gebiete")

    def ready(self) -> None:
        from amtsweg.geo import health  # noqa: F401 - registers the reference-data readiness check
