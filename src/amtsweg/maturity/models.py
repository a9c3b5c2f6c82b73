"""Maturity (Reifegrad) of every Kommune × OZG-Leistung, computed from platform facts, and its history.

Four kinds of rows:

* `Area`: a Kommune as the measurement sees it — every Gemeinde, Gemeindeverband and Kreis of the reference
  directory (`geo`), with its population and size class. Derived from `geo` by `compute.sync_areas`.
* `ServiceRelevance`: the OZG-Leistungen a Kommune executes (from the LeiKa typisation) and the demand factor
  used for weights. Derived from the catalogue by `compute.sync_relevance`.
* `Cell`: one Area × relevant OZG-Leistung, with the measured facts (a bit set, `criteria.Fact`) and the
  levels both maturity models give them. Every cell is evaluated, level-0 cells included (they are stored,
  not implied). Derived data: rebuilt set-based by `compute.recompute_all`, kept current per change by
  `compute.recompute_for`. Its foreign keys carry no database constraint on purpose: the table is rewritten
  wholesale and a constraint check per row would double the cost of a full recompute; the rows are never
  the source of anything.
* `AreaSummary` / `AreaSnapshot`: the counts per level of one Area now and per day (history without
  millions of rows a day: one row per Area and day); their common columns are `LevelCounts`.

`DeclaredService` is what a Kommune says about a service it offers outside Amtsweg ("erklärt"). It is kept
apart from the cells and never changes a measured level.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.catalogue.models import OzgService
from amtsweg.core.tenancy import LandAccess, TenantQuerySet


class Area(models.Model):
    """A Gemeinde, Gemeindeverband or Kreis (by its ARS prefix: 12, 9 or 5 digits)."""

    class Kind(models.TextChoices):
        GEMEINDE = "gemeinde", _("Gemeinde")
        VERBAND = "verband", _("Gemeindeverband")
        KREIS = "kreis", _("Kreis")

    ars = models.CharField(_("Regionalschlüssel (ARS)"), max_length=12, unique=True)
    kind = models.CharField(_("Art"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("Name"), max_length=200)
    land_code = models.CharField(_("Land"), max_length=2, db_index=True)
    district_code = models.CharField(_("Kreis"), max_length=5, blank=True, db_index=True)
    population = models.PositiveIntegerField(_("Einwohner"), default=0)
    size_class = models.PositiveSmallIntegerField(_("Größenklasse"), default=0)

    class Meta:
        ordering = ["ars"]
        indexes = [models.Index(fields=["kind", "size_class"], name="maturity_area_peers_idx")]
        verbose_name = _("Kommune (Reifegrad)")
        verbose_name_plural = _("Kommunen (Reifegrad)")

    def __str__(self) -> str:
        return f"{self.name} ({self.ars})"


class ServiceRelevance(models.Model):
    """An OZG-Leistung that Kommunen execute, with its demand factor (see `compute.sync_relevance`)."""

    service = models.OneToOneField(OzgService, on_delete=models.CASCADE, primary_key=True, related_name="+")
    municipal_leika = models.PositiveSmallIntegerField(_("kommunal vollzogene LeiKa-Leistungen"), default=0)
    demand_factor = models.FloatField(_("Nachfragefaktor"), default=1.0)

    class Meta:
        verbose_name = _("relevante OZG-Leistung")
        verbose_name_plural = _("relevante OZG-Leistungen")

    def __str__(self) -> str:
        return str(self.service_id)


class Cell(models.Model):
    """One Area × OZG-Leistung: measured facts and the levels of Reifegradmodell 2.0 and 1.1."""

    pk = models.CompositePrimaryKey("area", "service")
    area = models.ForeignKey(Area, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                             related_name="+")  # the primary key starts with it
    service = models.ForeignKey(OzgService, on_delete=models.DO_NOTHING, db_constraint=False, db_index=False,
                                related_name="+")
    facts = models.IntegerField(default=0)  # criteria.Fact bits
    level_v2 = models.PositiveSmallIntegerField(default=0)
    level_v11 = models.PositiveSmallIntegerField(default=0)
    # The Authority whose responsibility (or subscription) the facts come from: who can close the gap.
    authority = models.ForeignKey("accounts.Authority", on_delete=models.DO_NOTHING, db_constraint=False,
                                  db_index=False, null=True, blank=True, related_name="+")
    weight = models.FloatField(default=0.0)

    class Meta:
        verbose_name = _("Reifegrad-Zelle")
        verbose_name_plural = _("Reifegrad-Zellen")

    def __str__(self) -> str:
        return f"{self.area_id}×{self.service_id}: {self.level_v2}/{self.level_v11}"


class LevelCounts(models.Model):
    """The counts of one Area's relevant services per level: now (`AreaSummary`) and on a day (`AreaSnapshot`,
    a copy of the summary, `snapshots.take`), so both keep the same columns."""

    relevant = models.PositiveIntegerField(default=0)
    levels_v2 = models.JSONField(default=list)  # 8 counts, index = stage 0..7
    levels_v11 = models.JSONField(default=list)  # 5 counts, index = stage 0..4
    # Share of the demand weight at 1.1 stage ≥ 3 (OZG-konform), 0..1: the figure peers are ranked by.
    compliant_share = models.FloatField(default=0.0)

    class Meta:
        abstract = True


class AreaSummary(LevelCounts):
    """The counts of one Area's relevant services per level, as of the last recompute."""

    area = models.OneToOneField(Area, on_delete=models.CASCADE, primary_key=True, related_name="summary")
    computed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("Reifegrad einer Kommune")
        verbose_name_plural = _("Reifegrade der Kommunen")

    def __str__(self) -> str:
        return f"{self.area_id}: {self.levels_v11}"


