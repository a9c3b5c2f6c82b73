"""URLconf of the intake benchmark (`benchmarks/delivery.py`): two endpoints on the platform's database,
then all of the platform's own URLs.

* `POST /bare/`: two INSERTs (a case and an outbox row) through the ORM, nothing else.
* `POST /intake/`: the platform's intake: validate the answers (JSON schema), encrypt data, metadata and one
  attachment for the destination (three RSA-OAEP-256/A256GCM JWEs), persist case, submission, attachment,
  events and outbox row in one transaction and enqueue the wake-up task.

The destination is named by environment variables the benchmark sets (AMTSWEG_BENCH_DESTINATION,
AMTSWEG_BENCH_LEIKA, AMTSWEG_BENCH_ARS), so gunicorn workers and the in-process client use the same one.
"""

from __future__ import annotations

import functools
import json
import os
import uuid

from django.urls import include, path
from django.views.decorators.csrf import csrf_exempt

DATA_SCHEMA = {
    "type": "object",
    "required": ["vorname", "nachname", "hund"],
    "properties": {
        "vorname": {"type": "string", "minLength": 1, "maxLength": 100},
        "nachname": {"type": "string", "minLength": 1, "maxLength": 100},
        "hund": {"type": "object", "required": ["name"], "properties": {"name": {"type": "string"}}},
    },
}
ATTACHMENT = b"%PDF-1.7 " * 400  # 3.6 KB


@functools.cache
def _validator():
    """jsonschema-rs, as the platform validates JSON on its hot path (FIT-Connect metadata on every intake,
    `submissions.metadata`); there `jsonschema` only words the errors, which this benchmark never sends."""
    import jsonschema_rs

    return jsonschema_rs.validator_for(DATA_SCHEMA)


@functools.cache
def _destination():
    from amtsweg.routing.models import Destination

    return Destination.objects.get(pk=os.environ["AMTSWEG_BENCH_DESTINATION"])


def bare_view(request):
    from django.http import JsonResponse

    from amtsweg.delivery.models import OutboxMessage
    from amtsweg.submissions.models import Case

    destination = _destination()
    case = Case.objects.create(destination=destination)
    OutboxMessage.objects.create(
        idempotency_key=str(uuid.uuid4()), submission_id=uuid.uuid4(), destination_id=destination.pk,
        authority_id=destination.authority_id, channel="bench", case_id=case.pk, status="delivered",
    )
    return JsonResponse({"ok": True}, status=201)


def intake_view(request):
    from django.http import JsonResponse

    from amtsweg.assistants.handoff import Attachment, FormSubmissionPayload, hand_over

    body = json.loads(request.body)
    _validator().validate(body["data"])
    payload = FormSubmissionPayload(
        leika_key=os.environ["AMTSWEG_BENCH_LEIKA"], form_slug="hundesteuer", form_version=1, data=body["data"],
        applicant_ars=os.environ["AMTSWEG_BENCH_ARS"],
        attachments=[Attachment("impfpass.pdf", "application/pdf", ATTACHMENT)], auth_level="substantiell",
    )
    return JsonResponse({"reference": hand_over(payload)}, status=201)


urlpatterns = [
    path("bare/", csrf_exempt(bare_view)),
    path("intake/", csrf_exempt(intake_view)),
    path("", include("amtsweg.urls")),
]
