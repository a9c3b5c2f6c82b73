"""Staff forms: API clients of the Submission API."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from amtsweg.accounts.forms import KernFormMixin
from amtsweg.core import keyformats
from amtsweg.routing.models import Destination


class SubscriberClientForm(KernFormMixin, forms.Form):
    """A Fachverfahren that picks up submissions of the Authority's own destinations."""

    name = forms.CharField(label=_("Bezeichnung des Fachverfahrens"), max_length=200,
                           help_text=_("z. B. „Gewerbe-Fachverfahren, Testsystem“"))
    destinations = forms.ModelMultipleChoiceField(
        label=_("Zustellpunkte"), queryset=Destination.objects.none(),
        help_text=_("Einreichungen dieser Zustellpunkte darf der Zugang abholen (subscribe:destination)."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Destinations of the Authorities the user acts for: a Land operator never gets a Kommune's.
        self.fields["destinations"].queryset = Destination.objects.acting_for(user).select_related("authority")

    def clean_destinations(self):
        destinations = list(self.cleaned_data["destinations"])
        if len({d.authority_id for d in destinations}) > 1:
            raise forms.ValidationError(_("Ein Zugang kann nur Zustellpunkte einer Behörde abholen."))
        return destinations


class SenderClientForm(KernFormMixin, forms.Form):
    """An online service (sender) of the Land, allowed to send into a region (optionally for one service)."""

    name = forms.CharField(label=_("Bezeichnung des Onlinedienstes"), max_length=200)
    region = forms.CharField(
        label=_("Region (Amtlicher Regionalschlüssel)"), max_length=12,
        help_text=_("2 Ziffern für das ganze Land, 5 für einen Kreis, 12 für eine Gemeinde (send:region:DE…)."),
    )
    leika_key = forms.CharField(
        label=_("Nur für die Leistung (Leistungsschlüssel)"), max_length=14, required=False,
        help_text=_("Leer lassen, wenn der Onlinedienst alle Leistungen senden darf."),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        if user.authority_id and not self.is_bound:
            self.initial.setdefault("region", user.authority.land_code)

    def clean_region(self):
        region = self.cleaned_data["region"].strip()
        if not keyformats.is_ars(region):
            raise forms.ValidationError(_("Bitte einen Regionalschlüssel mit 2, 3, 5, 9 oder 12 Ziffern angeben."))
        if not self.user.is_superuser and not region.startswith(self.user.authority.land_code):
            raise forms.ValidationError(_("Die Region muss in Ihrem Land liegen."))
        return region

    def clean_leika_key(self):
        key = self.cleaned_data["leika_key"].strip()
        if key and not keyformats.is_leika_key(key):
            raise forms.ValidationError(_("Ein Leistungsschlüssel hat 14 Ziffern und beginnt mit 99."))
        return key

    def scope(self) -> str:
        scope = f"send:region:DE{self.cleaned_data['region']}"
        if self.cleaned_data["leika_key"]:
            scope += f"+send:service:urn:de:fim:leika:leistung:{self.cleaned_data['leika_key']}"
        return scope
