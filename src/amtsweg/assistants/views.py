"""The citizen assistant: start, place, one step at a time, summary, payment, receipt, drafts.

Thin views over `services`, `engine` and `presentation`. Everything works without JavaScript; the small
script in static/assistants only focuses the error summary and toggles conditional fields.
"""

from __future__ import annotations

import logging
from functools import wraps
from typing import Any
from urllib.parse import urlencode, urljoin

from django.conf import settings
from django.contrib import messages
from django.core.mail import send_mail
from django.http import Http404, HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from amtsweg.core import keyformats
from amtsweg.core.ratelimit import mail_allowed
from amtsweg.geo.models import Municipality

from . import integrations, services
from .definition import text
from .engine import remove_entry, validate_step, visible_steps
from .engine.display import summary_sections
from .engine.step import PendingUpload
from .engine.validators import Invalid, format_cents, parse_email, parse_postcode
from .models import Draft, FormDefinition, FormVersion, Receipt
from .presentation import StepView

log = logging.getLogger(__name__)
SESSION_DRAFTS = "assistants_drafts"
SESSION_RECEIPTS = "assistants_receipts"
FAILED_PAYMENT = {"declined", "abandoned", "failed"}


def _lang() -> str:
    return (get_language() or "de")[:2]


def _grant(request: HttpRequest, key: str, value: str) -> None:
    items = list(request.session.get(key, []))
    if value not in items:
        items.append(value)
        request.session[key] = items[-20:]


def _identity(request: HttpRequest) -> Any | None:
    return integrations.citizen_identity(request)


def _login_gate(request: HttpRequest, form: FormDefinition) -> HttpResponse | None:
    """Forms with a minimum level (or without anonymous use) need a matching login first."""
    if not form.requires_login:
        return None
    identity = _identity(request)
    if identity is not None and integrations.level_satisfies(identity.level, form.min_auth_level):
        return None
    return redirect("assistants:start", slug=form.slug)


class AlreadySent(Exception):  # noqa: N818 - a state, not an error
    """The draft behind this URL was submitted (and deleted) in this browser session: `sent_guard` answers
    with a page that says so and links the receipt, instead of a 404 (Back after submitting, issue 16)."""

    def __init__(self, receipt: Receipt):
        super().__init__(receipt.reference)
        self.receipt = receipt


def sent_guard(view):
    """For every view of a draft's pages: an `AlreadySent` becomes the "already sent" page, and so does a
    `services.DraftGone` (the draft submitted while this request saved it) when the session sent it."""
    @wraps(view)
    def guarded(request: HttpRequest, *args, **kwargs) -> HttpResponse:
        try:
            try:
                return view(request, *args, **kwargs)
            except services.DraftGone:
                # Submitted (or purged) while this request ran: answer as the next request will, the
                # "already sent" page or "Diesen Antragsentwurf gibt es nicht (mehr)".
                _draft(request, kwargs["slug"], kwargs["draft_id"])
                raise Http404(_("Diesen Antragsentwurf gibt es nicht (mehr).")) from None
        except AlreadySent as sent:
            _grant(request, SESSION_RECEIPTS, str(sent.receipt.id))
            return render(request, "assistants/already_sent.html", {
                "receipt": sent.receipt, "form": sent.receipt.version.form,
                "title": sent.receipt.version.spec.title(_lang())})
    return guarded


def _draft(request: HttpRequest, slug: str, draft_id) -> Draft:
    # By primary key with `get()`, which leaves out the model's default sort (`-updated_at`): at most one row
    # anyway, and building that ORDER BY was about a fifth of the CPU of this lookup that every page of the
    # form makes (issue 18, benchmarks/application_cost.py)
    try:
        draft = Draft.objects.select_related("version__form").get(
            pk=draft_id, version__form__slug=slug, expires_at__gt=timezone.now())
    except Draft.DoesNotExist:
        draft = None
    if draft is None:
        receipt = Receipt.objects.select_related("version__form").filter(
            draft_key=draft_id, version__form__slug=slug).first()
        if receipt is not None and (str(draft_id) in request.session.get(SESSION_DRAFTS, [])
                                    or str(receipt.id) in request.session.get(SESSION_RECEIPTS, [])):
            raise AlreadySent(receipt)
        raise Http404(_("Diesen Antragsentwurf gibt es nicht (mehr)."))
    owner = integrations.owner_key(_identity(request))
    if str(draft.id) not in request.session.get(SESSION_DRAFTS, []) and not (owner and owner == draft.owner_key):
        raise Http404(_("Diesen Antragsentwurf gibt es nicht (mehr)."))
    return draft


