"""Citizen accounts created by a login at an identity provider.

One `CitizenProfile` per (provider, subject): the provider's pseudonymous id of the person is the key,
never the name or e-mail. The profile keeps the prefill data of the last login; the account itself is a
`accounts.User` with role citizen, no Authority and an unusable password (login only through a provider).
Citizen data belongs to no tenant, so staff never see it through `visible_to`.
"""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from amtsweg.identity import levels


class CitizenProfile(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="citizen_profiles")
    provider = models.CharField(_("Identitätsanbieter"), max_length=50)
    subject = models.CharField(_("Kennung beim Anbieter"), max_length=255)
    given_name = models.CharField(_("Vorname"), max_length=150, blank=True)
    family_name = models.CharField(_("Familienname"), max_length=150, blank=True)
    street = models.CharField(_("Straße"), max_length=200, blank=True)
    house_number = models.CharField(_("Hausnummer"), max_length=20, blank=True)
    postcode = models.CharField(_("Postleitzahl"), max_length=10, blank=True)
    city = models.CharField(_("Ort"), max_length=100, blank=True)
    email = models.EmailField(_("E-Mail"), blank=True)
    level = models.CharField(
        _("Vertrauensniveau der letzten Anmeldung"), max_length=20, choices=[(lv, lv) for lv in levels.LEVELS]
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_login_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("Bürgerkonto")
        verbose_name_plural = _("Bürgerkonten")
        constraints = [models.UniqueConstraint(fields=["provider", "subject"], name="citizen_profile_unique_subject")]

    def __str__(self) -> str:
        return f"{self.provider}:{self.pk}"
