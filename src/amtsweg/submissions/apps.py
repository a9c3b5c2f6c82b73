from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SubmissionsConfig(AppConfig):
    name = "amtsweg.submissions"
    verbose_name = _("Einreichungen")

    def ready(self) -> None:
        from functools import partial

        from django.core.management import call_command

        from amtsweg.core import scheduling

        scheduling.jobs.add("submissions_housekeeping", scheduling.Job(
            run=partial(call_command, "submissions_housekeeping"), interval=600))

        from amtsweg.accounts import navigation
        from amtsweg.core.backup import restore_checks
        from amtsweg.core.tenancy import can_manage_api_clients

        # Built-in output formats register themselves (`@output_formats.register(…)`) on import.
        from amtsweg.submissions import xbau  # noqa: F401
        from amtsweg.submissions.services import every_attachment_file_present

        restore_checks.add("submissions.attachment_files", every_attachment_file_present)

        navigation.register.add("submissions.api_clients", navigation.Section(
            title=_("API-Zugänge"),
            url_name="submissions:api_clients",
            description=_("Zugänge zur Submission-API für Fachverfahren und Onlinedienste (FIT-Connect-kompatibel)"),
            allowed=can_manage_api_clients,
            order=35,
        ))