class AreaSnapshot(LevelCounts):
    """One Area's summary on one day (the daily history)."""

    day = models.DateField(_("Tag"))
    area = models.ForeignKey(Area, on_delete=models.CASCADE, related_name="snapshots")
    land_code = models.CharField(max_length=2)

    class Meta:
        ordering = ["day", "area"]
        constraints = [models.UniqueConstraint(fields=["day", "area"], name="uniq_maturity_snapshot")]
        indexes = [models.Index(fields=["land_code", "day"], name="maturity_snapshot_land_idx")]
        verbose_name = _("Reifegrad-Tagesstand")
        verbose_name_plural = _("Reifegrad-Tagesstände")

    def __str__(self) -> str:
        return f"{self.day} {self.area_id}"


class RecomputeRun(models.Model):
    """One full recompute: when, how long and how many cells (shown as "Stand" on the pages)."""

    started_at = models.DateTimeField(default=timezone.now)
    finished_at = models.DateTimeField(null=True, blank=True)
    cells = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["-started_at"]

    def __str__(self) -> str:
        return f"{self.started_at:%Y-%m-%d %H:%M} ({self.cells} cells)"


class DeclaredService(models.Model):
    """A service a Kommune offers outside Amtsweg, as the Kommune declares it ("erklärt", never "gemessen")."""

    authority = models.ForeignKey("accounts.Authority", on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("Behörde"))
    service = models.ForeignKey(OzgService, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("OZG-Leistung"))
    url = models.URLField(_("Adresse des Online-Dienstes"), max_length=500)
    declared_on = models.DateField(_("online seit"))
    level_v2 = models.PositiveSmallIntegerField(_("Reifegrad 2.0 (Selbstauskunft)"), null=True, blank=True)
    level_v11 = models.PositiveSmallIntegerField(_("Reifegrad 1.1 (Selbstauskunft)"), null=True, blank=True)
    evidence = models.CharField(_("Nachweis"), max_length=1000, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True,
                                   related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    tenant_path = "authority"
    # The Land follows its Kommunen's self-declarations (it publishes them as "erklärt"); it does not make them.
    tenant_land_access = LandAccess.READ
    objects = TenantQuerySet.as_manager()

    class Meta:
        ordering = ["service__name"]
        constraints = [
            models.UniqueConstraint(fields=["authority", "service"], name="uniq_declared_service"),
            models.CheckConstraint(condition=models.Q(level_v2__lte=7), name="declared_v2_range"),
            models.CheckConstraint(condition=models.Q(level_v11__lte=4), name="declared_v11_range"),
        ]
        verbose_name = _("erklärter Online-Dienst")
        verbose_name_plural = _("erklärte Online-Dienste")

    def __str__(self) -> str:
        return f"{self.authority_id}: {self.service_id} ({self.url})"