def _step_ids(draft: Draft, state: services.DraftState) -> list[str]:
    return ["place"] + [s["id"] for s in visible_steps(draft.version.spec, state.answers)]


def _step_url(draft: Draft, step_id: str | None) -> str:
    slug = draft.version.form.slug
    if step_id is None:
        return reverse("assistants:summary", args=[slug, draft.id])
    if step_id == "place":
        return reverse("assistants:place", args=[slug, draft.id])
    return reverse("assistants:step", args=[slug, draft.id, step_id])


def _progress(draft: Draft, state: services.DraftState, step_id: str | None) -> dict:
    """Step n of N, N = place + the form steps that apply + the summary (`step_id` None): the same
    steps the start page lists, so the count never jumps between the last form step and the summary."""
    ids = _step_ids(draft, state)
    count = len(ids) + 1
    if step_id is None:
        return {"step_number": count, "step_count": count}
    return {"step_number": ids.index(step_id) + 1 if step_id in ids else 1, "step_count": count}


def _prefill(request: HttpRequest, spec) -> dict[str, Any]:
    identity = _identity(request)
    if identity is None:
        return {}
    sources = {
        "identity.given_name": identity.given_name, "identity.family_name": identity.family_name,
        "identity.full_name": f"{identity.given_name} {identity.family_name}".strip(),
        "identity.email": identity.email, "identity.postcode": identity.postcode, "identity.city": identity.city,
        "identity.birth_date": getattr(identity, "birth_date", ""),  # ISO date, only when the eID sent a full one
        "identity.address": {"street": identity.street, "house_number": identity.house_number,
                             "postcode": identity.postcode, "place": identity.city} if identity.street else None,
    }
    return {fid: sources.get(ref.field.get("prefill")) for fid, ref in spec.fields.items()
            if ref.field.get("prefill") and sources.get(ref.field.get("prefill"))}


# --- Start ------------------------------------------------------------------------------------------
def form_list(request: HttpRequest) -> HttpResponse:
    forms = [f for f in FormDefinition.objects.all() if f.published_version()]
    return render(request, "assistants/list.html", {"forms": forms})


@require_http_methods(["GET", "POST"])
def start(request: HttpRequest, slug: str) -> HttpResponse:
    version = FormVersion.objects.latest_published(slug)
    if version is None:
        get_object_or_404(FormDefinition, slug=slug)
        raise Http404(_("Dieses Formular ist nicht veröffentlicht."))
    form = version.form
    identity = _identity(request)
    login_needed = form.requires_login and not (
        identity is not None and integrations.level_satisfies(identity.level, form.min_auth_level))
    # "Wer ist zuständig?" links here with the citizen's place: it goes on to the place step, and through a
    # login and back (issue 16), so the citizen is not asked for it again
    ars = request.GET.get("ars", "").strip()
    query = f"?{urlencode({'ars': ars})}" if keyformats.is_municipality_ars(ars) else ""
    if request.method == "POST" and not login_needed:
        draft = services.create_draft(version, owner_key=integrations.owner_key(identity))
        _grant(request, SESSION_DRAFTS, str(draft.id))
        return redirect(_step_url(draft, "place") + query)
    # with the place known, the fee its office charges (the Kommune's own where it set one), as the form will
    fee = integrations.fee_cents(form, ars if query else None)
    own_drafts = []
    owner = integrations.owner_key(identity)
    if owner:
        own_drafts = list(Draft.objects.filter(owner_key=owner, version__form=form, expires_at__gt=timezone.now()))
    return render(request, "assistants/start.html", {
        "form": form, "version": version, "title": version.spec.title(_lang()),
        "description": text(version.definition.get("description"), _lang()),
        "fee": format_cents(fee) if fee else None,
        "login_needed": login_needed, "identity": identity,
        "login_url": (integrations.login_url(request, request.path + query, form.min_auth_level)
                      if login_needed else None),
        # A service that can be done without login still offers it (prefilled answers, drafts in the account).
        "login_offer_url": (integrations.login_url(request, request.path + query)
                            if identity is None and not login_needed else None),
        "own_drafts": own_drafts,
        "steps": [{"title": text(s["title"], _lang()), "conditional": bool(s.get("visible_if"))}
                  for s in version.spec.steps],
    })


