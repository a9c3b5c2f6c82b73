"""Forms of the staff login and the staff administration (KERN classes, accessible error wiring)."""

from __future__ import annotations

import re

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.access import is_staff_account
from amtsweg.accounts.models import Authority, User
from amtsweg.core import keyformats
from amtsweg.core.formfields import AddressField


class KernFormMixin:
    """Adds KERN classes to widgets and links each input to its hint and error (`aria-describedby`)."""

    def _kern_widgets(self) -> None:
        # Only look at errors once validation ran (`self.errors` would validate too early, in __init__).
        errors = self._errors or {}
        for name, field in self.fields.items():
            widget = field.widget
            if isinstance(widget, forms.Select):
                css = "kern-form-input__select"
            elif isinstance(widget, forms.CheckboxInput):
                css = "kern-form-check__checkbox"
            else:
                css = "kern-form-input__input"
            if name in errors:
                css += f" {css}--error"
            widget.attrs["class"] = css
            described = []
            bound = self[name]
            if field.help_text:
                described.append(f"{bound.auto_id}_hint")
            if name in errors:
                described.append(f"{bound.auto_id}_error")
                widget.attrs["aria-invalid"] = "true"
            if described:
                widget.attrs["aria-describedby"] = " ".join(described)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._kern_widgets()

    def full_clean(self):
        super().full_clean()
        self._kern_widgets()


class StaffLoginForm(KernFormMixin, AuthenticationForm):
    error_messages = {
        "invalid_login": _(
            "Benutzername oder Passwort ist falsch. Bitte achten Sie auf Groß- und Kleinschreibung beim Passwort."
        ),
        "inactive": _("Benutzername oder Passwort ist falsch."),
    }

    def __init__(self, request=None, *args, **kwargs):
        super().__init__(request, *args, **kwargs)
        self.fields["username"].label = _("Benutzername")
        self.fields["password"].label = _("Passwort")
        self.fields["username"].widget.attrs.pop("autofocus", None)

    def confirm_login_allowed(self, user):
        # Citizens sign in through their identity provider, never here; do not reveal that the account exists.
        if not is_staff_account(user):
            raise ValidationError(self.error_messages["invalid_login"], code="invalid_login",
                                  params={"username": self.username_field.verbose_name})


class TokenForm(KernFormMixin, forms.Form):
    otp_token = forms.CharField(
        label=_("Sicherheitscode"),
        help_text=_("Die sechs Ziffern, die Ihre Authenticator-App gerade anzeigt."),
        max_length=12,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "size": 8}),
    )

    def clean_otp_token(self) -> str:
        token = re.sub(r"\s+", "", self.cleaned_data["otp_token"])
        if not re.fullmatch(r"\d{6}", token):
            raise ValidationError(_("Bitte geben Sie genau sechs Ziffern ein."), code="format")
        return token


CONTACT_FIELDS = ["street", "postcode", "city", "phone", "email", "website", "opening_hours"]
# The model field is a TextField (no database limit), so the form sets the limit: a week of opening hours with
# notes fits easily; 240,000 characters once did too, which a public contact page should not show.
OPENING_HOURS_MAX_LENGTH = 1000


class AuthorityContactForm(KernFormMixin, forms.ModelForm):
    opening_hours = forms.CharField(
        label=_("Öffnungszeiten"), required=False, max_length=OPENING_HOURS_MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 4}), help_text=_("Zum Beispiel: Mo–Fr 8–12 Uhr, Do 14–18 Uhr"),
    )

    class Meta:
        model = Authority
        fields = [*CONTACT_FIELDS, "sepa_creditor_id"]
        field_classes = {"website": AddressField}
        error_messages = {"website": {"invalid": _("Bitte geben Sie eine gültige Internetadresse mit https:// "
                                                   "und höchstens 200 Zeichen ein, zum Beispiel "
                                                   "https://www.gemeinde.de/.")}}
        help_texts = {"website": _("Mit https://"),
                      "sepa_creditor_id": _("Für Lastschriften, die Ihre Kasse einzieht (z. B. Hundesteuer); steht "
                                            "im SEPA-Mandat der Online-Anträge. Z. B. DE98ZZZ09999999999.")}

    def clean_sepa_creditor_id(self) -> str:
        value = "".join(self.cleaned_data["sepa_creditor_id"].split()).upper()
        if value and not keyformats.is_sepa_creditor_id(value):
            raise ValidationError(keyformats.SEPA_CREDITOR_ID_MESSAGE, code="sepa_creditor_id")
        return value

    def clean_postcode(self) -> str:
        postcode = self.cleaned_data["postcode"].strip()
        if postcode and not keyformats.is_postcode(postcode):
            raise ValidationError(_("Eine Postleitzahl hat fünf Ziffern."), code="postcode")
        return postcode

    def clean_phone(self) -> str:
        phone = self.cleaned_data["phone"].strip()
        if phone and not re.fullmatch(r"[0-9 +()/\-]{5,50}", phone):
            raise ValidationError(
                _("Bitte nur Ziffern, Leerzeichen und + ( ) / - verwenden, z. B. 0681 905-0."), code="phone"
            )
        return phone


class AuthorityCreateForm(AuthorityContactForm):
    key = forms.CharField(
        label=_("Regionalschlüssel oder Kreisschlüssel"),
        help_text=_("12 Ziffern für eine Gemeinde (z. B. 100410100100), 5 Ziffern für einen Kreis (z. B. 10044)."),
        max_length=14,
    )

    class Meta(AuthorityContactForm.Meta):
        fields = ["key", "name", *CONTACT_FIELDS]


class StaffAccountForm(KernFormMixin, forms.Form):
    username = forms.CharField(
        label=_("Benutzername"), max_length=50,
        help_text=_("Kleinbuchstaben, Ziffern, Punkt, Binde- und Unterstrich, z. B. erika.mustermann"),
    )
    first_name = forms.CharField(label=_("Vorname"), max_length=150)
    last_name = forms.CharField(label=_("Nachname"), max_length=150)
    email = forms.EmailField(label=_("Dienstliche E-Mail-Adresse"), required=False)
    role = forms.ChoiceField(label=_("Rolle"))
    authority = forms.ModelChoiceField(label=_("Behörde"), queryset=Authority.objects.none())

    def __init__(self, *args, authorities, roles, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["authority"].queryset = authorities
        if authorities.count() == 1:
            self.fields["authority"].initial = authorities.first()
            self.fields["authority"].widget = forms.HiddenInput()
        labels = dict(User.Role.choices)
        self.fields["role"].choices = [(role, labels[role]) for role in roles]
        self.fields["role"].initial = User.Role.KOMMUNE_STAFF
        self._kern_widgets()
