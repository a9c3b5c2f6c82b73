"""Shop pages: the Kommune's shop and ordering flow, the Land's operator view. Thin: logic is in services."""

from __future__ import annotations

from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amtsweg.accounts.access import admin_required as kommune_admin_required
from amtsweg.accounts.access import land_operator_required
from amtsweg.accounts.models import Authority
from amtsweg.core import csvexport
from amtsweg.routing.models import Responsibility

from . import documents, onboarding, reports, services
from .forms import AcceptAgreementForm, ConfigureForm, EndForm, GoLiveForm, OnboardingUploadForm, YearForm
from .models import Offer, Reminder, Subscription
from .onboarding import import_onboarding_csv


def _own_subscription(request, pk: int) -> Subscription:
    """404 (not 403) for other tenants' subscriptions: their existence is not revealed."""
    return get_object_or_404(Subscription.objects.visible_to(request.user).select_related("offer", "authority"), pk=pk)


def _destination_create_url(request) -> str | None:
    """The routing app's page to register a destination on the spot (None if routing offers none)."""
    from django.urls import NoReverseMatch, reverse
    from django.utils.http import urlencode

    for name in ("routing:destination-create", "routing:destination_create"):
        try:
            return f"{reverse(name)}?{urlencode({'next': request.path})}"
        except NoReverseMatch:
            continue
    return None


def _destinations(user):
    from amtsweg.routing.models import Destination

    return Destination.objects.visible_to(user).filter(authority=user.authority).order_by("name")


# --- Kommune ----------------------------------------------------------------------------------------
@kommune_admin_required
def shop_index(request):
    entries = services.shop_for(request.user.authority)
    return render(request, "shop/index.html", {"entries": entries, "authority": request.user.authority})


def _own_offer(request, slug: str) -> Offer:
    return get_object_or_404(Offer, slug=slug, land_code=request.user.authority.land_code)


def _cost_context(offer: Offer, authority: Authority) -> dict:
    """The Kommune's expected share and how it follows from the Land's rule, shown before it accepts."""
    estimate = reports.expected_share(offer, authority, timezone.localdate())
    return {"estimate": estimate, "share_rule": documents.share_rule_text(offer),
            "share_explained": documents.share_estimate_text(estimate)}


@kommune_admin_required
def offer_detail(request, slug: str):
    offer = _own_offer(request, slug)
    subscription = (Subscription.objects.visible_to(request.user).filter(offer=offer)
                    .exclude(status=Subscription.Status.ENDED).first())
    return render(request, "shop/offer_detail.html", {
        "offer": offer, "agreement": offer.current_agreement(), "subscription": subscription,
        "services": offer.public_services.prefetch_related("ozg_services").order_by("name"),
        **_cost_context(offer, request.user.authority),
    })


def _pdf_response(content: bytes, filename: str) -> HttpResponse:
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@kommune_admin_required
def offer_agreement_pdf(request, slug: str):
    """The current reuse agreement with this Kommune's names and expected share, to read before accepting."""
    offer = _own_offer(request, slug)
    agreement = offer.current_agreement()
    if agreement is None:
        raise Http404
    today = timezone.localdate()
    estimate = reports.expected_share(offer, request.user.authority, today)
    content = documents.agreement_pdf(offer, agreement, request.user.authority, estimate, day=today)
    return _pdf_response(content, f"nachnutzungsvereinbarung-{offer.slug}-v{agreement.version}.pdf")


@kommune_admin_required
def offer_avv_pdf(request, slug: str):
    """The data-processing agreement (Art. 28 DSGVO) for this offer and Kommune."""
    offer = _own_offer(request, slug)
    content = documents.avv_pdf(offer, offer.current_agreement(), request.user.authority)
    return _pdf_response(content, f"avv-{offer.slug}.pdf")


