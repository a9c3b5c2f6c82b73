"""Demo data of the maturity measurement: the Saarland measured at set-up.

Without it a newcomer's first look at "Reifegrad" showed "Keine Daten" on every page, because the full
recompute runs on the worker's schedule. Only the demo's Land is computed (about 28,000 cells in seconds),
not the whole directory (5.7 million cells, a minute or more on SQLite); later changes in the demo (a
subscription, a received application, a notice) update their cells through the incremental triggers.
"""

from __future__ import annotations

from amtsweg.catalogue.models import PublicService
from amtsweg.core.actors import SYSTEM
from amtsweg.maturity import compute, snapshots
from amtsweg.maturity.models import ServiceRelevance

DEMO_LAND = "10"  # Saarland, the Land of every demo (routing.demo, shop.demo)


def load_demo(stdout) -> None:
    compute.sync_relevance()
    compute.sync_areas()
    keys = list(PublicService.objects.filter(ozg_services__in=ServiceRelevance.objects.values("service_id"))
                .exclude(key="").values_list("key", flat=True).distinct())
    cells = compute.recompute_for(actor=SYSTEM, area_ars=DEMO_LAND, leika_keys=keys)
    snapshots.take(actor=SYSTEM)
    stdout.write(f"Reifegrad des Saarlandes gemessen: {cells} Zellen / Saarland's maturity measured: {cells} cells")
