from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PostfachConfig(AppConfig):
    name = "amtsweg.postfach"
    verbose_name = _("Postfach")

    def ready(self) -> None:
        from amtsweg.accounts import navigation
        from amtsweg.casework import case_links, case_parts
        from amtsweg.casework.signals import case_forwarded
        from amtsweg.core import navigation as public_navigation
        from amtsweg.postfach import case_part, status_parts
        from amtsweg.postfach.messages import on_case_forwarded
        from amtsweg.submissions import status_page

        case_forwarded.connect(on_case_forwarded, dispatch_uid="amtsweg.postfach.forwarded")

        public_navigation.register.add("postfach.index", public_navigation.Entry(
            # current under /postfach/ only: the case workers' pages of the namespace are not "Meine Anträge"
            title=_("Meine Anträge"), url_name="postfach:index", path_prefix="/postfach/", order=80))
        navigation.register.add("postfach.templates", navigation.Section(
            title=_("Bescheidvorlagen"), url_name="postfach:templates",
            description=_("Vorlagen für Bescheide je Leistung, mit Platzhaltern aus dem Vorgang"), order=22))
        case_links.register.add("postfach.messages", case_links.CaseLink(
            title=_("Nachrichten und Rückfrage an den Antragsteller"), url_name="postfach:case_messages", order=10))
        case_links.register.add("postfach.notice", case_links.CaseLink(
            title=_("Bescheid erstellen und zustellen"), url_name="postfach:case_notice", order=20))
        case_parts.register.add("postfach", case_parts.CasePart(
            purge=case_part.purge, personal_data=case_part.personal_data, archive_files=case_part.archive_files,
            order=10))
        status_page.register.add("postfach", status_page.Part(
            headline=status_parts.headline, section=status_parts.section, status=status_parts.status_label,
            office=status_parts.office, order=10))
