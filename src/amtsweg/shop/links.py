""""Online beantragen" links for citizens, registered into routing's and the catalogue's extension points."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from amtsweg.catalogue.service_facts import COSTS, Fact
from amtsweg.routing.links import OnlineServiceLink
from amtsweg.routing.resolution import LandCoverage, online_coverage

from .models import Offer, Subscription
from .reports import euros
from .routing_link import online_link


def routing_page_links(leika_key: str, authority, municipality_ars: str) -> list[OnlineServiceLink]:
    """On "Wer ist zuständig?": the live online service for the citizen's place, if any."""
    ars = municipality_ars or authority.area_ars
    link = online_link(leika_key, ars)
    if link is None or link.url is None:
        return []
    return [OnlineServiceLink(label=link.offer_name, url=link.url)]


def catalogue_page_links(request, ozg_service):
    """On an OZG-Leistung's page: the Land's online services for it, leading to the place check.

    Where it is online is counted by routing's own resolution (`online_coverage`), not from the live
    subscriptions: a Land-wide fallback office makes a service online in every Gemeinde without one
    subscription there, and the page must say what "Wer ist zuständig?" and the form will say.
    """
    from amtsweg.catalogue.online_services import OnlineServiceLink as CatalogueLink

    keys = list(ozg_service.public_services.exclude(key="").values_list("key", flat=True))
    offers = (Offer.objects.filter(public_services__key__in=keys, status__in=[Offer.Status.AVAILABLE,
                                                                               Offer.Status.PILOT])
              .distinct().prefetch_related("public_services"))
    links = []
    for offer in offers:
        key = next(ps.key for ps in offer.public_services.all() if ps.key in keys)
        coverage = online_coverage(key)
        if not coverage:
            continue
        links.append(CatalogueLink(
            title=offer.name,
            url=f"{reverse('routing:who_is_responsible')}?{urlencode({'key': key})}",
            description=" ".join(_coverage_sentence(land) for land in coverage),
        ))
    return links


def _coverage_sentence(land: LandCoverage) -> str:
    """Where in a Land the service is online, in plain German."""
    names = ", ".join(f"„{name}“" for name in land.fallback_offices)
    values = {"n": land.online, "total": land.municipalities, "land": land.land_name, "own": land.own,
              "offices": names}
    if not land.everywhere:
        return _("Online in %(n)s von %(total)s Gemeinden des Landes %(land)s – geben Sie Ihren Wohnort ein, um "
                 "zu sehen, ob Sie die Leistung dort online beantragen können.") % values
    if not land.fallback_offices:
        text = _("Online in allen %(total)s Gemeinden des Landes %(land)s, jeweils über die eigene Kommune.")
    elif not land.own:
        text = _("Online in allen %(total)s Gemeinden des Landes %(land)s über %(offices)s.")
    else:
        text = _("Online in allen %(total)s Gemeinden des Landes %(land)s: in %(own)s über die eigene Kommune, "
                 "in den übrigen über %(offices)s.")
    return (text % values) + " " + _("Geben Sie Ihren Wohnort ein, um die zuständige Stelle zu sehen.")


FEES_LISTED = 20  # Kommunen named with their fee on a Leistung page; the rest are counted


def catalogue_facts(ozg_service, keys: list[str]):
    """On an OZG-Leistung's page, "Was kostet es?": the fee each connected Kommune configured for its online
    service (the fee the citizen is charged, issue 16), by the Kommune's name; none where none was set."""
    subscriptions = list(Subscription.objects.live_on(timezone.localdate())
                         .filter(offer__public_services__key__in=keys, local_fee_cents__isnull=False)
                         .select_related("authority").distinct().order_by("authority__name"))
    if not subscriptions:
        return []
    items = [_("%(office)s: %(fee)s") % {"office": sub.authority.name, "fee": euros(sub.local_fee_cents) + " €"}
             for sub in subscriptions[:FEES_LISTED]]
    if len(subscriptions) > FEES_LISTED:
        items.append(_("und %(n)s weitere Kommunen") % {"n": len(subscriptions) - FEES_LISTED})
    return [Fact(COSTS, _("Gebühr beim Online-Antrag, wie die Kommune sie festgelegt hat:"), items=tuple(items),
                 source=_("die angeschlossenen Kommunen"))]

