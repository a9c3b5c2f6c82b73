"""Forms of the shop pages (German labels, validated on the server)."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from amtsweg.assistants.engine.validators import Invalid, parse_amount

# A local fee above this is almost certainly a typo (a missing comma: "1250" for 12,50 €); the most
# expensive services a Kommune offers online (e.g. a Waffenbesitzkarte) stay well below it.
LOCAL_FEE_MAX_CENTS = 1_000_00
AMOUNT_MAX_LENGTH = 30  # "1.000,00 €" with spaces fits many times over


class EuroAmountField(forms.CharField):
    """A euro amount typed the German way (12,50 · 1.234,56 · 12 € · 12.50) → cents (int).

    Django's localized DecimalField reads the separators of the *active* language: with an English browser
    "12,50" lost its comma and became 1250 €. This field reads the same formats whatever the language is,
    with the same parser as the citizens' amount fields, and rejects implausible amounts.
    """

    def __init__(self, *, max_cents: int, **kwargs):
        self.max_cents = max_cents
        kwargs.setdefault("max_length", AMOUNT_MAX_LENGTH)  # the input's maxlength, like every text field's
        super().__init__(**kwargs)
        # The text's length is checked in to_python with the amount's own message; the validators see cents.
        self.validators = [v for v in self.validators if not isinstance(v, MaxLengthValidator)]

    def to_python(self, value):
        text = super().to_python(value)
        if text in self.empty_values:
            return None
        if len(text) > self.max_length:
            raise ValidationError(_("Bitte geben Sie einen Betrag in Euro ein, z. B. 12,50."), code="invalid")
        try:
            return parse_amount(text, {"min_cents": 0, "max_cents": self.max_cents})
        except Invalid as exc:
            raise ValidationError(exc.message, code="invalid") from None


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
    local_fee = EuroAmountField(
        label=_("Gebühr in Euro"), required=False, max_cents=LOCAL_FEE_MAX_CENTS,
        help_text=_("Diese Gebühr zahlen die Bürgerinnen und Bürger bei der Online-Beantragung, z. B. 12,50. "
                    "Leer lassen: es gilt die Gebühr des Angebots."))
    destination = forms.ChoiceField(label=_("Zustellpunkt für die Anträge"),
                                    error_messages={"required": _("Bitte wählen Sie einen Zustellpunkt.")})

    def __init__(self, *args, destinations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].choices = [("", _("– bitte wählen –"))] + [(str(d.pk), d.name) for d in destinations]


class GoLiveForm(forms.Form):
    live_since = forms.DateField(label=_("Online ab"), widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"required": _("Bitte geben Sie ein Datum an."),
                                                 "invalid": _("Bitte geben Sie ein gültiges Datum an.")})


class EndForm(forms.Form):
    ends_on = forms.DateField(label=_("Erster Tag ohne Online-Dienst"), widget=forms.DateInput(attrs={"type": "date"}),
                              error_messages={"required": _("Bitte geben Sie ein Datum an."),
                                              "invalid": _("Bitte geben Sie ein gültiges Datum an.")})
    confirm = forms.BooleanField(
        label=_("Ich habe die Folgen gelesen und beende den Online-Dienst für meine Behörde."),
        error_messages={"required": _("Bitte bestätigen Sie, dass Sie den Online-Dienst beenden wollen.")})


class OnboardingUploadForm(forms.Form):
    file = forms.FileField(label=_("CSV-Datei"), error_messages={"required": _("Bitte wählen Sie eine Datei.")})


class YearForm(forms.Form):
    jahr = forms.IntegerField(label=_("Jahr"), min_value=2000, max_value=2100, error_messages={
        "required": _("Bitte geben Sie ein Jahr an, z. B. 2026."),
        "invalid": _("„Jahr“ muss eine Jahreszahl sein, z. B. 2026."),
        "min_value": _("Für Jahre vor %(limit_value)s gibt es keine Kostenverteilung."),
        "max_value": _("Für Jahre nach %(limit_value)s gibt es keine Kostenverteilung.")})
