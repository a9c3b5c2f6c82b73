from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "amtsweg.submissions"
    verbose_name = _("Einreichungen")

    def ready(self) -> None:
        from amtsweg.accounts import navigation
        from amtsweg.submissions.staff_views import can_manage_clients

        navigation.register(
            "submissions.api_clients",
            title=_("API-Zugänge"),
            url_name="submissions:api_clients",
            description=_("Zugänge zur Submission-API für Fachverfahren und Onlinedienste (FIT-Connect-kompatibel)"),
            allowed=can_manage_clients,
            order=35,
        )