def resume(request: HttpRequest, token: str) -> HttpResponse:
    draft = services.draft_from_token(token)
    if draft is None:
        return render(request, "assistants/resume_invalid.html", status=404)
    _grant(request, SESSION_DRAFTS, str(draft.id))
    state = services.load_state(draft)
    return redirect(_step_url(draft, services.next_missing_step(draft, state)))


# --- Place (routing) --------------------------------------------------------------------------------
def _place_from_link(leika_key: str, ars: str) -> dict | None:
    """The place a link brought along (`?ars=` from "Wer ist zuständig?"), preselected so the citizen is not
    asked again: its postcode, the Gemeinden sharing it and the responsible office. None (silently) for
    anything that is not the ARS of a current Gemeinde with a postcode and a responsible office: a link may be
    old, typed or foreign, and the citizen then simply enters the postcode."""
    if not keyformats.is_municipality_ars(ars):
        return None
    municipality = Municipality.objects.current().filter(ars=ars).first()
    postcode = municipality.postcode_areas.order_by("postcode").values_list(
        "postcode", flat=True).first() if municipality is not None else None
    if not postcode:
        return None
    office = integrations.responsible_office(leika_key, ars)
    if office is not None and not getattr(office, "found", True):
        return None
    choices = list(Municipality.objects.current().filter(postcode_areas__postcode=postcode).distinct()
                   .order_by("name"))
    return {"postcode": postcode, "municipality": municipality, "office": office,
            "choices": choices if len(choices) > 1 else []}


@require_http_methods(["GET", "POST"])
@sent_guard
def place(request: HttpRequest, slug: str, draft_id) -> HttpResponse:
    draft = _draft(request, slug, draft_id)
    if gate := _login_gate(request, draft.version.form):
        return gate
    state = services.load_state(draft)
    identity = _identity(request)
    postcode = state.place.get("postcode") or (identity.postcode if identity else "") or ""
    error, choices, chosen = "", [], state.place.get("ars", "")
    linked = None
    if request.method == "GET" and not chosen:
        linked = _place_from_link(draft.version.form.leika_key, request.GET.get("ars", "").strip())
    if linked is not None:
        postcode, choices, chosen = linked["postcode"], linked["choices"], linked["municipality"].ars
        office = linked["office"]
        linked = {"postcode": postcode, "name": linked["municipality"].name,
                  "online": office is None or office.online,
                  "message": office.message if office is not None else "",
                  "contact": office.contact() if office is not None else {}}
    if request.method == "POST":
        postcode = request.POST.get("postcode", "").strip()
        chosen = request.POST.get("ars", "")
        try:
            postcode = parse_postcode(postcode)
        except Invalid as exc:
            error = exc.message
        else:
            choices = list(Municipality.objects.current().filter(postcode_areas__postcode=postcode).distinct()
                           .order_by("name"))
            if not choices:
                error = _("Zu dieser Postleitzahl kennen wir keine Gemeinde. Bitte prüfen Sie die Postleitzahl.")
            elif len(choices) == 1:
                chosen = choices[0].ars
            if choices and chosen in {m.ars for m in choices}:
                municipality = next(m for m in choices if m.ars == chosen)
                # the same answer "Wer ist zuständig?" and the intake give: no form filled in for nothing
                office = integrations.responsible_office(draft.version.form.leika_key, municipality.ars)
                if office is not None and not office.online:
                    offline = {"message": office.message, "contact": office.contact(),
                               "postcode": postcode, "name": municipality.name}
                    choices = [] if len(choices) == 1 else choices
                    return render(request, "assistants/place.html", {
                        "draft": draft, "form": draft.version.form, "title": draft.version.spec.title(_lang()),
                        "postcode": postcode, "error": "", "choices": choices, "chosen": chosen,
                        "place": state.place, "offline": offline, **_progress(draft, state, "place"),
                    })
                state.place = {"postcode": postcode, "ars": municipality.ars, "name": municipality.name,
                               "office": office.contact() if office is not None else {}}
                services.save_state(draft, state)
                if request.POST.get("action") == "save":
                    return redirect("assistants:saved", slug=slug, draft_id=draft.id)
                return redirect(_step_url(draft, services.next_missing_step(draft, state)))
            if choices and request.POST.get("choose") == "1":
                error = _("Bitte wählen Sie Ihre Gemeinde aus.")
    context = {
        "draft": draft, "form": draft.version.form, "title": draft.version.spec.title(_lang()),
        "postcode": postcode, "error": error, "choices": choices, "chosen": chosen, "place": state.place,
        "linked": linked, **_progress(draft, state, "place"),
    }
    return render(request, "assistants/place.html", context, status=200)


