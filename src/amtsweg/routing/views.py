"""Thin views: the citizen page "Wer ist zuständig?" and the staff pages for destinations and
responsibilities. Tenant data is read only through `visible_to`; rows outside the scope are a 404."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_POST

from amtsweg.catalogue import search
from amtsweg.catalogue.models import PublicService
from amtsweg.core import csvexport, keyformats, parsers
from amtsweg.routing import importer, services
from amtsweg.routing.access import land_operator_required, staff_required
from amtsweg.routing.forms import (
    BulkLoadForm,
    CheckForm,
    CsvImportForm,
    DestinationEditForm,
    DestinationForm,
    KeyRotationForm,
    ResponsibilityForm,
)
from amtsweg.routing.importer import import_responsibilities
from amtsweg.routing.links import online_service_links
from amtsweg.routing.models import Destination, DestinationKey, Responsibility, ResponsibilityChange, area_level
from amtsweg.routing.resolution import area_name, place_kwargs, resolve, responsible_office

SECRET_SESSION_KEY = "routing-callback-secret-{pk}"

# --- Citizen page ----------------------------------------------------------------------------------


def _service_search(query: str) -> list[PublicService]:
    """The catalogue's search (stems, everyday words, typos, relevance), as LeiKa-Leistungen with a key."""
    services_qs = PublicService.objects.current().exclude(key="")
    if keyformats.is_leika_key(query.strip()):
        return list(services_qs.filter(key=query.strip())[:1])
    try:
        hits = search.search_services(query).hits
    except search.QueryError:
        return []
    found: list[PublicService] = []
    for hit in hits:
        matched = [p for p in hit.public_services if p.key]
        if not matched and hit.service is not None:  # found by the OZG name: all its LeiKa-Leistungen
            matched = list(services_qs.filter(ozg_services=hit.service).order_by("name"))
        found += [p for p in matched if p not in found]
        if len(found) >= 25:
            break
    return found[:25]


def who_is_responsible(request: HttpRequest) -> HttpResponse:
    """Wer ist zuständig? Choose a service, enter a place, see the office (and the online service, if live)."""
    query = request.GET.get("leistung", "").strip()[:100]
    key = request.GET.get("key", "").strip()
    place = request.GET.get("ort", "").strip()[:100]
    chosen_ars = request.GET.get("ars", "").strip()
    context: dict = {"query": query, "place": place}
    service = None
    if key:
        service = PublicService.objects.current().filter(key=key).first()
        if service is None:
            context["service_error"] = _("Die gewählte Leistung gibt es nicht. Bitte suchen Sie erneut.")
    context["service"] = service
    if service is None:
        if query:
            context["results"] = _service_search(query)
            if not context["results"]:
                context["service_error"] = _("Keine Leistung gefunden für „%(q)s“. Versuchen Sie einen anderen "
                                             "Begriff, zum Beispiel „Hund“ oder „Melde“.") % {"q": query}
        return render(request, "routing/who_is_responsible.html", context)

    if chosen_ars:
        office = responsible_office(service.key, ars=chosen_ars)
    elif place:
        office = responsible_office(service.key, **place_kwargs(place))
    else:
        return render(request, "routing/who_is_responsible.html", context)
    result = office.resolution
    context["result"] = result
    context["office"] = office
    context["choose_url"] = "?" + urlencode({"key": service.key, "ort": place})
    if result.status == "invalid" or result.reason == "unknown_area":
        context["place_error"] = result.message
    if result.found and result.authority is not None:
        context["level"] = area_level(result.area_ars)
        context["area_name"] = area_name(result.area_ars)
        # "Online beantragen" only where the intake would really accept the application (one truth)
        context["links"] = (online_service_links(service.key, result.authority, result.municipality_ars)
                            if office.online else [])
    return render(request, "routing/who_is_responsible.html", context)


# --- Staff: destinations ---------------------------------------------------------------------------


def _destination(request, pk, *, write: bool = False) -> Destination:
    """A destination in the user's scope (404 otherwise); `write` asks for one the user may change."""
    qs = Destination.objects.editable_by(request.user) if write else Destination.objects.visible_to(request.user)
    return get_object_or_404(qs.select_related("authority"), pk=pk)


@staff_required
def destination_list(request: HttpRequest) -> HttpResponse:
    destinations = Destination.objects.visible_to(request.user).select_related("authority")
    return render(request, "routing/destination_list.html", {"destinations": destinations})


