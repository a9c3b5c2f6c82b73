"""The municipality directory: Länder, Kreise, Gemeindeverbände, Gemeinden and postcodes.

Keys follow Destatis: the 12-digit Amtlicher Regionalschlüssel (ARS) = Land(2) Regierungsbezirk(1)
Kreis(2) Gemeindeverband(4) Gemeinde(3); the 8-digit AGS = ARS[0:5] + ARS[9:12]. Rows are never
deleted by an import: a key that vanished from a newer source file gets `ended_on` set.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RegionQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


class Land(models.Model):
    code = models.CharField(_("Schlüssel"), max_length=2, unique=True)
    name = models.CharField(_("Name"), max_length=100)
    ended_on = models.DateField(_("ungültig seit"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("Land")
        verbose_name_plural = _("Länder")

    def __str__(self) -> str:
        return self.name


class District(models.Model):
    """Kreis or kreisfreie Stadt (first five ARS digits)."""

    code = models.CharField(_("Kreisschlüssel"), max_length=5, unique=True)
    name = models.CharField(_("Name"), max_length=200)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="districts")
    ended_on = models.DateField(_("ungültig seit"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("Kreis")
        verbose_name_plural = _("Kreise")

    def __str__(self) -> str:
        return self.name


class MunicipalAssociation(models.Model):
    """Gemeindeverband (first nine ARS digits); names come from the Destatis extract where it has them."""

    code = models.CharField(_("Verbandsschlüssel"), max_length=9, unique=True)
    name = models.CharField(_("Name"), max_length=200, blank=True)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="associations")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="associations", null=True, blank=True
    )
    ended_on = models.DateField(_("ungültig seit"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["code"]
        verbose_name = _("Gemeindeverband")
        verbose_name_plural = _("Gemeindeverbände")

    def __str__(self) -> str:
        return self.name or self.code


def is_unincorporated_ars(ars: str) -> bool:
    """Whether a 12-digit ARS names a gemeindefreies Gebiet (Destatis: Gemeindeverband 9xxx)."""
    return len(ars) == 12 and ars[5] == "9"


class Municipality(models.Model):
    """Gemeinde (or gemeindefreies Gebiet, or a city district of Berlin/Hamburg/Bremen)."""

    ars = models.CharField(_("Regionalschlüssel (ARS)"), max_length=12, unique=True)
    ags = models.CharField(_("Gemeindeschlüssel (AGS)"), max_length=8, db_index=True, blank=True)
    name = models.CharField(_("Name"), max_length=200)
    name_folded = models.CharField(max_length=200, db_index=True, editable=False)
    note = models.CharField(_("Hinweis"), max_length=200, blank=True)
    is_city_district = models.BooleanField(_("Stadtteil/-bezirk"), default=False)
    land = models.ForeignKey(Land, on_delete=models.PROTECT, related_name="municipalities")
    district = models.ForeignKey(
        District, on_delete=models.PROTECT, related_name="municipalities", null=True, blank=True
    )
    association = models.ForeignKey(
        MunicipalAssociation, on_delete=models.PROTECT, related_name="municipalities", null=True, blank=True
    )
    population = models.PositiveIntegerField(_("Einwohner"), null=True, blank=True)
    population_date = models.DateField(_("Stand Einwohnerzahl"), null=True, blank=True)
    ended_on = models.DateField(_("ungültig seit"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["name", "ars"]
        verbose_name = _("Gemeinde")
        verbose_name_plural = _("Gemeinden")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from amtsweg.core.text import fold

        self.name_folded = fold(self.name)
        super().save(*args, **kwargs)

    @property
    def is_unincorporated(self) -> bool:
        """A gemeindefreies Gebiet (forest, lake, the deutsch-luxemburgisches Hoheitsgebiet): no Gemeinde and no
        inhabitants to serve. Destatis gives them the Gemeindeverband key 9xxx (6th digit of the ARS is 9)."""
        return is_unincorporated_ars(self.ars)


class PostcodeArea(models.Model):
    """One postcode ↔ Gemeinde pair from OpenStreetMap (ODbL 1.0, © OpenStreetMap contributors).

    Kept as its own table, apart from the Destatis data, as the ODbL's share-alike asks. A postcode can
    span several Gemeinden and a Gemeinde several postcodes.
    """

    postcode = models.CharField(_("Postleitzahl"), max_length=5, db_index=True)
    ags = models.CharField(_("AGS"), max_length=8, db_index=True)
    place_name = models.CharField(_("Ort"), max_length=200)
    osm_id = models.BigIntegerField(_("OSM-ID"), null=True, blank=True)
    municipality = models.ForeignKey(
        Municipality, on_delete=models.SET_NULL, related_name="postcode_areas", null=True, blank=True
    )
    ended_on = models.DateField(_("ungültig seit"), null=True, blank=True)

    objects = RegionQuerySet.as_manager()

    class Meta:
        ordering = ["postcode", "place_name"]
        constraints = [models.UniqueConstraint(fields=["postcode", "ags", "place_name"], name="uniq_postcode_area")]
        verbose_name = _("Postleitzahlgebiet")
        verbose_name_plural = _("Postleitzahlgebiete")

    def __str__(self) -> str:
        return f"{self.postcode} {self.place_name}"