# --- Steps ------------------------------------------------------------------------------------------
def _has_upload(value: Any) -> bool:
    """A new upload (not yet stored) in an answer: kept out of a step stored with errors."""
    values = value if isinstance(value, list) else [value]
    return any(isinstance(v, PendingUpload) for v in values)


def _remove_entry(spec, step_def: dict, data: QueryDict, state, action: str) -> QueryDict:
    """The posted inputs without the entry named by `remove:<fieldset>:<n>`; stored answers move up too."""
    fieldset_id = action.split(":")[1] if action.count(":") == 2 else ""
    fieldset = next((fs for fs in step_def["fieldsets"] if fs["id"] == fieldset_id and fs.get("repeat")), None)
    try:
        entry = int(action.rsplit(":", 1)[1])
    except ValueError:
        entry = -1
    if fieldset is None or not 0 <= entry < fieldset["repeat"]["max"]:
        return data
    moved, state.answers = remove_entry(fieldset, data, state.answers, entry)
    result = QueryDict(mutable=True)
    for key, values in moved.items():
        result.setlist(key, values)
    return result



@require_http_methods(["GET", "POST"])
@sent_guard
def step(request: HttpRequest, slug: str, draft_id, step_id: str) -> HttpResponse:
    draft = _draft(request, slug, draft_id)
    if gate := _login_gate(request, draft.version.form):
        return gate
    spec = draft.version.spec
    state = services.load_state(draft)
    try:
        step_def = spec.step(step_id)
    except KeyError:
        raise Http404(_("Diesen Schritt gibt es nicht.")) from None
    ids = _step_ids(draft, state)
    if step_id not in ids:  # hidden by earlier answers
        return redirect(_step_url(draft, services.next_missing_step(draft, state)))
    if not state.place.get("ars"):
        return redirect(_step_url(draft, "place"))
    language = _lang()
    prefill = {} if step_id in state.done else _prefill(request, spec)
    result, posted, extra = None, None, {}
    if request.method == "POST":
        action = request.POST.get("action", "next")
        result = validate_step(spec, step_id, request.POST, request.FILES, state.answers, language=language)
        if action.startswith("add:"):
            services.store_step(draft, state, step_id, result.cleaned, complete=False)
            extra = {action[4:]: 1}
            posted, result = request.POST, None
        elif action.startswith("remove:"):  # "Eintrag entfernen" in a repeatable fieldset, without JavaScript
            posted = _remove_entry(spec, step_def, request.POST, state, action)
            result = validate_step(spec, step_id, posted, None, state.answers, language=language)
            services.store_step(draft, state, step_id, result.cleaned, complete=False)
            result = None
        elif action in {"back", "save"} or result.is_valid:
            complete = result.is_valid and action == "next"
            if not result.is_valid and step_id in state.done:
                state.done.remove(step_id)
            services.store_step(draft, state, step_id, result.cleaned, complete=complete)
            if action == "save":
                return redirect("assistants:saved", slug=slug, draft_id=draft.id)
            ids = _step_ids(draft, state)
            if step_id not in ids:  # the answers hid this very step
                return redirect(_step_url(draft, services.next_missing_step(draft, state)))
            if action == "back":
                return redirect(_step_url(draft, ids[max(0, ids.index(step_id) - 1)]))
            if request.GET.get("ziel") == "pruefen":
                return redirect(_step_url(draft, None))
            later = ids[ids.index(step_id) + 1:]
            return redirect(_step_url(draft, later[0] if later else None))
        else:
            # Keep what was valid: a citizen who goes Back in the browser after an error and returns (or
            # resubmits) finds these answers again instead of an empty step (issue 16). Uploads wait for "Weiter".
            if step_id in state.done:
                state.done.remove(step_id)
            services.store_step(draft, state, step_id, {k: v for k, v in result.cleaned.items()
                                                        if not _has_upload(v)}, complete=False)
            posted = request.POST
    view = StepView(spec, step_def, answers=state.answers, posted=posted, result=result, language=language,
                    prefill=prefill, extra_slots=extra)
    context = {
        "draft": draft, "form": draft.version.form, "title": spec.title(language),
        "step_title": text(step_def["title"], language), "step_help": text(step_def.get("help"), language),
        "view": view, "action_url": request.get_full_path(), **_progress(draft, state, step_id),
        # the payee of a SEPA mandate on this step: the office the place step found (name, Gläubiger-ID)
        "creditor": state.place.get("office") or {},
    }
    return render(request, "assistants/step.html", context, status=200)


