from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "amtsweg.delivery"
    verbose_name = _("Zustellung")

    def ready(self) -> None:
        # Once per cluster, whichever host's `amtsweg scheduler` wins the turn (amtsweg.core.scheduling).
        from amtsweg.core import scheduling
        from amtsweg.delivery import conf, services

        scheduling.jobs.add("delivery_sweep", scheduling.Job(
            run=services.sweep, interval=lambda: conf.value("SWEEP_INTERVAL_SECONDS"), max_runtime=300))

        # The built-in channels register themselves (`@channels.register(…)`) when their module is imported.
        from amtsweg.delivery import (
            health,  # noqa: F401 - registers the queue readiness check
            metrics,  # noqa: F401 - registers the outbox and queue gauges of /metrics
        )
        from amtsweg.delivery.channels import callback, directory, email, sender_callback  # noqa: F401
        from amtsweg.delivery.receivers import on_destination_event_received, on_submission_submitted
        from amtsweg.submissions.signals import destination_event_received, submission_submitted

        submission_submitted.connect(on_submission_submitted, dispatch_uid="amtsweg.delivery.outbox")
        destination_event_received.connect(on_destination_event_received,
                                           dispatch_uid="amtsweg.delivery.sender_callback")

        from amtsweg.accounts import navigation

        navigation.register.add("delivery.status", navigation.Section(
            title=_("Zustellung"), url_name="delivery:list",
            description=_("Zustellstatus, unzustellbare Anträge mit Grund, erneut senden"), order=35))
