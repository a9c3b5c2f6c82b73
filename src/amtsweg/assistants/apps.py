from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AssistantsConfig(AppConfig):
    name = "amtsweg.assistants"
    verbose_name = _("Antragsassistenten")

    def ready(self) -> None:
        from functools import partial

        from django.core.management import call_command

        from amtsweg.core import scheduling

        scheduling.jobs.add("purge_drafts", scheduling.Job(
            run=partial(call_command, "purge_drafts"), interval=24 * 3600))

        from amtsweg.accounts import navigation
        from amtsweg.assistants import health  # noqa: F401 - registers the draft-key readiness check
        from amtsweg.core import navigation as public_navigation

        public_navigation.register.add("assistants.list", public_navigation.Entry(
            title=_("Online-Anträge"), url_name="assistants:list", namespace="assistants", order=20))

        from amtsweg.catalogue import online_services, service_facts
        from amtsweg.routing import links as routing_links

        from . import catalogue_facts, links, signals

        signals.connect()
        routing_links.register.add("assistants", links.routing_page_links)
        service_facts.register.add("assistants", catalogue_facts.catalogue_facts)
        online_services.register.add("assistants", catalogue_facts.catalogue_links)

        navigation.register.add("assistants.forms", navigation.Section(
            title=_("Formulare"), url_name="assistants:staff_list",
            description=_("Antragsassistenten: Vorschau, Versionen, Import aus FIM"), order=40,
        ))
