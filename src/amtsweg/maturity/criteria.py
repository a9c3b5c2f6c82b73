"""The criteria of the OZG maturity models, evaluated on platform facts — the one place that decides a level.

Sources (read with the project's search tool; the URLs are cited on each criterion):

* Reifegradmodell 1.1 (June 2020, stages 0–4, ten criteria; "the criterion with the lowest stage determines
  the overall rating"; stage 3 is OZG-konform): OZG-Leitfaden, "OZG-Reifegrad-Check"
  (https://leitfaden.ozg-umsetzung.de/pages/worddav/preview.action?fileName=OZG_Reifegrad_Check.xlsx&pageId=4621478)
  and the stage table of https://ozg.brandenburg.de/ozg/de/service/aktuelle-meldungen/detail/~31-05-2023-schon-
  gewusst-das-reifegradmodell-nach-dem-ozg (0 Offline, 1 Information, 2 Formular-Assistent, 3 Online-Leistung:
  "Beantragung einschließlich aller Nachweise online", 4 Online-Transaktion: "vollständig digital, Once-Only").
  Stage 3 also means "Servicekonto … und erhält darüber digitale Bescheide" (https://ozg.sachsen-anhalt.de/
  grundlagen/reifegradmodell). The stored text of the Reifegrad-Check names criteria 1–6 verbatim
  (Leistungsbeschreibung; Antragsprozesse und Kontextintegration; Nutzerkonto; Authentifizierung;
  Bezahlprozess; Nachweise); criteria 7–10 are named here as in the check (Signatur/Schriftform, Übermittlung
  der Antragsdaten, Bescheid/Rückkanal, Once-Only) but their wording was not in the stored excerpt.
* Reifegradmodell 2.0 (since July 2025, stages 0–7, 13 criteria): https://ozg.sachsen-anhalt.de/grundlagen/
  reifegradmodell (Stand 02-2026): stages 0–3 the front end (online application service), 4–6 process
  orientation and data-centricity inside the administration, 7 end-to-end digital; stage 6 needs the basic
  components DeutschlandID, Organisationskonto incl. Postfächer, NOOTS, Statusmonitor, E-Akte, payment and
  HKR systems. The PDF with the 13 criteria's official wording was not among the stored sources: the 13
  criteria below are the published stage descriptions and basic components, one criterion each, named by us.
  Where the PDF words a criterion differently, the PDF wins and this module must follow it.

How a level is computed (both models, as published): every criterion belongs to the stage it first demands;
a criterion that is not met allows at most the stage below its own; the level is the lowest allowance
(`level <= allows` for every criterion: the weakest criterion sets the level). A criterion that cannot be
measured from platform facts is reported as "nicht messbar" with its reason and never guessed: if it is a
condition ("falls erforderlich") it does not count; if it *defines* a stage (once-only for 1.1 stage 4,
NOOTS/HKR/Organisationskonto for 2.0 stages 6–7) the measured level stops below that stage, because a
measurement cannot claim what it did not see.

Facts are a bit set (`Fact`), so the SQL of the full recompute can look levels up in a table built from
these functions (`level_table`) instead of repeating the rules in SQL.
"""

from __future__ import annotations

import enum
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache

from django.utils.translation import gettext_lazy as _

LEITFADEN_CHECK = ("https://leitfaden.ozg-umsetzung.de/pages/worddav/preview.action"
                   "?fileName=OZG_Reifegrad_Check.xlsx&pageId=4621478")
BRANDENBURG_STAGES = ("https://ozg.brandenburg.de/ozg/de/service/aktuelle-meldungen/detail/"
                      "~31-05-2023-schon-gewusst-das-reifegradmodell-nach-dem-ozg")
SACHSEN_ANHALT = "https://ozg.sachsen-anhalt.de/grundlagen/reifegradmodell"
BUND_OZG_ONLINE = ("https://www.digitale-verwaltung.de/Webs/DV/DE/onlinezugangsgesetz/ozg-grundlagen/"
                   "info-reifegradmodell/info-reifegradmodell-node.html")