@kommune_admin_required
def order_accept(request, slug: str):
    offer = get_object_or_404(Offer, slug=slug, land_code=request.user.authority.land_code)
    agreement = offer.current_agreement()
    if agreement is None or not offer.orderable:
        raise Http404
    form = AcceptAgreementForm(request.POST or None, initial={"agreement_version": agreement.version})
    if request.method == "POST" and form.is_valid():
        chosen = offer.agreements.filter(version=form.cleaned_data["agreement_version"]).first()
        if chosen is None or chosen.pk != agreement.pk:
            form.add_error(None, _("Die Vereinbarung wurde inzwischen geändert. Bitte lesen Sie die neue Version."))
        else:
            try:
                sub = services.accept_agreement(offer=offer, agreement=chosen, user=request.user)
            except ValidationError as exc:
                form.add_error(None, exc.messages[0])
            else:
                return redirect("shop:configure", pk=sub.pk)
    return render(request, "shop/order_accept.html", {"offer": offer, "agreement": agreement, "form": form,
                                                      "step": 1, **_cost_context(offer, request.user.authority)})


def _euro_text(cents: int | None) -> str:
    """Cents as the admin would type them again ("12,50"), for the configure form's initial value."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"


@kommune_admin_required
def order_configure(request, pk: int):
    sub = _own_subscription(request, pk)
    destinations = list(_destinations(request.user))
    initial = {"office_name": sub.office_name, "contact_email": sub.contact_email, "contact_phone": sub.contact_phone,
               "opening_hours": sub.opening_hours,
               "local_fee": _euro_text(sub.local_fee_cents),
               "destination": str(sub.destination_id) if sub.destination_id else ""}
    form = ConfigureForm(request.POST or None, initial=initial, destinations=destinations)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        destination = next((d for d in destinations if str(d.pk) == data["destination"]), None)
        try:
            services.configure(sub, user=request.user, office_name=data["office_name"],
                               contact_email=data["contact_email"], contact_phone=data["contact_phone"],
                               opening_hours=data["opening_hours"],
                               local_fee_cents=data["local_fee"], destination=destination)
        except ValidationError as exc:
            form.add_error("destination", exc.messages[0])
        else:
            return redirect("shop:review", pk=sub.pk)
    return render(request, "shop/order_configure.html", {"subscription": sub, "form": form, "step": 2,
                                                         "has_destinations": bool(destinations),
                                                         "create_destination_url": _destination_create_url(request)})


@kommune_admin_required
def order_review(request, pk: int):
    sub = _own_subscription(request, pk)
    form = GoLiveForm(request.POST or None, initial={"live_since": timezone.localdate().isoformat()})
    if request.method == "POST" and form.is_valid():
        try:
            services.go_live(sub, user=request.user, on=form.cleaned_data["live_since"])
        except ValidationError as exc:
            form.add_error(None, exc.messages[0])
        else:
            messages.success(request, _("„%(offer)s“ ist für %(authority)s eingerichtet.")
                             % {"offer": sub.offer.name, "authority": sub.authority.name})
            return redirect("shop:subscriptions")
    return render(request, "shop/order_review.html", {
        "subscription": sub, "form": form, "step": 3,
        "accepted": sub.acceptances.select_related("agreement").first(),
        "agreement_current": services.has_accepted_current_agreement(sub),
    })


@kommune_admin_required
def subscriptions(request):
    subs = Subscription.objects.visible_to(request.user).select_related("offer", "destination")
    return render(request, "shop/subscriptions.html", {"subscriptions": subs, "today": timezone.localdate(),
                                                       "end_form": EndForm()})


@kommune_admin_required
def subscription_end(request, pk: int):
    """Ending a live service: a page of its own that says what ends for whom and from when, with the
    agreement's notice period as the earliest date (issue 16, item 8: it was one click in a table)."""
    sub = _own_subscription(request, pk)
    if sub.status != Subscription.Status.LIVE:
        raise Http404
    earliest = services.earliest_end(sub)
    form = EndForm(request.POST or None, initial={"ends_on": earliest.isoformat()})
    if request.method == "POST" and form.is_valid():
        try:
            services.end_subscription(sub, user=request.user, on=form.cleaned_data["ends_on"])
        except ValidationError as exc:
            form.add_error("ends_on", exc.messages[0])
        else:
            messages.success(request, _("Der Anschluss „%(offer)s“ endet am %(date)s.")
                             % {"offer": sub.offer.name, "date": form.cleaned_data["ends_on"].strftime("%d.%m.%Y")})
            return redirect("shop:subscriptions")
    return render(request, "shop/subscription_end.html", {
        "subscription": sub, "form": form, "earliest": earliest, "notice_months": services.notice_months(sub),
        "services": sub.offer.public_services.order_by("name"), "exception": sub.early_end_allowed_at is not None,
    })