@require_http_methods(["GET", "POST"])
@sent_guard
def saved(request: HttpRequest, slug: str, draft_id) -> HttpResponse:
    draft = _draft(request, slug, draft_id)
    link = request.build_absolute_uri(reverse("assistants:resume", args=[services.resume_token(draft)]))
    error, limited, sent_to, email, status = "", "", "", "", 200
    if request.method == "POST":
        email = request.POST.get("email", "")
        try:
            address = parse_email(email)
        except Invalid as exc:
            error = exc.message
        else:
            if not mail_allowed(request, address):  # per address and per client (core.ratelimit)
                # Not a wrong entry: the address is fine, so no "Bitte korrigieren Sie" and no field error.
                status = 429
                limited = _("Für diese E-Mail-Adresse oder von Ihrem Anschluss aus wurden gerade zu viele E-Mails "
                            "angefordert. Bitte versuchen Sie es später noch einmal oder kopieren Sie den Link oben.")
        if not error and not limited:
            send_mail(
                _("Ihr gespeicherter Antrag: %(title)s") % {"title": draft.version.form.title},
                _("Sie können Ihren Antrag bis zum %(date)s über diesen Link fortsetzen:\n\n%(link)s\n\n"
                  "Geben Sie den Link nicht weiter: wer ihn kennt, kann Ihre Angaben sehen.")
                % {"date": timezone.localtime(draft.expires_at).strftime("%d.%m.%Y"), "link": link},
                None, [address])
            sent_to = address
    return render(request, "assistants/saved.html", {
        "draft": draft, "form": draft.version.form, "title": draft.version.spec.title(_lang()), "link": link,
        "expires": draft.expires_at, "error": error, "limited": limited, "sent_to": sent_to, "email": email,
        "continue_url": _step_url(draft, services.next_missing_step(draft, services.load_state(draft))),
    }, status=status)


# --- Summary, payment, submission -------------------------------------------------------------------
def _auth(request: HttpRequest) -> tuple[str | None, str | None]:
    identity = _identity(request)
    return (identity.level, identity.provider) if identity else (None, None)


