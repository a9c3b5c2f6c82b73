"""The form a Kommune declares a service with that it offers outside Amtsweg ("erklärt", never "gemessen")."""

from __future__ import annotations

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.forms import KernFormMixin
from amtsweg.catalogue.models import OzgService
from amtsweg.core.formfields import AddressField

from .charts import labels_v2, labels_v11
from .models import ServiceRelevance

EVIDENCE_MAX = 1000


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class DeclareForm(KernFormMixin, forms.Form):
    """Service, address, since when, the self-assessed levels and what backs them.

    Only relevant OZG-Leistungen can be declared (the ones the Kommune is measured on); the 1.1 level is
    required because it is the scale the Länder report in, the 2.0 level is optional (stages 4–6 need
    knowledge of the back office that a self-assessment rarely has).
    """

    service = forms.ModelChoiceField(
        label=_("OZG-Leistung"), queryset=OzgService.objects.none(), empty_label=_("– bitte wählen –"),
        error_messages={"required": _("Bitte wählen Sie die OZG-Leistung."),
                        "invalid_choice": _("Bitte wählen Sie eine OZG-Leistung aus der Liste.")})
    url = AddressField(
        label=_("Adresse des Online-Dienstes"), max_length=500, assume_scheme="https",
        help_text=_("Die Seite, auf der Bürgerinnen und Bürger den Dienst starten, z. B. https://…"),
        error_messages={"required": _("Bitte geben Sie die Adresse des Online-Dienstes an."),
                        "invalid": _("Bitte geben Sie eine vollständige Webadresse an, z. B. "
                                     "https://www.beispiel.de/antrag (höchstens 500 Zeichen).")})
    declared_on = forms.DateField(
        label=_("online seit"), widget=DateInput(), input_formats=["%Y-%m-%d", "%d.%m.%Y"],
        error_messages={"required": _("Bitte geben Sie an, seit wann der Dienst online ist."),
                        "invalid": _("Bitte ein Datum angeben, z. B. 01.12.2026.")})
    level_v11 = forms.TypedChoiceField(
        label=_("Reifegrad 1.1 (Selbstauskunft)"), coerce=int,
        error_messages={"required": _("Bitte schätzen Sie den Reifegrad nach Modell 1.1 ein."),
                        "invalid_choice": _("Bitte wählen Sie eine Stufe von 0 bis 4.")})
    level_v2 = forms.TypedChoiceField(
        label=_("Reifegrad 2.0 (Selbstauskunft)"), coerce=int, required=False, empty_value=None,
        error_messages={"invalid_choice": _("Bitte wählen Sie eine Stufe von 0 bis 7.")})
    evidence = forms.CharField(
        label=_("Nachweis"), max_length=EVIDENCE_MAX, widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Worauf die Einschätzung beruht, z. B. Prüfbericht, Link zur Dokumentation "
                    "(höchstens 1000 Zeichen)."),
        error_messages={"required": _("Bitte nennen Sie einen Nachweis für die Einschätzung."),
                        "max_length": _("Der Nachweis darf höchstens 1000 Zeichen lang sein.")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = OzgService.objects.filter(
            pk__in=ServiceRelevance.objects.values("service")).order_by("name")
        self.fields["level_v11"].choices = [("", _("– bitte wählen –"))] + list(enumerate(labels_v11()))
        self.fields["level_v2"].choices = [("", _("– keine Angabe –"))] + list(enumerate(labels_v2()))

    def clean_declared_on(self):
        value = self.cleaned_data["declared_on"]
        if value > timezone.localdate():
            raise forms.ValidationError(_("Das Datum liegt in der Zukunft. Erklären Sie nur Dienste, die "
                                          "schon online sind."))
        return value
