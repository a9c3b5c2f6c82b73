"""E-mail notification to the office: that new applications wait, never what they contain."""

from __future__ import annotations

from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.utils.translation import gettext as _
from django.utils.translation import ngettext, override

from amtsweg.delivery.channels import DeliveryError, PerDestinationChannel, register
from amtsweg.delivery.models import OutboxMessage


@register("email")
class EmailChannel(PerDestinationChannel):
    label = "E-Mail-Benachrichtigung"

    def deliver_to(self, destination, batch: Sequence[OutboxMessage]) -> DeliveryError | None:
        if destination is None:
            return DeliveryError("Der Zustellpunkt existiert nicht mehr.", permanent=True)
        if not destination.notification_email:
            return DeliveryError("Für den Zustellpunkt ist keine E-Mail-Adresse hinterlegt.")
        with override("de"):
            subject = ngettext(
                "Amtsweg: %(count)d neuer Antrag für %(name)s",
                "Amtsweg: %(count)d neue Anträge für %(name)s",
                len(batch),
            ) % {"count": len(batch), "name": destination.name}
            lines = [
                _("Für Ihren Zustellpunkt liegen neue Anträge zum Abruf bereit."),
                _("Aus Datenschutzgründen enthält diese Nachricht keine Inhalte der Anträge."),
                "",
                _("Kennungen der Einreichungen:"),
                *[f"- {m.submission_id}" for m in batch],
                "",
                _("Abruf im Fachverfahren oder im Verwaltungsportal: %(url)s")
                % {"url": f"{settings.PUBLIC_BASE_URL}/verwaltung/"},
            ]
        try:
            send_mail(subject, "\n".join(lines), None, [destination.notification_email])
        except Exception as exc:
            return DeliveryError(f"E-Mail konnte nicht versandt werden: {type(exc).__name__}")
        return None
