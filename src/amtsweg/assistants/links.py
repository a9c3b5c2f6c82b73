""""Online beantragen" on the page "Wer ist zuständig?": the platform's own published forms for a service.

Routing shows these links only where `routing.resolution.responsible_office` says the application can be
delivered, so the page offers exactly the forms whose place step will accept the citizen's place.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from amtsweg.routing.links import OnlineServiceLink

from . import integrations
from .engine.validators import format_cents
from .models import FormDefinition


def routing_page_links(leika_key: str, authority, municipality_ars: str) -> list[OnlineServiceLink]:
    """Every published form of this platform for the service (the place step then routes by the Gemeinde)."""
    links = []
    for form in FormDefinition.objects.filter(leika_key=leika_key).order_by("slug"):
        if form.published_version() is None:
            continue
        url = reverse("assistants:start", kwargs={"slug": form.slug})
        if municipality_ars:
            url += "?" + urlencode({"ars": municipality_ars})
        # the fee this place's office charges (its Kommune's own where it set one), as the form will charge it
        fee = integrations.fee_cents(form, municipality_ars or None)
        note = _("Gebühr: %(fee)s, online zu bezahlen vor dem Absenden.") % {"fee": format_cents(fee)} if fee else ""
        links.append(OnlineServiceLink(label=str(form.title), url=url, note=note))
    return links
