from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantsConfig(AppConfig):
    name = "amtsweg.assistants"
    verbose_name = _("Antragsassistenten")

    def ready(self) -> None:
        from amtsweg.accounts import navigation
        from amtsweg.core import navigation as public_navigation

        public_navigation.register.add("assistants.list", public_navigation.Entry(
            title=_("Online-Anträge"), url_name="assistants:list", namespace="assistants", order=20))

        from . import signals

        signals.connect()

        navigation.register.add("assistants.forms", navigation.Section(
            title=_("Formulare"), url_name="assistants:staff_list",
            description=_("Antragsassistenten: Vorschau, Versionen, Import aus FIM"), order=40,
        ))
