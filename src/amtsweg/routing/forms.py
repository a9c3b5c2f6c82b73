"""Forms for the staff pages and the citizen page. Key fields never echo a refused private key back."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.models import Authority
from amtsweg.core import netguard
from amtsweg.core.formfields import AddressField
from amtsweg.routing.keys import KeyValidationError, parse_jwk_text, validate_public_jwk
from amtsweg.routing.models import Destination

INPUT = {"class": "kern-form-input__input"}
TEXTAREA = {"class": "kern-form-input__input kern-key-input", "rows": 6, "spellcheck": "false",
            "autocomplete": "off"}
SELECT = {"class": "kern-form-input__select"}


class KernFormMixin:
    """KERN classes and aria-describedby links for hints and errors on every widget."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple):
                continue
            css = widget.attrs.get("class", "")
            if not css:
                widget.attrs["class"] = SELECT["class"] if isinstance(widget, forms.Select) else INPUT["class"]

    def full_clean(self):
        super().full_clean()
        for name, field in self.fields.items():
            described = []
            if field.help_text:
                described.append(f"id_{name}_hint")
            if name in self.errors:
                described.append(f"id_{name}_error")
                field.widget.attrs["aria-invalid"] = "true"
                if "kern-form-input__input" in field.widget.attrs.get("class", ""):
                    field.widget.attrs["class"] += " kern-form-input__input--error"
            if described:
                field.widget.attrs["aria-describedby"] = " ".join(described)


class KeyFieldsMixin:
    """Validate JWK text fields; a private key is refused and wiped from the re-displayed form."""

    key_fields: dict[str, str] = {}

    def _blank(self, name: str) -> None:
        data = self.data.copy()
        data[self.add_prefix(name)] = ""
        self.data = data

    def clean_key(self, name: str, *, required: bool, existing_kids=()) -> dict | None:
        text = self.cleaned_data.get(name, "")
        if not text.strip():
            if required:
                raise forms.ValidationError(_("Bitte den öffentlichen Schlüssel (JWK) einfügen."))
            return None
        try:
            return validate_public_jwk(parse_jwk_text(text), self.key_fields[name], existing_kids=existing_kids)
        except KeyValidationError as exc:
            if exc.is_private_key:
                self._blank(name)
                self.cleaned_data[name] = ""
            raise forms.ValidationError(exc.messages) from None


CHANNEL_HELP = _("Abruf: das Fachverfahren holt Anträge über die Submission-API ab. Callback: Amtsweg meldet neue "
                 "Anträge an eine HTTPS-Adresse (signiert mit HMAC-SHA512). E-Mail: nur ein Hinweis ohne "
                 "personenbezogene Daten.")
# A public RSA-4096 JWK is about 1 KB; with an x5c certificate chain a few KB. Anything far larger is not a
# key, and is refused before it is parsed.
JWK_MAX_LENGTH = 16_000
KEY_HELP = _("Öffentlicher RSA-Schlüssel mit 4096 Bit als JWK (JSON), mit kid, alg RSA-OAEP-256, key_ops "
             "[\"wrapKey\"] und der Zertifikatskette (x5c) aus der Verwaltungs-PKI. Niemals den privaten Schlüssel "
             "einfügen.")
SIG_KEY_HELP = _("Öffentlicher RSA-Schlüssel mit 4096 Bit als JWK, mit kid, alg PS512, key_ops [\"verify\"] und der "
                 "Zertifikatskette (x5c) aus der Verwaltungs-PKI.")


CALLBACK_URL_INVALID = _("Bitte geben Sie eine gültige https-Adresse mit höchstens 200 Zeichen ein, zum Beispiel "
                         "https://fachverfahren.example.de/eingang.")
CALLBACK_URL_MISSING = _("Für die Zustellung per Callback fehlt die Adresse.")


def callback_url_field() -> AddressField:
    # http:// passes the form only for netguard to decide: it allows it solely for local test receivers with
    # private networks opened (development, tests), and refuses it everywhere else with its own message.
    return AddressField(label=_("Callback-Adresse (HTTPS)"), required=False, schemes=("https", "http"),
                        max_length=200, error_messages={"invalid": CALLBACK_URL_INVALID})  # the model field's length


