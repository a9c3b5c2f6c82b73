"""The operator's legal pages: Impressum, Datenschutzerklärung, Erklärung zur Barrierefreiheit.

Every public page links them in its footer (§ 5 DDG, Art. 13 DSGVO, § 12b BGG with the BITV 2.0). The operator
of an installation is the Land's platform operator (its IT provider); its legal department writes these texts
and changes them without a deployment, so they are rows edited in the Django admin by the platform operator
(superuser), not settings. One row per kind; a kind without a row shows a notice that the text is missing,
never an invented one.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class LegalPage(models.Model):
    """One legal text of the operator, shown at its fixed address and linked from every page."""

    class Kind(models.TextChoices):
        IMPRINT = "impressum", _("Impressum")
        PRIVACY = "datenschutz", _("Datenschutzerklärung")
        ACCESSIBILITY = "barrierefreiheit", _("Erklärung zur Barrierefreiheit")

    kind = models.CharField(_("Art"), max_length=20, choices=Kind.choices, unique=True)
    operator = models.CharField(_("Betreiber"), max_length=200,
                                help_text=_("Name der Stelle, die die Plattform betreibt."))
    body = models.TextField(_("Text"), max_length=50000,
                            help_text=_("Absätze durch eine Leerzeile trennen; HTML wird nicht ausgewertet."))
    contact_address = models.TextField(_("Anschrift"), max_length=500, blank=True)
    contact_email = models.EmailField(_("E-Mail-Adresse für Rückmeldungen"), blank=True)
    contact_phone = models.CharField(_("Telefon"), max_length=40, blank=True)
    updated_on = models.DateField(_("Stand"), auto_now=True)

    class Meta:
        verbose_name = _("Rechtstext")
        verbose_name_plural = _("Rechtstexte")
        ordering = ["kind"]

    def __str__(self) -> str:
        return self.get_kind_display()


class ScheduledJob(models.Model):
    """One periodic job's turn and lease, shared by every host's scheduler (`amtsweg.core.scheduling`): the
    job runs once per cluster, claimed with a conditional UPDATE of this row."""

    name = models.CharField(max_length=100, primary_key=True)
    next_due = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    owner = models.CharField(max_length=100, blank=True, db_default="")  # host:pid of the last claimant
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=200, blank=True, db_default="")

    def __str__(self) -> str:
        return self.name
