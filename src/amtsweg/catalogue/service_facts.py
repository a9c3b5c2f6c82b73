"""Extension point for the Leistung page: what the platform knows about a service, by the citizen's questions.

A citizen asks: what is it, who can apply, what does it cost, which documents are needed, how long does it
take, what is the legal basis, can I do it online or where do I go (issue 16, item 3). The catalogue's own data,
the OZG-Umsetzungskatalog with its LeiKa-Leistungen (`data/reference/ozg-katalog/`), answers only the legal
basis. FIM's Leistungsbeschreibungen (XZuFi), which would answer the rest, were not available to import
(`shared/data/fim/SOURCES.md`: none found under a licence that allows it). So the other answers come from the
apps that run the online services, each for what it really knows: the assistants app from its published form
(what the application is for, which documents it asks for, its fee), the shop from the fee each connected
Kommune configured. A question that nobody answers is shown as such ("Angaben folgen", and where to ask), never
with an invented answer.

A later app registers a provider once, in its `AppConfig.ready()`:

    from amtsweg.catalogue import service_facts
    service_facts.register.add("assistants", facts.catalogue_facts)

A provider takes the OZG-Leistung and the keys of its current LeiKa-Leistungen and returns `Fact`s.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass

from amtsweg.catalogue.models import OzgService
from amtsweg.core.plugins import PluginRegistry

# The questions a provider may answer, in the order the page asks them (legal basis and "where" are the
# catalogue's and routing's own answers and come after these).
WHAT, WHO, COSTS, DOCUMENTS, DURATION = "what", "who", "costs", "documents", "duration"
QUESTIONS = (WHAT, WHO, COSTS, DOCUMENTS, DURATION)


@dataclass(frozen=True)
class Fact:
    """One answer to one question, with who says so (shown to the citizen, so they can judge it)."""

    question: str
    text: str
    items: tuple[str, ...] = ()
    source: str = ""
    keys: tuple[str, ...] = ()  # the LeiKa-Leistungen it is about (named first on the page)

    def __post_init__(self) -> None:
        if self.question not in QUESTIONS:
            raise ValueError(f"unknown question {self.question!r}; one of {', '.join(QUESTIONS)}")


Provider = Callable[[OzgService, list[str]], Iterable[Fact]]

register: PluginRegistry[Provider] = PluginRegistry("service fact provider (catalogue)")


def facts_for(service: OzgService, keys: list[str]) -> dict[str, list[Fact]]:
    """Every registered provider's answers, by question (each question present, possibly with no answer)."""
    answers: dict[str, list[Fact]] = {question: [] for question in QUESTIONS}
    for provider in register.enabled():
        for fact in provider(service, keys) or ():
            answers[fact.question].append(fact)
    return answers
