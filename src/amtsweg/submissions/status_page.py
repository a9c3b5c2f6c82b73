"""What the applicant's status page says, in plain German, and the parts later apps add to it.

The status page (`/status/<reference>/<signature>/`) is the applicant's page for one application; the signed
link reaches it without an account. Its headline says where the application stands in words a citizen uses
("Ihr Antrag ist beim Bürgerbüro Völklingen eingegangen"), never protocol words (events, tokens, JWE).
Later stages (the back office, the Postfach with messages and notices) know more than the transport's
status; they register here (a `core.plugins.PluginRegistry`), so this app imports none of them:

    from amtsweg.submissions import status_page
    status_page.register.add("postfach", status_page.Part(headline=fn, section=fn, order=10))

`headline(request, submission) -> str | None`: a better sentence than the transport's, or None.
`section(request, submission, signature) -> str | None`: rendered HTML (from a template with autoescape)
shown under the headline, or None. Parts run by `order`; the first headline that answers wins.
`status(submission) -> str | None`: a label that replaces the transport's status ("angenommen") where a later
stage knows better (a forwarded application is "weitergeleitet", not "angenommen"), so the page tells one truth.
`office(submission) -> Authority | None`: the office responsible now, where a later stage moved the application
(a forwarded one is at the authority it was forwarded to, not the one it was sent to), for the page's
"Zuständige Stelle".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _

from amtsweg.core.plugins import PluginRegistry
from amtsweg.submissions.models import Submission


@dataclass(frozen=True)
class Part:
    headline: Callable[[HttpRequest | None, Submission], str | None] | None = None
    section: Callable[[HttpRequest, Submission, str], str | None] | None = None
    status: Callable[[Submission], str | None] | None = None
    office: Callable[[Submission], Any] | None = None
    order: int = 100
    is_test_plugin: bool = False


register: PluginRegistry[Part] = PluginRegistry("status page part")


def parts() -> list[Part]:
    return [part for _key, part in sorted(register.enabled_items(), key=lambda item: (item[1].order, item[0]))]


# Head nouns (last part of the first word) that take "der" in the dative: "bei der Stadt Völklingen".
_FEMININE = ("stadt", "gemeinde", "verwaltung", "behörde", "stelle", "abteilung", "kasse", "kammer", "agentur",
             "direktion", "zentrale", "einrichtung", "region", "kommune")
# ... and those that take "dem" ("beim Bürgerbüro Völklingen", "beim Landkreis Saarlouis").
_MASC_NEUTER = ("amt", "büro", "kreis", "ministerium", "rathaus", "verband", "zentrum", "center", "service",
                "bezirk", "referat", "dezernat", "institut", "präsidium", "gericht", "dienstleistungszentrum")


def article_kind(authority_name: str) -> str:
    """"f" (bei der …), "m" (beim …) or "" when the name's first word gives no safe answer."""
    words = authority_name.split()
    if not words:
        return ""
    head = words[0].split("-")[-1].casefold()
    if head in {"große", "grosse"} and len(words) > 1:  # "Große Kreisstadt …"
        head = words[1].casefold()
    if head.endswith(_FEMININE):
        return "f"
    if head.endswith(_MASC_NEUTER):
        return "m"
    return ""


def default_headline(submission: Submission) -> str:
    """The transport's status as a sentence about the responsible office."""
    name = submission.destination.authority.name
    kind = article_kind(name)
    status = submission.status
    S = Submission.Status
    if status == S.REJECTED:
        return {"f": _("Ihr Antrag wurde von der %(authority)s nicht angenommen."),
                "m": _("Ihr Antrag wurde vom %(authority)s nicht angenommen."),
                }.get(kind, _("Ihr Antrag wurde von der zuständigen Stelle (%(authority)s) nicht angenommen.")) \
            % {"authority": name}
    if status == S.ACCEPTED:
        # "angenommen" would read like "bewilligt": say it is being worked on and nothing is decided yet
        return {"f": _("Ihr Antrag liegt der %(authority)s vollständig vor und wird bearbeitet. Entschieden ist "
                       "darüber noch nicht."),
                "m": _("Ihr Antrag liegt dem %(authority)s vollständig vor und wird bearbeitet. Entschieden ist "
                       "darüber noch nicht."),
                }.get(kind, _("Ihr Antrag liegt der zuständigen Stelle (%(authority)s) vollständig vor und wird "
                              "bearbeitet. Entschieden ist darüber noch nicht.")) % {"authority": name}
    if status == S.DELETED:
        return _("Die Angaben zu Ihrem Antrag wurden nach Ablauf der Aufbewahrungsfrist gelöscht.")
    if status == S.INCOMPLETE:
        return _("Ihr Antrag ist noch nicht vollständig übermittelt.")
    return {"f": _("Ihr Antrag ist bei der %(authority)s eingegangen."),
            "m": _("Ihr Antrag ist beim %(authority)s eingegangen."),
            }.get(kind, _("Ihr Antrag ist bei der zuständigen Stelle (%(authority)s) eingegangen.")) \
        % {"authority": name}


def headline(request: HttpRequest | None, submission: Submission) -> str:
    for part in parts():
        if part.headline is not None and (text := part.headline(request, submission)):
            return text
    return default_headline(submission)


def status_label(submission: Submission) -> str:
    """The status shown beside the headline: the first part that knows better, else the transport's status."""
    for part in parts():
        if part.status is not None and (text := part.status(submission)):
            return text
    S = Submission.Status
    citizen = {S.SUBMITTED: _("eingegangen"), S.ACCEPTED: _("in Bearbeitung"),
               S.REJECTED: _("nicht entgegengenommen")}  # the transport's words ("angenommen") are for staff
    return str(citizen.get(submission.status, submission.get_status_display()))


def office(submission: Submission) -> Any:
    """The responsible office (an Authority) now: the first part that knows better, else the destination's."""
    for part in parts():
        if part.office is not None and (found := part.office(submission)) is not None:
            return found
    return submission.destination.authority


def sections(request: HttpRequest, submission: Submission, signature: str) -> list[SafeString]:
    rendered = []
    for part in parts():
        if part.section is not None and (html := part.section(request, submission, signature)):
            rendered.append(mark_safe(html))  # noqa: S308 - rendered by the part from an autoescaped template
    return rendered