#: Days an application, acceptance, notice or closed case counts as current evidence.
EVIDENCE_DAYS = 90


class Fact(enum.IntFlag):
    """What the platform knows about one Kommune × service (see `compute` for where each comes from)."""

    RESPONSIBLE = 1  # catalogue entry and a responsibility (who handles it, where): citizens find it
    LIVE = 2  # online as the intake sees it: the responsible destination is deliverable and a form is published
    #           (an available/pilot offer of the Land, or the responsible Authority's own live subscription)
    FORM = 4  # the offer's online form (assistant) is published
    UPLOADS = 8  # the form accepts uploads (evidence can be attached online)
    FEE = 16  # a fee applies (form fee or the Kommune's own fee)
    ONLINE_PAYMENT = 32  # the fee is collected online (the assistant's payment step)
    RECEIVED = 64  # applications received online in the last EVIDENCE_DAYS
    ACCEPTED = 128  # ... and accepted by the receiving system with a signed accept-submission
    NOTICE = 256  # a Bescheid made available electronically (Postfach) in the last EVIDENCE_DAYS
    STATUS = 512  # the applicant sees the processing status (case states or accept/reject on the status page)
    CASEWORK = 1024  # the destination's receiving system is Amtsweg-Sachbearbeitung
    ARCHIVED = 2048  # cases handled and closed digitally in the back office (e-Akte export available)


ALL_FACTS = sum(Fact)


class Status(enum.StrEnum):
    MET = "erfüllt"
    NOT_MET = "nicht erfüllt"
    NOT_MEASURABLE = "nicht messbar"


@dataclass(frozen=True)
class Action:
    """What closes a gap: a label and a URL name with arguments (the view reverses it)."""

    code: str
    label: str
    url_name: str
    args: tuple = ()

    def as_dict(self) -> dict:
        return {"code": self.code, "label": str(self.label), "url_name": self.url_name, "args": list(self.args),
                "kwargs": {}}


TAKE_OVER_OFFER = Action("take_over_offer", _("Online-Dienst im Shop übernehmen"), "shop:index")
ADD_RESPONSIBILITY = Action("add_responsibility", _("Zuständigkeit eintragen"), "routing:responsibility_create")
CONNECT_CASEWORK = Action("connect_casework", _("Amtsweg-Sachbearbeitung als Empfangssystem einschalten"),
                          "casework:receiving")
NOTICE_TEMPLATE = Action("notice_template", _("Bescheidvorlage anlegen und Bescheide über das Postfach zustellen"),
                         "postfach:templates")
CONFIGURE_FEE = Action("configure_fee", _("Gebühr im Online-Dienst einrichten (Online-Bezahlung)"),
                       "shop:subscriptions")
TAKE_OVER_OWN = Action("take_over_own", _("Leistung selbst übernehmen (Online-Dienst im Shop)"), "shop:index")
OPEN_INBOX = Action("open_inbox", _("Anträge in der Sachbearbeitung bearbeiten und abschließen"), "casework:inbox")


@dataclass(frozen=True)
class Criterion:
    """One criterion of one model. `test(facts)` answers True (met), False (not met) or None (nicht messbar)."""

    code: str
    model: str  # "2.0" or "1.1"
    stage: int  # the stage that first demands it
    name: str
    source: str
    test: Callable[[int], bool | None]
    not_met: str = ""  # why, when not met ("Bescheid wird nicht elektronisch zugestellt")
    unmeasurable: str = ""  # why it cannot be measured, when test answers None
    defines_stage: bool = False  # not measurable → the measured level stops below `stage`
    action: Callable[[int], Action | None] = lambda facts: None


