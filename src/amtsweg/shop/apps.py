from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ShopConfig(AppConfig):
    name = "amtsweg.shop"
    verbose_name = _("Shop für Online-Dienste")

    def ready(self) -> None:
        from amtsweg.accounts import navigation
        from amtsweg.catalogue import online_services
        from amtsweg.routing.links import register_online_service_link_provider

        from . import links

        register_online_service_link_provider(links.routing_page_links)
        online_services.register(links.catalogue_page_links)
        navigation.register("shop.kommune", title=_("Shop für Online-Dienste"), url_name="shop:index",
                            description=_("Fertige Online-Dienste übernehmen und freischalten"),
                            allowed=navigation.kommune_admins, order=40)
        navigation.register("shop.land", title=_("Angebote und Rollout"), url_name="shop:land-offers",
                            description=_("Anschlussstand, Erinnerungen, Sammelanschluss und Kostenverteilung"),
                            allowed=navigation.land_operators, order=40)
