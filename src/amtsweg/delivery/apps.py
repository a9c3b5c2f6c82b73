from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DeliveryConfig(AppConfig):
    name = "amtsweg.delivery"
    verbose_name = _("Zustellung")

    def ready(self) -> None:
        from amtsweg.delivery import channels
        from amtsweg.delivery.channels.callback import CallbackChannel
        from amtsweg.delivery.channels.directory import DirectoryExportChannel
        from amtsweg.delivery.channels.email import EmailChannel
        from amtsweg.delivery.channels.sender_callback import SenderCallbackChannel
        from amtsweg.delivery.receivers import on_destination_event_received, on_submission_submitted
        from amtsweg.submissions.signals import destination_event_received, submission_submitted

        channels.register(CallbackChannel())
        channels.register(EmailChannel())
        channels.register(DirectoryExportChannel())
        channels.register(SenderCallbackChannel())
        submission_submitted.connect(on_submission_submitted, dispatch_uid="amtsweg.delivery.outbox")
        destination_event_received.connect(on_destination_event_received,
                                           dispatch_uid="amtsweg.delivery.sender_callback")

        from amtsweg.accounts import navigation

        navigation.register("delivery.status", title=_("Zustellung"), url_name="delivery:list",
                            description=_("Zustellstatus, unzustellbare Anträge mit Grund, erneut senden"),
                            order=35)
