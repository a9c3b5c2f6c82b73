from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CaseworkConfig(AppConfig):
    name = "amtsweg.casework"
    verbose_name = _("Sachbearbeitung")

    def ready(self) -> None:
        from functools import partial

        from django.core.management import call_command

        from amtsweg.casework import (
            health,  # noqa: F401 - registers the KEK readiness check
            metrics,  # noqa: F401 - registers the backlog gauges of /metrics
        )
        from amtsweg.core import scheduling

        # Enqueues the retention task for the task workers (the command's default), once a day per cluster.
        scheduling.jobs.add("casework_retention", scheduling.Job(
            run=partial(call_command, "casework_retention"), interval=24 * 3600))

        # Importing the channel module registers the channel (`@channels.register("casework")`).
        from amtsweg.casework.channel import on_submission_submitted
        from amtsweg.submissions.signals import submission_submitted

        submission_submitted.connect(on_submission_submitted, dispatch_uid="amtsweg.casework.ingest")

        from django.db.models.signals import post_delete, post_save

        from amtsweg.casework.models import ReceivingSystem
        from amtsweg.casework.receiving import changed

        post_save.connect(changed, sender=ReceivingSystem, dispatch_uid="amtsweg.casework.receiving-save")
        post_delete.connect(changed, sender=ReceivingSystem, dispatch_uid="amtsweg.casework.receiving-delete")

        from amtsweg.casework.integrity import every_case_opens
        from amtsweg.core.backup import restore_checks

        restore_checks.add("casework.cases_open", every_case_opens)

        from amtsweg.accounts import audit, navigation
        from amtsweg.casework import retention
        from amtsweg.casework.models import Case
        from amtsweg.core import tenancy

        # The protocol page names what the retention job deleted and a case's state in the words used here.
        audit.register_labels(retention.CATEGORIES)
        audit.register_values(Case.State, Case.Decision)

        navigation.register.add("casework.inbox", navigation.Section(
            title=_("Sachbearbeitung"), url_name="casework:inbox",
            description=_("Posteingang, Bearbeitung und Fristen eingegangener Anträge"), order=20))
        navigation.register.add("casework.receiving", navigation.Section(
            title=_("Empfangssystem"), url_name="casework:receiving", allowed=tenancy.is_admin_or_operator,
            description=_("Amtsweg-Sachbearbeitung oder externes Fachverfahren je Zustellpunkt"), order=32))
        navigation.register.add("casework.teams", navigation.Section(
            title=_("Teams der Sachbearbeitung"), url_name="casework:teams", allowed=tenancy.is_authority_admin,
            description=_("Teams anlegen, Mitglieder und die Leistungen, die sie bearbeiten"), order=33))
        navigation.register.add("casework.services", navigation.Section(
            title=_("Leistungen: Fristen und Teams"), url_name="casework:services",
            allowed=tenancy.is_authority_admin,
            description=_("Bearbeitungsfrist, Aufbewahrungsfrist und zuständiges Team je Leistung"), order=34))
