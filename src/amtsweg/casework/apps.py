from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "amtsweg.casework"
    verbose_name = _("Sachbearbeitung")

    def ready(self) -> None:
        from amtsweg.casework.channel import CaseworkChannel, on_submission_submitted
        from amtsweg.delivery import channels
        from amtsweg.submissions.signals import submission_submitted

        channels.register(CaseworkChannel())
        submission_submitted.connect(on_submission_submitted, dispatch_uid="amtsweg.casework.ingest")