# --- Land ---------------------------------------------------------------------------------------------
def _land_offer(request, slug: str) -> Offer:
    return get_object_or_404(Offer, slug=slug, land_code=request.user.authority.land_code)


def _rollout_lists(offer: Offer):
    today = timezone.localdate()
    subs = {s.authority_id: s for s in Subscription.objects.filter(offer=offer)
            .exclude(status=Subscription.Status.ENDED).select_related("authority")}
    connected, in_progress, missing = [], [], []
    authorities = Authority.objects.filter(land_code=offer.land_code).exclude(kind=Authority.Kind.LAND)
    for authority in authorities.order_by("name"):
        sub = subs.get(authority.pk)
        if sub and sub.is_live_on(today):
            connected.append((authority, sub))
        elif sub:
            in_progress.append((authority, sub))
        else:
            missing.append((authority, None))
    return connected, in_progress, missing


@land_operator_required
def land_offers(request):
    offers = Offer.objects.filter(land_code=request.user.authority.land_code).order_by("name")
    rows = []
    for offer in offers:
        connected, in_progress, missing = _rollout_lists(offer)
        rows.append((offer, len(connected), len(in_progress), len(missing)))
    return render(request, "shop/land_offers.html", {"rows": rows})


@land_operator_required
def land_offer_detail(request, slug: str):
    offer = _land_offer(request, slug)
    connected, in_progress, missing = _rollout_lists(offer)
    today = timezone.localdate()
    by_district = reports.rollout_by_district(offer, today)
    over_time = reports.rollout_over_time(offer, today)
    district_bars, district_height = reports.bar_chart(by_district, relative_to_total=True)
    time_bars, time_height = reports.bar_chart(over_time, relative_to_total=False)
    return render(request, "shop/land_offer_detail.html", {
        "offer": offer, "connected": connected, "in_progress": in_progress, "missing": missing,
        "by_district": by_district, "over_time": over_time,
        "gemeinden_online": sum(r.covered for r in by_district), "gemeinden_total": sum(r.total for r in by_district),
        "unincorporated": reports.unincorporated_count(offer.land_code),
        "district_bars": district_bars, "district_height": district_height,
        "time_bars": time_bars, "time_height": time_height,
    })


@land_operator_required
def land_offer_export(request, slug: str):
    offer = _land_offer(request, slug)
    connected, in_progress, missing = _rollout_lists(offer)
    response = csvexport.response(f"anschluesse-{offer.slug}.csv")
    writer = csvexport.writer(response)  # authority names are typed by the Kommunen: no formulas
    writer.writerow([_("Behörde"), _("ARS"), _("Status"), _("online seit"), _("endet am")])
    for label, rows in ((_("angeschlossen"), connected), (_("in Arbeit"), in_progress), (_("fehlt"), missing)):
        for authority, sub in rows:
            writer.writerow([authority.name, authority.area_ars, label,
                             sub.live_since.isoformat() if sub and sub.live_since else "",
                             sub.ends_on.isoformat() if sub and sub.ends_on else ""])
    return response


@land_operator_required
@require_POST
def land_allow_early_end(request, pk: int):
    """The Land's exception to the notice period for one live subscription of its offers."""
    sub = get_object_or_404(Subscription.objects.visible_to(request.user).select_related("offer", "authority"),
                            pk=pk, offer__land_code=request.user.authority.land_code,
                            status=Subscription.Status.LIVE)
    services.allow_early_end(sub, user=request.user)
    messages.success(request, _("%(authority)s darf „%(offer)s“ vor Ablauf der Kündigungsfrist beenden.")
                     % {"authority": sub.authority.name, "offer": sub.offer.name})
    return redirect("shop:land-offer", slug=sub.offer.slug)


