"""The OZG catalogue: Themenfelder, Lebenslagen, OZG-Leistungen and LeiKa-Leistungen.

An OZG-Leistung bundles several LeiKa-Leistungen (14-digit Leistungsschlüssel); one LeiKa key can
belong to more than one OZG-Leistung. Imports never delete: vanished keys get `ended_on`.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CatalogueQuerySet(models.QuerySet):
    def current(self):
        return self.filter(ended_on__isnull=True)


class Topic(models.Model):
    """Themenfeld (14 in the OZG-Umsetzungskatalog)."""

    number = models.PositiveIntegerField(_("Nummer"), unique=True)
    name = models.CharField(_("Name"), max_length=200)
    ended_on = models.DateField(null=True, blank=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Themenfeld")
        verbose_name_plural = _("Themenfelder")

    def __str__(self) -> str:
        return self.name


class LifeSituation(models.Model):
    """Lebens- oder Geschäftslage."""

    number = models.PositiveIntegerField(_("Nummer"), unique=True)
    name = models.CharField(_("Name"), max_length=200)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="life_situations")
    ended_on = models.DateField(null=True, blank=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("Lebenslage")
        verbose_name_plural = _("Lebenslagen")

    def __str__(self) -> str:
        return self.name


class OzgService(models.Model):
    """OZG-Leistung, identified by its OZG-ID."""

    ozg_id = models.PositiveIntegerField(_("OZG-ID"), unique=True)
    name = models.CharField(_("Name"), max_length=300)
    name_folded = models.CharField(max_length=300, editable=False, db_index=True)
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="ozg_services")
    life_situation = models.ForeignKey(LifeSituation, on_delete=models.PROTECT, related_name="ozg_services")
    # Folded name and the everyday words pointing at it (`catalogue.fulltext`), indexed by the database.
    search_document = models.TextField(editable=False, blank=True, default="", db_default="")
    ended_on = models.DateField(null=True, blank=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        verbose_name = _("OZG-Leistung")
        verbose_name_plural = _("OZG-Leistungen")

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        from amtsweg.catalogue.fulltext import document_for
        from amtsweg.core.text import fold

        self.name_folded = fold(self.name)
        self.search_document = document_for(self.name, ozg_id=self.ozg_id)
        super().save(*args, **kwargs)


class PublicService(models.Model):
    """LeiKa-Leistung with its 14-digit Leistungsschlüssel.

    Catalogue rows marked "nicht im LeiKa" have no key; they are kept (with `key` empty) because
    they still describe part of an OZG-Leistung, but they can never be routed.
    """

    key = models.CharField(_("Leistungsschlüssel"), max_length=14, blank=True, db_index=True)
    name = models.CharField(_("Name"), max_length=500)
    name_folded = models.CharField(max_length=500, editable=False)
    leika_type = models.CharField(_("LeiKa-Typ"), max_length=20, blank=True)
    legal_basis = models.TextField(_("Rechtsgrundlage"), blank=True)
    law = models.CharField(_("Gesetz"), max_length=500, blank=True)  # longest in the catalogue: 317
    law_short = models.CharField(_("Gesetz (Kurzform)"), max_length=100, blank=True)
    ozg_services = models.ManyToManyField(OzgService, related_name="public_services", blank=True)
    search_document = models.TextField(editable=False, blank=True, default="", db_default="")
    ended_on = models.DateField(null=True, blank=True)

    objects = CatalogueQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["key"], condition=~models.Q(key=""), name="uniq_leika_key_when_present"
            )
        ]
        verbose_name = _("LeiKa-Leistung")
        verbose_name_plural = _("LeiKa-Leistungen")

    def __str__(self) -> str:
        return f"{self.name} ({self.key})" if self.key else self.name

    def save(self, *args, **kwargs):
        from amtsweg.catalogue.fulltext import document_for
        from amtsweg.core.text import fold

        self.name_folded = fold(self.name)
        self.search_document = document_for(self.name, leika_key=self.key)
        super().save(*args, **kwargs)

    @property
    def urn(self) -> str:
        """FIT-Connect service identifier."""
        return f"urn:de:fim:leika:leistung:{self.key}"