def _submit(request: HttpRequest, draft: Draft, payment: dict | None = None) -> HttpResponse:
    level, provider = _auth(request)
    slug = draft.version.form.slug
    try:
        receipt = services.submit_draft(draft.id, auth_level=level, auth_provider=provider, payment=payment,
                                        language=_lang(), may_mail=lambda address: mail_allowed(request, address),
                                        owner_key=integrations.owner_key(_identity(request)))
    except services.IncompleteDraft as exc:
        messages.error(request, _("Bitte vervollständigen Sie zuerst diesen Schritt."))
        return redirect(_step_url(draft, exc.step_id))
    except Exception as exc:
        if getattr(exc, "user_message", None):  # e.g. the office stopped receiving since the place step
            log.warning("hand-over refused", extra={"form": slug, "reason": type(exc).__name__})
            messages.error(request, exc.user_message)
            return redirect(_step_url(draft, "place"))
        log.exception("hand-over failed", extra={"form": slug})
        messages.error(request, _("Ihr Antrag konnte gerade nicht übermittelt werden. Ihre Angaben sind gespeichert; "
                                  "bitte versuchen Sie es in einigen Minuten noch einmal."))
        return redirect("assistants:summary", slug=slug, draft_id=draft.id)
    _grant(request, SESSION_RECEIPTS, str(receipt.id))
    return redirect("assistants:receipt", receipt_id=receipt.id)


@require_http_methods(["GET", "POST"])
@sent_guard
def summary(request: HttpRequest, slug: str, draft_id) -> HttpResponse:
    draft = _draft(request, slug, draft_id)
    form = draft.version.form
    if gate := _login_gate(request, form):
        return gate
    state = services.load_state(draft)
    missing = services.next_missing_step(draft, state)
    if missing:
        return redirect(_step_url(draft, missing))
    error = ""
    if request.method == "POST":
        if request.POST.get("declaration") != "yes":
            error = _("Bitte bestätigen Sie, dass Ihre Angaben vollständig und richtig sind.")
        elif integrations.fee_cents(form, state.place.get("ars")):
            return _start_payment(request, draft)
        else:
            return _submit(request, draft)
    spec = draft.version.spec
    sections = summary_sections(spec, state.answers, _lang())
    for section in sections:
        section["edit_url"] = _step_url(draft, section["step_id"]) + "?ziel=pruefen"
    return render(request, "assistants/summary.html", {
        "draft": draft, "form": form, "title": spec.title(_lang()), "sections": sections, "place": state.place,
        "place_url": _step_url(draft, "place"), "error": error,
        "fee": _fee_text(integrations.fee_cents(form, state.place.get("ars"))),
        **_progress(draft, state, None),
    })


def _fee_text(cents: int | None) -> str | None:
    return format_cents(cents) if cents else None


def _start_payment(request: HttpRequest, draft: Draft) -> HttpResponse:
    payments = integrations.payment_services()
    form = draft.version.form
    if payments is None:
        messages.error(request, _("Die Bezahlung ist zurzeit nicht möglich. Ihre Angaben sind gespeichert; bitte "
                                  "versuchen Sie es später noch einmal."))
        return redirect("assistants:summary", slug=form.slug, draft_id=draft.id)
    # One reference per draft: the payment platform never charges a paid reference twice and lets an
    # abandoned or declined payment be retried under the same reference. It is the payment's Kassenzeichen,
    # not the application's number (that one is given by the intake after payment): it starts with "KZ-" so
    # that nobody takes one for the other; the receipt names both (issue 16). A draft that began paying under
    # an older reference keeps it.
    reference = draft.payment_reference or kassenzeichen(draft)
    state = services.load_state(draft)
    state.auth_level, state.auth_provider = _auth(request)
    state.owner_key = integrations.owner_key(_identity(request))
    state.language = _lang()
    services.save_state(draft, state)
    Draft.objects.filter(pk=draft.pk).update(payment_reference=reference, status=Draft.Status.PAYING)
    draft.payment_reference = reference
    return_url = request.build_absolute_uri(reverse("assistants:payment_return", args=[form.slug, draft.id]))
    try:
        transaction_ = payments.start_payment(reference=reference,
                                              amount_cents=integrations.fee_cents(form, state.place.get("ars")),
                                              purpose=f"{form.title}, Kassenzeichen {reference}",
                                              return_url=return_url)
    except Exception:
        log.exception("payment start failed", extra={"form": form.slug})
        messages.error(request, _("Die Bezahlung konnte nicht gestartet werden. Ihre Angaben sind gespeichert; "
                                  "bitte versuchen Sie es noch einmal."))
        return redirect("assistants:summary", slug=form.slug, draft_id=draft.id)
    if transaction_.status == "paid":  # paid before (e.g. the return page was lost): submit now
        return _submit(request, draft, _payment_info(draft, transaction_))
    return redirect(transaction_.redirect_url)


