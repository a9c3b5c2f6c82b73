"""Staff pages: API clients (OAuth client credentials) of the Submission API.

Kommune administrators create subscriber clients (Fachverfahren) for their own Authority's destinations;
Land operators create sender clients (online services) for regions of their Land and subscriber clients for
the Land's own destinations only, never for a Kommune's (`oauth.check_may_create`). The secret is
shown once, right after creation, and only its hash is stored. Rows are read through the tenancy layer.

Creation follows POST/redirect/GET: the POST keeps the fresh secret in the session under a one-time key and
redirects to the client's "created" page, which pops it on first display. A reload of either page therefore
neither creates a second client nor shows the secret again.
"""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from amtsweg.accounts.access import role_required
from amtsweg.core.tenancy import can_create_sender_clients, can_manage_api_clients
from amtsweg.submissions import oauth
from amtsweg.submissions.forms import SenderClientForm, SubscriberClientForm
from amtsweg.submissions.models import ApiClient

manager_required = role_required(can_manage_api_clients)


@manager_required
def client_list(request):
    clients = ApiClient.objects.visible_to(request.user).select_related("authority").order_by("-is_active", "name")
    return render(request, "submissions/api_client_list.html", {
        "clients": clients, "can_create_senders": can_create_sender_clients(request.user),
    })


@manager_required
def client_create(request, kind: str):
    if kind == ApiClient.Kind.SENDER:
        if not can_create_sender_clients(request.user):
            return render(request, "accounts/forbidden.html", {"reason": "role"}, status=403)
        form_class = SenderClientForm
    elif kind == ApiClient.Kind.SUBSCRIBER:
        form_class = SubscriberClientForm
    else:
        return redirect("submissions:api_clients")
    form = form_class(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        if kind == ApiClient.Kind.SENDER:
            authority, scopes = request.user.authority, [form.scope()]
        else:
            destinations = form.cleaned_data["destinations"]
            authority = destinations[0].authority
            scopes = [f"subscribe:destination:{d.pk}" for d in destinations]
        client, secret = oauth.create_client(name=form.cleaned_data["name"], kind=kind, authority=authority,
                                             scopes=scopes, actor=request.user)
        request.session[_secret_session_key(client.pk)] = secret
        return redirect("submissions:api_client_created", pk=client.pk)
    return render(request, "submissions/api_client_form.html", {"form": form, "kind": kind})


def _secret_session_key(pk: int) -> str:
    return f"submissions.api_client_secret.{pk}"


@manager_required
def client_created(request, pk: int):
    """Show a freshly created client's secret exactly once; afterwards say it cannot be shown again."""
    client = get_object_or_404(ApiClient.objects.visible_to(request.user), pk=pk)
    secret = request.session.pop(_secret_session_key(client.pk), None)
    response = render(request, "submissions/api_client_created.html", {"client": client, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@manager_required
def client_revoke(request, pk: int):
    """Blocking a client stops a Fachverfahren or Onlinedienst at once and cannot be undone: a page of its own
    says so and asks; only its button (``confirm=ja``) blocks (issue 16: one click in the list did it)."""
    client = get_object_or_404(ApiClient.objects.editable_by(request.user).filter(is_active=True), pk=pk)
    if request.method != "POST" or request.POST.get("confirm") != "ja":
        return render(request, "submissions/api_client_revoke.html", {"client": client})
    oauth.revoke_client(client, actor=request.user)
    messages.success(request, _("Der Zugang „%(name)s“ ist gesperrt; ausgegebene Tokens gelten nicht mehr.")
                     % {"name": client.name})
    return redirect("submissions:api_clients")