@land_operator_required
@require_POST
def land_offer_remind(request, slug: str):
    offer = _land_offer(request, slug)
    _c, _p, missing = _rollout_lists(offer)
    recent = set(Reminder.objects.filter(offer=offer, sent_at__gte=timezone.now() - timedelta(days=7))
                 .values_list("authority_id", flat=True))
    # Only those responsible for the offer's services (routing), never one that ended its subscription on
    # purpose (issue 16, item 14).
    keys = list(offer.public_services.exclude(key="").values_list("key", flat=True))
    responsible = set(Responsibility.objects.filter(leika_key__in=keys, authority__land_code=offer.land_code)
                      .values_list("authority_id", flat=True))
    ended = set(Subscription.objects.filter(offer=offer, status=Subscription.Status.ENDED)
                .values_list("authority_id", flat=True))
    sent = skipped = not_concerned = 0
    for authority, _sub in missing:
        if authority.pk not in responsible or authority.pk in ended:
            not_concerned += 1
            continue
        if authority.pk in recent or not authority.email:
            skipped += 1
            continue
        send_mail(
            _("Online-Dienst „%(offer)s“ steht für Sie bereit") % {"offer": offer.name},
            _("Guten Tag,\n\nder Online-Dienst „%(offer)s“ kann von %(authority)s im Shop des Landes mit wenigen "
              "Klicks übernommen werden: %(url)s\n\nMit freundlichen Grüßen\nIhr Land-Betrieb")
            % {"offer": offer.name, "authority": authority.name,
               "url": request.build_absolute_uri(f"/verwaltung/shop/{offer.slug}/")},
            None, [authority.email],
        )
        Reminder.objects.create(offer=offer, authority=authority, sent_by=request.user)
        sent += 1
    messages.success(request, _("%(sent)s Erinnerungen versendet, %(skipped)s übersprungen (kürzlich erinnert oder "
                                "ohne E-Mail-Adresse), %(other)s nicht erinnert (für die Leistungen nicht zuständig "
                                "oder Anschluss beendet).")
                     % {"sent": sent, "skipped": skipped, "other": not_concerned})
    return redirect("shop:land-offer", slug=offer.slug)


@land_operator_required
def land_onboarding(request):
    form = OnboardingUploadForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        report = import_onboarding_csv(form.cleaned_data["file"].read(), user=request.user)
        if report.ok:
            messages.success(request, _("%(c)s Anschlüsse angelegt, %(u)s aktualisiert. Die Kommunen nehmen die "
                                        "Vereinbarung selbst an und schalten frei.")
                             % {"c": report.created, "u": report.updated})
            for note in report.notes:
                messages.info(request, note)
            if report.authorities_created:
                messages.info(request, _("Neu angelegte Behörden (noch ohne Konten; legen Sie unter „Behörden im "
                                         "Land“ eine Administration an): %(names)s")
                              % {"names": ", ".join(report.authorities_created)})
            return redirect("shop:land-offers")
    return render(request, "shop/land_onboarding.html", {"form": form, "report": report})


@land_operator_required
def land_onboarding_template(request):
    """The onboarding's columns and one example row, as a file that opens in Excel (BOM, `;`) and reads back."""
    response = csvexport.response("anschluesse-vorlage.csv")
    writer = csvexport.writer(response)
    columns = [*onboarding.REQUIRED_COLUMNS, *onboarding.OPTIONAL_COLUMNS]
    writer.writerow(columns)
    writer.writerow([onboarding.EXAMPLE[column] for column in columns])
    return response


@land_operator_required
def land_costs(request):
    form = YearForm(request.GET if "jahr" in request.GET else {"jahr": timezone.localdate().year})
    if not form.is_valid():
        # "?jahr=abc" or "?jahr=1800" showed the current year as if asked for (issue 16, item 15): say so.
        return render(request, "shop/land_costs.html", {"form": form, "year": None, "lines": [], "totals": [],
                                                        "estimated": False}, status=400)
    year = form.cleaned_data["jahr"]
    lines = reports.cost_report(request.user.authority.land_code, year)
    totals: dict[int, tuple[Offer, int, int]] = {}
    for line in lines:
        offer, s, n = totals.get(line.offer.pk, (line.offer, 0, 0))
        totals[line.offer.pk] = (offer, s + line.share.cents, n + 1)
    fmt = request.GET.get("format")
    if fmt == "csv":
        return csvexport.response(f"kostenverteilung-{year}.csv", reports.cost_report_csv(lines, year))
    if fmt == "pdf":
        land_name = request.user.authority.land.name if request.user.authority.land_id else ""
        response = HttpResponse(reports.cost_report_pdf(lines, year, land_name), content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="kostenverteilung-{year}.pdf"'
        return response
    return render(request, "shop/land_costs.html", {"form": form, "year": year, "lines": lines,
                                                    "totals": totals.values(),
                                                    "estimated": any(x.share.population_estimated for x in lines)})
