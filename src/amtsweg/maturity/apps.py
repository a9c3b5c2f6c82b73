from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MaturityConfig(AppConfig):
    name = "amtsweg.maturity"
    verbose_name = _("Reifegrad")

    def ready(self) -> None:
        # The facts live in earlier apps (shop, routing, casework, postfach); they do not know this app, so the
        # incremental recompute listens to their model signals (README "Architecture": registries and signals).
        from amtsweg.maturity import triggers

        triggers.connect()

        from amtsweg.accounts import navigation
        from amtsweg.core import navigation as public_navigation
        from amtsweg.core import tenancy

        navigation.register.add("maturity.kommune", navigation.Section(
            title=_("Wie digital ist unsere Kommune?"), url_name="maturity:kommune",
            description=_("Reifegrad Ihrer Leistungen, die wichtigsten Lücken und der Vergleich mit ähnlichen "
                          "Kommunen"), allowed=tenancy.is_kommune_member, order=35))
        navigation.register.add("maturity.land", navigation.Section(
            title=_("Reifegrad im Land"), url_name="maturity:land",
            description=_("Verbreitung je Kreis, Entwicklung, wirksamste Angebote; Export als CSV und JSON"),
            allowed=tenancy.is_land_operator, order=45))
        public_navigation.register.add("maturity.open_data", public_navigation.Entry(
            title=_("Reifegrad"), url_name="maturity:public_index", path_prefix="/reifegrad/", order=60))