@dataclass(frozen=True)
class Verdict:
    criterion: Criterion
    status: Status
    allows: int | None  # highest stage this criterion allows; None: nicht messbar

    @property
    def reason(self) -> str:
        if self.status is Status.NOT_MET:
            return str(_("Stufe %(stage)s: %(why)s") % {"stage": self.allows, "why": self.criterion.not_met})
        if self.status is Status.NOT_MEASURABLE:
            return str(_("%(name)s: nicht messbar – %(why)s") % {"name": self.criterion.name,
                                                                   "why": self.criterion.unmeasurable})
        return ""

    def as_dict(self) -> dict:
        c = self.criterion
        return {"code": c.code, "name": str(c.name), "stage": c.stage, "status": str(self.status),
                "reason": self.reason, "source": c.source}


def _has(*facts: Fact) -> Callable[[int], bool]:
    wanted = 0
    for fact in facts:
        wanted |= fact
    return lambda bits: bits & wanted == wanted


def _payment_ok(bits: int) -> bool:
    """Bezahlprozess "falls erforderlich": met when no fee applies or the fee is paid online."""
    return not bits & Fact.FEE or bool(bits & Fact.ONLINE_PAYMENT)


def _online_or_offer(bits: int) -> Action | None:
    return TAKE_OVER_OFFER if not bits & Fact.FORM else None


def _receiving_action(bits: int) -> Action | None:
    if not bits & Fact.FORM:
        return TAKE_OVER_OFFER
    return CONNECT_CASEWORK if not bits & Fact.CASEWORK else OPEN_INBOX


def _notice_action(bits: int) -> Action | None:
    return NOTICE_TEMPLATE if bits & Fact.CASEWORK else CONNECT_CASEWORK


def _never(bits: int) -> None:
    return None


def _evidence(bits: int) -> bool | None:
    """Nachweise "falls erforderlich": the form is built from the FIM Stammdatenschema, which carries the evidence a
    service requires as upload fields; a live form therefore either takes the evidence online or asks for none.
    Without a form nothing can be attached (and criterion 2 already holds the level down)."""
    return bool(bits & Fact.FORM)


V11: tuple[Criterion, ...] = (
    Criterion("v11.1", "1.1", 1, _("Leistungsbeschreibung"), LEITFADEN_CHECK, _has(Fact.RESPONSIBLE),
              not_met=_("keine Zuständigkeit eingetragen – niemand findet Informationen zur Leistung vor Ort"),
              action=lambda bits: ADD_RESPONSIBILITY),
    Criterion("v11.2", "1.1", 2, _("Antragsprozesse und Kontextintegration"), LEITFADEN_CHECK,
              _has(Fact.LIVE, Fact.FORM), not_met=_("kein Online-Antrag verfügbar"), action=_online_or_offer),
    Criterion("v11.3", "1.1", 3, _("Nutzerkonto"), LEITFADEN_CHECK, _has(Fact.FORM),
              not_met=_("kein Online-Antrag, also kein Nutzerkonto"), action=_online_or_offer),
    Criterion("v11.4", "1.1", 3, _("Authentifizierung"), LEITFADEN_CHECK, _has(Fact.FORM),
              not_met=_("keine Online-Authentifizierung ohne Online-Antrag"), action=_online_or_offer),
    Criterion("v11.5", "1.1", 3, _("Bezahlprozess"), LEITFADEN_CHECK, _payment_ok,
              not_met=_("die Gebühr kann nicht online bezahlt werden"), action=lambda bits: CONFIGURE_FEE),
    Criterion("v11.6", "1.1", 3, _("Nachweise"), LEITFADEN_CHECK, _evidence,
              not_met=_("Nachweise können nicht online beigefügt werden"), action=_online_or_offer),
    Criterion("v11.7", "1.1", 3, _("Signatur (Schriftformerfordernis)"), LEITFADEN_CHECK, _never,
              unmeasurable=_("ob das Fachrecht die Schriftform verlangt, steht nicht im Katalog")),
    Criterion("v11.8", "1.1", 3, _("Übermittlung der Antragsdaten"), LEITFADEN_CHECK,
              _has(Fact.RECEIVED, Fact.ACCEPTED),
              not_met=_("in den letzten 90 Tagen ist kein Online-Antrag eingegangen und angenommen worden"),
              action=_receiving_action),
    Criterion("v11.9", "1.1", 3, _("Bescheid (Rückkanal)"), SACHSEN_ANHALT, _has(Fact.NOTICE),
              not_met=_("Bescheid wird nicht elektronisch zugestellt"), action=_notice_action),
    Criterion("v11.10", "1.1", 4, _("Once-Only"), BRANDENBURG_STAGES, _never, defines_stage=True,
              unmeasurable=_("ob Nachweise aus Registern abgerufen werden (Once-Only), sieht die Plattform nicht")),
)

