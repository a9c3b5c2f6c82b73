"""Public catalogue pages: browse, search and read OZG-Leistungen; find a Gemeinde. No login, no JavaScript."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.db.models import Count, Prefetch, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from amtsweg.catalogue import online_services, search, service_facts
from amtsweg.catalogue.display import legal_references, leika_type_label
from amtsweg.catalogue.models import LifeSituation, OzgService, PublicService, Topic
from amtsweg.geo.models import Municipality

SEARCH_PAGE_SIZE = 20
PART_NAMES_SHOWN = 5  # LeiKa-Leistungen named under "Worum geht es?"; all of them in the details section
PLACES_PAGE_SIZE = 25


def _current_services():
    return OzgService.objects.current().order_by("name")


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    """The catalogue at a glance: counts of current rows, the Themenfelder, the two search boxes."""
    topics = Topic.objects.current().annotate(
        service_count=Count("ozg_services", filter=Q(ozg_services__ended_on__isnull=True))
    )
    return render(
        request,
        "catalogue/home.html",
        {
            "topics": topics,
            "service_count": OzgService.objects.current().count(),
            "topic_count": len(topics),
            "municipality_count": Municipality.objects.current().filter(is_city_district=False).count(),
        },
    )


@require_safe
def topic_detail(request: HttpRequest, number: int) -> HttpResponse:
    """A Themenfeld with its Lebenslagen and, under each, their OZG-Leistungen."""
    topic = get_object_or_404(Topic, number=number)
    services = _current_services().filter(topic=topic)
    life_situations = (
        LifeSituation.objects.current()
        .filter(ozg_services__in=services)
        .distinct()
        .prefetch_related(Prefetch("ozg_services", queryset=services, to_attr="topic_services"))
    )
    return render(request, "catalogue/topic.html", {"topic": topic, "life_situations": life_situations})


@require_safe
def life_situation_detail(request: HttpRequest, number: int) -> HttpResponse:
    life_situation = get_object_or_404(LifeSituation.objects.select_related("topic"), number=number)
    services = _current_services().filter(life_situation=life_situation)
    return render(
        request, "catalogue/life_situation.html", {"life_situation": life_situation, "services": services}
    )


@require_safe
def service_detail(request: HttpRequest, ozg_id: int) -> HttpResponse:
    """An OZG-Leistung answering a citizen's questions in order (what, who, costs, documents, duration, legal
    basis, online or where), then its LeiKa-Leistungen with keys, types and legal bases in a details section."""
    service = get_object_or_404(OzgService.objects.select_related("topic", "life_situation"), ozg_id=ozg_id)
    public_services = [
        {
            "service": p,
            "type_label": leika_type_label(p.leika_type),
            "references": legal_references(p.legal_basis),
        }
        for p in PublicService.objects.current().filter(ozg_services=service).order_by("name")
    ]
    # The citizen's questions first: the legal bases of all its LeiKa-Leistungen once each, and the key the
    # "Wer ist zuständig?" page needs; the keys themselves only in the details section.
    legal_bases, seen = [], set()
    for item in public_services:
        for reference in item["references"]:
            if reference.label not in seen:
                seen.add(reference.label)
                legal_bases.append(reference)
    keys = [item["service"].key for item in public_services if item["service"].key]
    responsible_key = keys[0] if keys else ""
    # The questions in the order a citizen asks them; what no app knows is shown as "Angaben folgen".
    facts = service_facts.facts_for(service, keys)
    # what the answers are about first (the Hundesteuer on the page of the Hundehaltung), then the others
    about = {key for answers in facts.values() for fact in answers for key in fact.keys}
    names = [item["service"].name for item in sorted(public_services,
                                                     key=lambda item: item["service"].key not in about)]
    return render(
        request,
        "catalogue/service.html",
        {
            "service": service,
            "public_services": public_services,
            "legal_bases": legal_bases,
            "responsible_key": responsible_key,
            "online_service_links": online_services.links_for(request, service),
            "facts": facts,
            "who_url": (f"{reverse('routing:who_is_responsible')}?{urlencode({'key': responsible_key})}"
                        if responsible_key else ""),
            "part_names": names[:PART_NAMES_SHOWN],
            "more_parts": max(0, len(names) - PART_NAMES_SHOWN),
        },
    )


def _page(request: HttpRequest, items, size: int):
    return Paginator(items, size, allow_empty_first_page=True).get_page(request.GET.get("seite"))


@require_safe
def service_search(request: HttpRequest) -> HttpResponse:
    """Search OZG- and LeiKa-Leistungen by word; without `q` only the form is shown."""
    context: dict = {"query": request.GET.get("q", ""), "searched": "q" in request.GET}
    if context["searched"]:
        try:
            results = search.search_services(context["query"])
        except search.QueryError as error:
            context["error"] = error.message
        else:
            context["results"] = results
            context["page"] = _page(request, results.hits, SEARCH_PAGE_SIZE)
    return render(request, "catalogue/search.html", context)


@require_safe
def places(request: HttpRequest) -> HttpResponse:
    """Find a Gemeinde by postcode, name or key; a postcode lists every Gemeinde that shares it."""
    context: dict = {"query": request.GET.get("q", ""), "searched": "q" in request.GET}
    if context["searched"]:
        try:
            results = search.find_places(context["query"])
        except search.QueryError as error:
            context["error"] = error.message
        else:
            context["results"] = results
            if results.municipalities is not None:
                context["page"] = _page(request, results.municipalities, PLACES_PAGE_SIZE)
    return render(request, "catalogue/places.html", context)


@require_safe
def municipality_detail(request: HttpRequest, ars: str) -> HttpResponse:
    municipality = get_object_or_404(
        Municipality.objects.select_related("land", "district", "association"), ars=ars
    )
    return render(
        request,
        "catalogue/municipality.html",
        {"municipality": municipality, "postcodes": search.postcodes_of(municipality)},
    )
