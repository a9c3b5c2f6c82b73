""""Online beantragen" links for citizens, registered into routing's and the catalogue's extension points."""

from __future__ import annotations

from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from amtsweg.routing.links import OnlineServiceLink

from .models import Offer, Subscription
from .routing_link import online_link


def routing_page_links(leika_key: str, authority, municipality_ars: str) -> list[OnlineServiceLink]:
    """On "Wer ist zuständig?": the live online service for the citizen's place, if any."""
    ars = municipality_ars or authority.area_ars
    link = online_link(leika_key, ars)
    if link is None or link.url is None:
        return []
    return [OnlineServiceLink(label=link.offer_name, url=link.url)]


def catalogue_page_links(request, ozg_service):
    """On an OZG-Leistung's page: the Land's online services for it, leading to the place check."""
    from amtsweg.catalogue.online_services import OnlineServiceLink as CatalogueLink

    keys = list(ozg_service.public_services.exclude(key="").values_list("key", flat=True))
    offers = (Offer.objects.filter(public_services__key__in=keys, status__in=[Offer.Status.AVAILABLE,
                                                                               Offer.Status.PILOT])
              .distinct().prefetch_related("public_services"))
    links = []
    for offer in offers:
        live = Subscription.objects.filter(offer=offer, status=Subscription.Status.LIVE).count()
        if not live:
            continue
        key = next(ps.key for ps in offer.public_services.all() if ps.key in keys)
        links.append(CatalogueLink(
            title=offer.name,
            url=f"{reverse('routing:who_is_responsible')}?{urlencode({'key': key})}",
            description=_("Online in %(n)s Kommunen – geben Sie Ihren Wohnort ein, um zu sehen, ob Sie ihn nutzen "
                          "können.") % {"n": live},
        ))
    return links