class DestinationForm(KernFormMixin, KeyFieldsMixin, forms.Form):
    key_fields = {"encryption_key": "encryption", "signature_key": "signature"}

    authority = forms.ModelChoiceField(queryset=Authority.objects.none(), label=_("Behörde"))
    name = forms.CharField(label=_("Name des Zustellpunkts"), max_length=200)
    channels = forms.MultipleChoiceField(
        label=_("Zustellwege"), choices=Destination.Channel.choices, widget=forms.CheckboxSelectMultiple,
        help_text=CHANNEL_HELP,
    )
    callback_url = callback_url_field()
    notification_email = forms.EmailField(label=_("E-Mail für Benachrichtigungen"), required=False)
    encryption_key = forms.CharField(label=_("Verschlüsselungsschlüssel (JWK)"), widget=forms.Textarea(TEXTAREA),
                                     max_length=JWK_MAX_LENGTH, help_text=KEY_HELP)
    signature_key = forms.CharField(label=_("Signaturprüfschlüssel (JWK)"), widget=forms.Textarea(TEXTAREA),
                                    max_length=JWK_MAX_LENGTH, required=False, help_text=SIG_KEY_HELP)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Only Authorities the user acts for (a Land operator: the Land's own offices, never a Kommune).
        self.fields["authority"].queryset = Authority.objects.acting_for(user).order_by("name")
        if getattr(user, "authority", None) and not user.is_land_operator:
            self.fields["authority"].initial = user.authority_id

    def clean_encryption_key(self):
        return self.clean_key("encryption_key", required=True)

    def clean_signature_key(self):
        return self.clean_key("signature_key", required=False)

    def clean(self):
        data = super().clean()
        enc, sig = data.get("encryption_key"), data.get("signature_key")
        if enc and sig and enc.get("kid") == sig.get("kid"):
            self.add_error("signature_key", _("Die Schlüssel-ID (kid) ist schon beim Verschlüsselungsschlüssel "
                                              "vergeben."))
        channels = data.get("channels") or []
        url = data.get("callback_url")
        if "callback" in channels and not url and "callback_url" not in self.errors:  # not missing: malformed
            self.add_error("callback_url", CALLBACK_URL_MISSING)
        elif url and (problem := netguard.destination_callback_problem(url)):  # as Destination.clean
            self.add_error("callback_url", problem)
        if "email" in channels and not data.get("notification_email"):
            self.add_error("notification_email", _("Für Benachrichtigungen per E-Mail fehlt die E-Mail-Adresse."))
        return data


class DestinationEditForm(KernFormMixin, forms.ModelForm):
    channels = forms.MultipleChoiceField(
        label=_("Zustellwege"), choices=Destination.Channel.choices, widget=forms.CheckboxSelectMultiple,
        help_text=CHANNEL_HELP,
    )
    callback_url = callback_url_field()

    class Meta:
        model = Destination
        fields = ["name", "channels", "callback_url", "notification_email", "status"]

    def add_error(self, field, error) -> None:
        """One reason for the callback address: `Destination.clean` runs even after the field failed, sees
        the old (empty) address and would add "fehlt die Adresse" under "keine gültige Adresse"."""
        if isinstance(error, forms.ValidationError) and hasattr(error, "error_dict") and "callback_url" in self.errors:
            error = forms.ValidationError({k: v for k, v in error.error_dict.items() if k != "callback_url"})
            if not error.error_dict:
                return
        elif field == "callback_url" and "callback_url" in self.errors:
            return
        super().add_error(field, error)

    def clean(self):
        data = super().clean()
        channels = data.get("channels") or []
        # The callback URL's guard runs in Destination.clean (a ModelForm validates the model too).
        if "callback" in channels and not data.get("callback_url"):
            self.add_error("callback_url", CALLBACK_URL_MISSING)
        if "email" in channels and not data.get("notification_email"):
            self.add_error("notification_email", _("Für Benachrichtigungen per E-Mail fehlt die E-Mail-Adresse."))
        return data


class KeyRotationForm(KernFormMixin, KeyFieldsMixin, forms.Form):
    key_fields = {"jwk": "encryption"}

    purpose = forms.ChoiceField(label=_("Verwendung"), choices=[("encryption", _("Verschlüsselung")),
                                                                 ("signature", _("Signaturprüfung"))])
    jwk = forms.CharField(label=_("Neuer öffentlicher Schlüssel (JWK)"), widget=forms.Textarea(TEXTAREA),
                          max_length=JWK_MAX_LENGTH,
                          help_text=_("Der neue Schlüssel wird sofort aktiv. Der bisherige bleibt während der "
                                      "Übergangsfrist zum Entschlüsseln gültig."))
    grace_days = forms.IntegerField(label=_("Übergangsfrist in Tagen"), min_value=0, max_value=365, initial=30)

    def __init__(self, *args, destination: Destination, **kwargs):
        super().__init__(*args, **kwargs)
        self.destination = destination

    def clean(self):
        data = super().clean()
        purpose = data.get("purpose")
        if purpose in ("encryption", "signature") and "jwk" in data:
            self.key_fields = {"jwk": purpose}
            kids = list(self.destination.keys.values_list("kid", flat=True))
            try:
                data["jwk"] = self.clean_key("jwk", required=True, existing_kids=kids)
            except forms.ValidationError as exc:
                self.add_error("jwk", exc)
        return data


class BulkLoadForm(KernFormMixin, forms.Form):
    file = forms.FileField(label=_("JSON-Datei mit Zustellpunkten"),
                           help_text=_("Eine Liste von Objekten mit authorityId oder authorityArs, name, channels, "
                                       "encryptionKey und optional signingKey, callbackUrl, notificationEmail."))


class ResponsibilityForm(KernFormMixin, forms.Form):
    leika_key = forms.CharField(label=_("Leistungsschlüssel (LeiKa)"), max_length=14, min_length=14,
                                help_text=_("14 Ziffern, zum Beispiel 99102013000000 für die Hundesteuer."))
    area_ars = forms.CharField(label=_("Gebiet (Regionalschlüssel)"), max_length=12,
                               help_text=_("2 Ziffern für das Land, 5 für den Kreis, 9 für den Gemeindeverband, "
                                           "12 für die Gemeinde."))
    destination = forms.ModelChoiceField(queryset=Destination.objects.none(), label=_("Zustellpunkt"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["destination"].queryset = Destination.objects.acting_for(user).select_related("authority")
        self.fields["destination"].label_from_instance = lambda d: f"{d.name} ({d.authority.name})"
        if getattr(user, "authority", None):
            self.fields["area_ars"].initial = user.authority.area_ars


class CsvImportForm(KernFormMixin, forms.Form):
    file = forms.FileField(label=_("CSV-Datei"),
                           help_text=_("Spalten: leika_key, area_ars, destination_id und optional authority_id; "
                                       "Komma oder Semikolon; UTF-8."))


class CheckForm(KernFormMixin, forms.Form):
    leika_key = forms.CharField(label=_("Leistungsschlüssel (LeiKa)"), max_length=14)
    place = forms.CharField(label=_("Ort: Regionalschlüssel, Gemeindeschlüssel, Postleitzahl oder Name"),
                            max_length=100)