V2: tuple[Criterion, ...] = (
    Criterion("v2.1", "2.0", 1, _("Information zur Leistung"), SACHSEN_ANHALT, _has(Fact.RESPONSIBLE),
              not_met=_("keine Zuständigkeit eingetragen – niemand findet Informationen zur Leistung vor Ort"),
              action=lambda bits: ADD_RESPONSIBILITY),
    Criterion("v2.2", "2.0", 2, _("Online-Antragsdienst verfügbar"), SACHSEN_ANHALT, _has(Fact.LIVE, Fact.FORM),
              not_met=_("kein Online-Antrag verfügbar"), action=_online_or_offer),
    Criterion("v2.3", "2.0", 3, _("Nutzerkonto (DeutschlandID)"), SACHSEN_ANHALT, _has(Fact.FORM),
              not_met=_("kein Online-Antrag, also keine Anmeldung mit Nutzerkonto"), action=_online_or_offer),
    Criterion("v2.4", "2.0", 3, _("Nachweise online"), SACHSEN_ANHALT, _evidence,
              not_met=_("Nachweise können nicht online beigefügt werden"), action=_online_or_offer),
    Criterion("v2.5", "2.0", 3, _("Online-Bezahlung"), SACHSEN_ANHALT, _payment_ok,
              not_met=_("die Gebühr kann nicht online bezahlt werden"), action=lambda bits: CONFIGURE_FEE),
    Criterion("v2.6", "2.0", 3, _("Elektronische Antragstellung"), SACHSEN_ANHALT, _has(Fact.RECEIVED),
              not_met=_("in den letzten 90 Tagen ist kein Online-Antrag eingegangen"), action=_receiving_action),
    Criterion("v2.7", "2.0", 4, _("Medienbruchfreie Übernahme ins Fachverfahren"), SACHSEN_ANHALT,
              _has(Fact.RECEIVED, Fact.ACCEPTED),
              not_met=_("Anträge werden nicht vom Empfangssystem übernommen und signiert angenommen"),
              action=_receiving_action),
    Criterion("v2.8", "2.0", 5, _("Statusmonitor"), SACHSEN_ANHALT, _has(Fact.STATUS),
              not_met=_("Antragstellende sehen den Bearbeitungsstand nicht"), action=_receiving_action),
    Criterion("v2.9", "2.0", 5, _("Bescheid über das Postfach"), SACHSEN_ANHALT, _has(Fact.NOTICE),
              not_met=_("Bescheid wird nicht elektronisch zugestellt"), action=_notice_action),
    Criterion("v2.10", "2.0", 6, _("E-Akte"), SACHSEN_ANHALT, _has(Fact.ARCHIVED),
              not_met=_("Vorgänge werden nicht digital abgeschlossen und abgelegt"),
              action=lambda bits: OPEN_INBOX if bits & Fact.CASEWORK else CONNECT_CASEWORK),
    Criterion("v2.11", "2.0", 6, _("Nachweisabruf über NOOTS (Once-Only)"), SACHSEN_ANHALT, _never,
              defines_stage=True,
              unmeasurable=_("ob Nachweise über NOOTS aus Registern abgerufen werden, sieht die Plattform nicht")),
    Criterion("v2.12", "2.0", 6, _("Zahlungs- und HKR-Anbindung"), SACHSEN_ANHALT, _never, defines_stage=True,
              unmeasurable=_("ob Zahlungen automatisch im Haushaltssystem (HKR) verbucht werden, sieht die "
                             "Plattform nicht")),
    Criterion("v2.13", "2.0", 7, _("Ende-zu-Ende-Digitalisierung (Organisationskonto)"), SACHSEN_ANHALT, _never,
              defines_stage=True,
              unmeasurable=_("Organisationskonto und durchgängige Ende-zu-Ende-Abwicklung sind keine "
                             "Plattformfakten")),
)

