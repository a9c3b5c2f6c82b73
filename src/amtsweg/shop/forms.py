"""Forms of the shop pages (German labels, validated on the server)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils.translation import gettext_lazy as _


class AcceptAgreementForm(forms.Form):
    agreement_version = forms.IntegerField(widget=forms.HiddenInput)
    accept = forms.BooleanField(
        label=_("Ich habe die Vereinbarung gelesen und nehme sie für meine Behörde an."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie die Vereinbarung annehmen.")},
    )


# Same as the Authority's opening hours (accounts.forms): a week with notes fits easily.
OPENING_HOURS_MAX_LENGTH = 1000


class ConfigureForm(forms.Form):
    office_name = forms.CharField(label=_("Zuständige Stelle"), max_length=200,
                                  error_messages={"required": _("Bitte geben Sie die zuständige Stelle an.")})
    contact_email = forms.EmailField(label=_("Kontakt-E-Mail"),
                                     error_messages={"required": _("Bitte geben Sie eine Kontakt-E-Mail an."),
                                                     "invalid": _("Bitte geben Sie eine gültige E-Mail-Adresse an.")})
    contact_phone = forms.CharField(label=_("Telefon"), max_length=50, required=False)
    # The model field is a TextField; the limit lives here (and in the bulk onboarding).
    opening_hours = forms.CharField(label=_("Öffnungszeiten"), required=False, max_length=OPENING_HOURS_MAX_LENGTH,
                                    widget=forms.Textarea(attrs={"rows": 3}))
    local_fee = forms.DecimalField(label=_("Gebühr vor Ort in Euro (optional)"), required=False, min_value=Decimal("0"),
                                   max_digits=8, decimal_places=2,
                                   error_messages={"invalid": _("Bitte geben Sie einen Betrag wie 12,50 an."),
                                                   "min_value": _("Die Gebühr darf nicht negativ sein."),
                                                   "max_decimal_places": _("Höchstens zwei Nachkommastellen.")})
    destination = forms.ChoiceField(label=_("Zustellpunkt für die Anträge"),
                                    error_messages={"required": _("Bitte wählen Sie einen Zustellpunkt.")})

    def __init__(self, *args, destinations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].choices = [("", _("– bitte wählen –"))] + [(str(d.pk), d.name) for d in destinations]
        self.fields["local_fee"].localize = True


class GoLiveForm(forms.Form):
    live_since = forms.DateField(label=_("Online ab"), widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"required": _("Bitte geben Sie ein Datum an."),
                                                 "invalid": _("Bitte geben Sie ein gültiges Datum an.")})


class EndForm(forms.Form):
    ends_on = forms.DateField(label=_("Beenden zum"), widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"required": _("Bitte geben Sie ein Datum an."),
                                              "invalid": _("Bitte geben Sie ein gültiges Datum an.")})


class OnboardingUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV-Datei"), error_messages={"required": _("Bitte wählen Sie eine Datei.")})


class YearForm(forms.Form):
    jahr = forms.IntegerField(label=_("Jahr"), min_value=2000, max_value=2100)