_payment_info = services.payment_info


def kassenzeichen(draft: Draft) -> str:
    """The payment reference of a draft: stable for the draft, 64 random bits of its id, readable aloud."""
    return f"KZ-{draft.id.hex[:16].upper()}"


def payment_return(request: HttpRequest, slug: str, draft_id) -> HttpResponse:
    """Back from the pay page: the redirect proves nothing, so ask the provider for the status."""
    receipt = Receipt.objects.filter(draft_key=draft_id).first()
    if receipt is not None and str(draft_id) in request.session.get(SESSION_DRAFTS, []):
        _grant(request, SESSION_RECEIPTS, str(receipt.id))
        return redirect("assistants:receipt", receipt_id=receipt.id)
    draft = _draft(request, slug, draft_id)
    payments = integrations.payment_services()
    if payments is None or not draft.payment_reference:
        return redirect("assistants:summary", slug=slug, draft_id=draft.id)
    transaction_ = payments.get_transaction(draft.payment_reference)
    if transaction_ is None:
        return redirect("assistants:summary", slug=slug, draft_id=draft.id)
    transaction_ = payments.refresh_status(transaction_)
    status = transaction_.status
    if status == "paid":
        return _submit(request, draft, _payment_info(draft, transaction_))
    Draft.objects.filter(pk=draft.pk).update(status=Draft.Status.OPEN)
    if status in FAILED_PAYMENT:
        messages.error(request, {
            "declined": _("Die Zahlung wurde abgelehnt. Sie können es noch einmal versuchen."),
            "abandoned": _("Die Zahlung wurde abgebrochen. Sie können es noch einmal versuchen."),
        }.get(status, _("Die Zahlung ist fehlgeschlagen. Sie können es noch einmal versuchen.")))
    else:
        messages.info(request, _("Die Zahlung ist noch nicht abgeschlossen."))
    return redirect("assistants:summary", slug=slug, draft_id=draft.id)


# --- Receipt ----------------------------------------------------------------------------------------
def _receipt(request: HttpRequest, receipt_id) -> Receipt:
    receipt = get_object_or_404(Receipt.objects.select_related("version__form"), pk=receipt_id)
    allowed = str(receipt.id) in request.session.get(SESSION_RECEIPTS, []) or str(receipt.draft_key) in \
        request.session.get(SESSION_DRAFTS, [])
    if not allowed:
        raise Http404(_("Diese Eingangsbestätigung gibt es nicht."))
    return receipt


def _status_url(request: HttpRequest, item: Receipt) -> str | None:
    """Absolute link to the applicant's status page (from the AMTSWEG_STATUS_LINK hook), if there is one."""
    link = integrations.status_link(item.reference)
    return request.build_absolute_uri(link) if link else None


def receipt(request: HttpRequest, receipt_id) -> HttpResponse:
    item = _receipt(request, receipt_id)
    data = services.receipt_summary(item)
    return render(request, "assistants/receipt.html", {
        "status_url": _status_url(request, item), "status_mailed": bool(data.get("email_given")),
        "receipt": item, "form": item.version.form, "title": item.version.spec.title(_lang()),
        "sections": data["sections_en"] if _lang() == "en" else data["sections"], "place": data.get("place", {}),
        "office": data.get("office") or {},
        "mandate": data.get("sepa_mandate"),
        "payment": data.get("payment"),
        "fee": format_cents(data["payment"]["amount_cents"]) if data.get("payment") else None,
    })


def receipt_download(request: HttpRequest, receipt_id) -> HttpResponse:
    """The stored PDF (rendered on the first download). Its status link is built on PUBLIC_BASE_URL, not on
    this request's host, because the document is kept and handed out again."""
    item = _receipt(request, receipt_id)
    link = integrations.status_link(item.reference)
    status_url = urljoin(settings.PUBLIC_BASE_URL + "/", link) if link else None
    pdf = services.receipt_document(item, _lang(), status_url=status_url)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="Eingangsbestaetigung-{item.reference}.pdf"'
    return response