TOP = {"2.0": 7, "1.1": 4}
MODELS = {"2.0": V2, "1.1": V11}


def verdicts(model: str, facts: int) -> list[Verdict]:
    """Every criterion of `model` ("2.0" or "1.1") judged on `facts`."""
    top = TOP[model]
    result = []
    for criterion in MODELS[model]:
        answer = criterion.test(facts)
        if answer is None:
            result.append(Verdict(criterion, Status.NOT_MEASURABLE, None))
        elif answer:
            result.append(Verdict(criterion, Status.MET, top))
        else:
            result.append(Verdict(criterion, Status.NOT_MET, criterion.stage - 1))
    return result


def level_from(model: str, judged: list[Verdict]) -> int:
    """The weakest criterion sets the level; a stage defined by an unmeasurable criterion is never claimed."""
    level = TOP[model]
    for verdict in judged:
        if verdict.allows is not None:
            level = min(level, verdict.allows)
        elif verdict.criterion.defines_stage:
            level = min(level, verdict.criterion.stage - 1)
    return level


@cache
def level(model: str, facts: int) -> int:
    return level_from(model, verdicts(model, facts))


def levels(facts: int) -> tuple[int, int]:
    """(Reifegrad 2.0, Reifegrad 1.1) of a fact set."""
    return level("2.0", facts), level("1.1", facts)


@cache
def level_table() -> tuple[tuple[int, int, int], ...]:
    """(facts, level 2.0, level 1.1) for every fact set: the lookup table the set-based recompute joins."""
    return tuple((facts, *levels(facts)) for facts in range(ALL_FACTS + 1))


def reasons(model: str, facts: int) -> list[str]:
    """Why the cell is not higher: the not-met criteria at the level's stage, then what was not measurable."""
    judged = verdicts(model, facts)
    current = level_from(model, judged)
    blocking = [v.reason for v in judged if v.status is Status.NOT_MET and v.allows == current]
    unmeasurable = [v.reason for v in judged if v.status is Status.NOT_MEASURABLE]
    return blocking + unmeasurable


def next_action(facts: int, *, served_by_other: bool = False) -> Action | None:
    """The action that closes the gap blocking the 1.1 level (then the 2.0 level) first.

    `served_by_other`: another office (the Land's or the Kreis's, through its wider responsibility) serves the
    Kommune's citizens. Its receiving system, notices and fees are that office's, not the Kommune's; what the
    Kommune itself can do about any gap is take the service over (shop)."""
    for model in ("1.1", "2.0"):
        judged = verdicts(model, facts)
        current = level_from(model, judged)
        for verdict in judged:
            if verdict.status is Status.NOT_MET and verdict.allows == current:
                action = verdict.criterion.action(facts)
                if action is not None:
                    return TAKE_OVER_OWN if served_by_other else action
    return None


def fact_codes(facts: int) -> list[str]:
    return [fact.name.lower() for fact in Fact if facts & fact]


def catalogue() -> dict[str, list[dict]]:
    """Every criterion with its stage, source and whether the platform can measure it (methodology page)."""
    out: dict[str, list[dict]] = {}
    for model, criteria in MODELS.items():
        out[model] = [{
            "code": c.code, "name": str(c.name), "stage": c.stage, "source": c.source,
            "measurable": c.test(ALL_FACTS) is not None,
            "not_measurable_because": str(c.unmeasurable) if c.test(ALL_FACTS) is None else "",
            "defines_stage": c.defines_stage,
        } for c in criteria]
    return out
