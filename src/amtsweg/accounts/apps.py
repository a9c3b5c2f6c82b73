from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "amtsweg.accounts"
    verbose_name = _("Behörden und Konten")

    def ready(self) -> None:
        from amtsweg.accounts import navigation
        from amtsweg.core import tenancy

        navigation.register.add("accounts.own_authority", navigation.Section(
            title=_("Meine Behörde"), url_name="accounts:own_authority",
            description=_("Kontaktdaten, Öffnungszeiten und Konten Ihrer Behörde"),
            allowed=lambda user: user.authority_id is not None, order=10,
        ))
        navigation.register.add("accounts.accounts", navigation.Section(
            title=_("Konten verwalten"), url_name="accounts:account_list",
            description=_("Konten anlegen und deaktivieren, zweiten Faktor zurücksetzen"),
            allowed=tenancy.is_admin_or_operator, order=20,
        ))
        navigation.register.add("accounts.audit_log", navigation.Section(
            title=_("Protokoll"), url_name="accounts:audit_log",
            description=_("Wer wann Zustellpunkte, Schlüssel, API-Zugänge und Konten geändert hat"),
            allowed=tenancy.is_admin_or_operator, order=25,
        ))
        navigation.register.add("accounts.land_authorities", navigation.Section(
            title=_("Behörden im Land"), url_name="accounts:authority_list",
            description=_("Alle Behörden Ihres Landes ansehen und neue anlegen"),
            allowed=tenancy.is_land_operator, order=15,
        ))
        navigation.register.add("accounts.profile", navigation.Section(
            title=_("Mein Konto"), url_name="accounts:profile",
            description=_("Passwort ändern, Authenticator-App einrichten"), order=900,
        ))
