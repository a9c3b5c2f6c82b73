"""Staff pages: delivery status per message, dead letters with the reason, resend. Thin; tenant-scoped."""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from amtsweg.accounts.access import staff_required
from amtsweg.delivery import services
from amtsweg.delivery.models import OutboxMessage


@staff_required
def message_list(request: HttpRequest) -> HttpResponse:
    visible = OutboxMessage.objects.visible_to(request.user)
    status = request.GET.get("status", "")
    if status not in OutboxMessage.Status.values:
        status = ""
    counts = dict(visible.order_by().values_list("status").annotate(n=Count("id")))
    rows = visible.filter(status=status) if status else visible
    page = Paginator(rows.select_related("authority"), 50).get_page(request.GET.get("seite"))
    # The AW number is what the applicant, the Bürgeramt and the case file name (issue 16): one query per page.
    references = _public_references([m.submission_id for m in page.object_list])
    for message in page.object_list:
        message.public_reference = references.get(message.submission_id, "")
    filters = [
        {"value": value, "label": label, "count": counts.get(value, 0), "active": value == status}
        for value, label in OutboxMessage.Status.choices
    ]
    return render(
        request,
        "delivery/message_list.html",
        {"page": page, "filters": filters, "status": status, "total": sum(counts.values())},
    )


def _public_references(submission_ids: list) -> dict:
    """Submission id → its public reference (AW-…); a message outlives nothing, but an id may be unknown."""
    from amtsweg.submissions.models import Submission

    return dict(Submission.objects.filter(pk__in=submission_ids).values_list("pk", "public_reference"))


@staff_required
@require_POST
def resend(request: HttpRequest, pk: int) -> HttpResponse:
    message = get_object_or_404(OutboxMessage.objects.editable_by(request.user), pk=pk)
    if services.resend(message, actor=request.user):
        messages.success(request, _("Die Zustellung wird erneut versucht."))
    else:
        messages.info(request, _("Diese Zustellung wartet bereits oder läuft gerade."))
    return redirect(f"{reverse('delivery:list')}?status={OutboxMessage.Status.DEAD}")