@sensitive_post_parameters("encryption_key", "signature_key")
@staff_required
def destination_create(request: HttpRequest) -> HttpResponse:
    form = DestinationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            created = services.create_destination(
                data["authority"],
                name=data["name"],
                channels=data["channels"],
                encryption_jwk=data["encryption_key"],
                signature_jwk=data["signature_key"],
                callback_url=data["callback_url"],
                notification_email=data["notification_email"],
                actor=request.user,
            )
        except services.RoutingError as exc:
            form.add_error(None, str(exc))
        else:
            request.session[SECRET_SESSION_KEY.format(pk=created.destination.pk)] = created.callback_secret
            messages.success(request, _("Der Zustellpunkt wurde angelegt."))
            return redirect("routing:destination_detail", pk=created.destination.pk)
    return render(request, "routing/destination_form.html", {"form": form, "creating": True})


@staff_required
def destination_detail(request: HttpRequest, pk) -> HttpResponse:
    destination = _destination(request, pk)
    secret = request.session.pop(SECRET_SESSION_KEY.format(pk=destination.pk), None)
    keys = destination.keys.order_by("purpose", "-activated_at")
    responsibilities = Responsibility.objects.visible_to(request.user).filter(destination=destination)
    return render(request, "routing/destination_detail.html", {
        "destination": destination,
        "keys": keys,
        "secret": secret,
        "responsibility_count": responsibilities.count(),
        # Land operators read Kommune destinations but may not change them: controls that would only 404 are
        # not offered (the write views stay the gate; this is about not showing dead ends).
        "can_edit": Destination.objects.editable_by(request.user).filter(pk=destination.pk).exists(),
        "rotation_form": KeyRotationForm(destination=destination),
    })


@staff_required
def destination_edit(request: HttpRequest, pk) -> HttpResponse:
    destination = _destination(request, pk, write=True)
    form = DestinationEditForm(request.POST or None, instance=destination)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_destination(
                Destination.objects.get(pk=destination.pk), actor=request.user,
                **{name: form.cleaned_data[name] for name in form.Meta.fields},
            )
        except services.RoutingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Die Änderungen wurden gespeichert."))
            return redirect("routing:destination_detail", pk=destination.pk)
    return render(request, "routing/destination_form.html", {"form": form, "destination": destination})


@sensitive_post_parameters("jwk")
@staff_required
def destination_key_add(request: HttpRequest, pk) -> HttpResponse:
    destination = _destination(request, pk, write=True)
    form = KeyRotationForm(request.POST or None, destination=destination)
    if request.method == "POST" and form.is_valid():
        try:
            key = services.add_key(destination, form.cleaned_data["jwk"], form.cleaned_data["purpose"],
                                   grace_days=form.cleaned_data["grace_days"], actor=request.user)
        except services.RoutingError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Der Schlüssel %(kid)s ist jetzt aktiv.") % {"kid": key.kid})
            return redirect("routing:destination_detail", pk=destination.pk)
    return render(request, "routing/key_form.html", {"form": form, "destination": destination})


@staff_required
@require_POST
def destination_key_end_grace(request: HttpRequest, pk, key_id: int) -> HttpResponse:
    destination = _destination(request, pk, write=True)
    key = get_object_or_404(DestinationKey.objects.editable_by(request.user), pk=key_id, destination=destination)
    try:
        services.end_grace_period(key, actor=request.user)
    except services.RoutingError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Der Schlüssel %(kid)s wird nicht mehr zum Entschlüsseln angenommen.")
                         % {"kid": key.kid})
    return redirect("routing:destination_detail", pk=destination.pk)


@staff_required
@require_POST
def destination_secret(request: HttpRequest, pk) -> HttpResponse:
    destination = _destination(request, pk, write=True)
    secret = services.regenerate_callback_secret(destination, actor=request.user)
    request.session[SECRET_SESSION_KEY.format(pk=destination.pk)] = secret
    messages.success(request, _("Ein neues Callback-Geheimnis wurde erzeugt; das alte gilt nicht mehr."))
    return redirect("routing:destination_detail", pk=destination.pk)


