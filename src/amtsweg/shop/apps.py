from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "amtsweg.shop"
    verbose_name = _("Shop für Online-Dienste")

    def ready(self) -> None:
        from amtsweg.accounts import navigation
        from amtsweg.catalogue import online_services, service_facts
        from amtsweg.core import tenancy
        from amtsweg.routing import links as routing_links

        from . import links

        routing_links.register.add("shop", links.routing_page_links)
        online_services.register.add("shop", links.catalogue_page_links)
        service_facts.register.add("shop", links.catalogue_facts)
        navigation.register.add("shop.kommune", navigation.Section(
            title=_("Shop für Online-Dienste"), url_name="shop:index",
            description=_("Fertige Online-Dienste übernehmen und freischalten"),
            allowed=tenancy.is_kommune_admin, order=40))
        navigation.register.add("shop.land", navigation.Section(
            title=_("Angebote und Rollout"), url_name="shop:land-offers",
            description=_("Anschlussstand, Erinnerungen, Sammelanschluss und Kostenverteilung"),
            allowed=tenancy.is_land_operator, order=40))