@land_operator_required
def destination_bulk_load(request: HttpRequest) -> HttpResponse:
    form = BulkLoadForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
            entries = parsers.loads(text)
        except (UnicodeDecodeError, ValueError):
            form.add_error("file", _("Die Datei ist kein gültiges JSON (UTF-8)."))
        else:
            result = services.bulk_load_destinations(entries, actor=request.user, lines=services.entry_lines(text))
            if not result.errors:
                for created in result.created:
                    request.session[SECRET_SESSION_KEY.format(pk=created.destination.pk)] = created.callback_secret
                messages.success(request, _("%(n)s Zustellpunkte wurden angelegt.") % {"n": len(result.created)})
    return render(request, "routing/bulk_load.html", {"form": form, "result": result})


# --- Staff: responsibilities -----------------------------------------------------------------------


@staff_required
def responsibility_list(request: HttpRequest) -> HttpResponse:
    query = request.GET.get("q", "").strip()
    qs = Responsibility.objects.visible_to(request.user).select_related("authority", "destination")
    if query:
        qs = qs.filter(Q(leika_key__startswith=query) | Q(area_ars__startswith=query) |
                       Q(authority__name__icontains=query))
    page = Paginator(qs, 50).get_page(request.GET.get("seite"))
    keys = {r.leika_key for r in page}
    names = dict(PublicService.objects.filter(key__in=keys).values_list("key", "name"))
    rows = [(r, names.get(r.leika_key, ""), area_name(r.area_ars), area_level(r.area_ars)) for r in page]
    changes = ResponsibilityChange.objects.visible_to(request.user).select_related("authority", "user")[:10]
    return render(request, "routing/responsibility_list.html",
                  {"page": page, "rows": rows, "query": query, "changes": changes})


@staff_required
def responsibility_create(request: HttpRequest) -> HttpResponse:
    form = ResponsibilityForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        destination = form.cleaned_data["destination"]
        try:
            services.add_responsibility(form.cleaned_data["leika_key"], form.cleaned_data["area_ars"],
                                        destination.authority, destination, actor=request.user)
        except services.RoutingError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, str(exc))
        else:
            messages.success(request, _("Die Zuständigkeit wurde eingetragen."))
            return redirect("routing:responsibilities")
    return render(request, "routing/responsibility_form.html", {"form": form})


@staff_required
def responsibility_delete(request: HttpRequest, pk: int) -> HttpResponse:
    responsibility = get_object_or_404(Responsibility.objects.editable_by(request.user), pk=pk)
    if request.method == "POST":
        try:
            services.remove_responsibility(responsibility, actor=request.user)
        except services.RoutingError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, _("Die Zuständigkeit wurde gelöscht."))
        return redirect("routing:responsibilities")
    return render(request, "routing/responsibility_delete.html", {
        "responsibility": responsibility, "area_name": area_name(responsibility.area_ars)})


@staff_required
def responsibility_import(request: HttpRequest) -> HttpResponse:
    form = CsvImportForm(request.POST or None, request.FILES or None)
    result = None
    if request.method == "POST" and form.is_valid():
        result = import_responsibilities(form.cleaned_data["file"].read(), actor=request.user)
        if result.ok:
            messages.success(request, _("%(n)s Zuständigkeiten wurden eingetragen.") % {"n": result.created})
            for note in result.notes:
                messages.info(request, note)
            return redirect("routing:responsibilities")
    return render(request, "routing/responsibility_import.html", {"form": form, "result": result})


@staff_required
def responsibility_template(request: HttpRequest) -> HttpResponse:
    """The import's columns and one example row, as a file that opens in Excel (BOM, `;`) and reads back."""
    response = csvexport.response("zustaendigkeiten-vorlage.csv")
    writer = csvexport.writer(response)
    writer.writerow(importer.COLUMNS)
    writer.writerow(importer.EXAMPLE)
    return response


@staff_required
def responsibility_check(request: HttpRequest) -> HttpResponse:
    """Wer bekommt einen Antrag auf X aus Y? — so that staff can test their entries before citizens do."""
    form = CheckForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        result = resolve(form.cleaned_data["leika_key"], **place_kwargs(form.cleaned_data["place"]))
    choose_url = "?" + urlencode({"leika_key": request.GET.get("leika_key", ""), "place": request.GET.get("place", "")})
    return render(request, "routing/responsibility_check.html", {
        "form": form, "result": result, "choose_url": choose_url,
        "level": area_level(result.area_ars) if result and result.found else "",
        "area_name": area_name(result.area_ars) if result and result.found else "",
    })

