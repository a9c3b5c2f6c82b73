"""The Submission API's endpoints: destinations, submissions (sender and subscriber side), case events, info
and the platform's JWKS."""

from __future__ import annotations

import re
import uuid

from django.db.models import Q
from django.http import HttpResponse
from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework.exceptions import ParseError
from rest_framework.response import Response

from amtsweg.core import platform_keys
from amtsweg.core.jwk import JWKSerializer, JWKSSerializer, public_jwk
from amtsweg.core.problems import no_content
from amtsweg.routing.models import Destination, DestinationKey, Responsibility
from amtsweg.submissions import events, oauth, services, subscriber
from amtsweg.submissions.api.base import PAGING, SubmissionAPIView, path_parameters, problem_responses
from amtsweg.submissions.api.parsers import JoseParser
from amtsweg.submissions.api.serializers import (
    API_VERSION,
    JOSE_PATTERN,
    LEIKA_URN,
    CreateSubmissionSerializer,
    DestinationSerializer,
    EventLogSerializer,
    InfoSerializer,
    SubmissionCreatedSerializer,
    SubmissionReducedSerializer,
    SubmissionSerializer,
    SubmissionsForPickupSerializer,
    SubmitSubmissionSerializer,
)
from amtsweg.submissions.errors import (
    EVENT_PROBLEMS,
    Forbidden,
    NotFound,
    Unprocessable,
)
from amtsweg.submissions.models import Case, Event, Submission

COMPACT_JWS = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+")

class DestinationView(SubmissionAPIView):
    @extend_schema(operation_id="get-destination-info", tags=["Einreichungsübermittlung"],
                   summary="Zustellpunkt abfragen", parameters=path_parameters("destination_id"),
                   responses={200: DestinationSerializer, **problem_responses(401, 403, 404)})
    def get(self, request, destination_id):
        grant = self.grant()
        pk = self.uuid_or_404(destination_id, _("Zustellpunkt nicht gefunden."))
        destination = Destination.objects.select_related("authority").filter(pk=pk).first()
        if destination is None:
            raise NotFound(_("Zustellpunkt nicht gefunden."))
        private = grant.can_read_destination(destination.pk)
        if not private and not grant.can_send(destination.authority.area_ars):
            raise Forbidden(_("Dieser Zugang darf diesen Zustellpunkt nicht abfragen."))
        response = Response(DestinationSerializer(destination, context={"private": private}).data)
        response["Cache-Control"] = "no-cache"
        return response


class DestinationKeyView(SubmissionAPIView):
    authentication_classes: list = []

    @extend_schema(operation_id="get-destination-key", tags=["Einreichungsübermittlung"],
                   summary="Ruft einen JWK des Zustellpunktes ab", auth=[],
                   parameters=[*path_parameters("destination_id"),
                               OpenApiParameter("key_id", OpenApiTypes.STR, OpenApiParameter.PATH)],
                   responses={200: JWKSerializer, **problem_responses(404)})
    def get(self, request, destination_id, key_id):
        pk = self.uuid_or_404(destination_id, _("Schlüssel nicht gefunden."))
        key = (
            DestinationKey.objects.filter(destination_id=pk, kid=key_id)
            .exclude(activated_at__isnull=True)
            .first()
        )
        if key is None:
            raise NotFound(_("Schlüssel nicht gefunden."))
        response = Response(public_jwk(key.jwk, kid=key.kid))
        response["Cache-Control"] = "no-cache"
        return response


# --- Submissions ----------------------------------------------------------------------------------------


class SubmissionsView(SubmissionAPIView):
    @extend_schema(operation_id="get-submissions-for-pickup", tags=["Einreichungsempfang"],
                   summary="Abholbereite Einreichungen auflisten",
                   parameters=[OpenApiParameter("destinationId", OpenApiTypes.UUID), *PAGING],
                   responses={200: SubmissionsForPickupSerializer, **problem_responses(400, 401, 403)})
    def get(self, request):
        grant = self.grant()
        limit, offset = self.paging(request)
        destination_param = request.query_params.get("destinationId")
        if destination_param is not None:
            destination_param = self.uuid_query(destination_param)
        page = subscriber.list_waiting(subscriber.Subscriber.for_grant(grant), destination_param or None,
                                       limit=limit, offset=offset)
        return Response(SubmissionsForPickupSerializer({
            "count": len(page.rows), "offset": offset, "totalCount": page.total, "submissions": page.rows,
        }).data)

    @extend_schema(operation_id="create-submission", tags=["Einreichungsübermittlung"],
                   summary="Einreichung erstellen", request=CreateSubmissionSerializer,
                   responses={201: SubmissionCreatedSerializer, **problem_responses(400, 401, 403, 404, 413, 422)})
    def post(self, request):
        grant = self.grant()
        data = self.validated(CreateSubmissionSerializer, request.data)
        destination = Destination.objects.select_related("authority").filter(pk=data["destinationId"]).first()
        if destination is None:
            raise NotFound(_("Zustellpunkt nicht gefunden."))
        identifier = data["serviceType"]["identifier"]
        if not grant.can_send(destination.authority.area_ars, identifier):
            raise Forbidden(_("Dieser Zugang darf an diesen Zustellpunkt (Region/Leistung) nicht senden."))
        if identifier.startswith(LEIKA_URN) and not Responsibility.objects.filter(
            destination=destination, leika_key=identifier[len(LEIKA_URN):]
        ).exists():
            raise Unprocessable(_("Der Zustellpunkt nimmt diese Leistung nicht entgegen."))
        case_id = data.get("caseId")
        if case_id and not Case.objects.filter(pk=case_id, destination=destination).filter(
            Q(submissions__sender=grant.client)
        ).exists():
            raise NotFound(_("Der Vorgang (caseId) ist unbekannt."))
        callback = data.get("callback") or {}
        submission = services.announce(
            destination,
            service_identifier=identifier,
            service_name=data["serviceType"].get("name", ""),
            announced_attachments=data["announcedAttachments"],
            case_id=case_id,
            sender=grant.client,
            callback_url=callback.get("url", ""),
            callback_secret=callback.get("secret", ""),
        )
        return Response(SubmissionCreatedSerializer(submission).data, status=201)


class SubmissionView(SubmissionAPIView):
    @extend_schema(operation_id="get-submission", tags=["Einreichungsempfang"], summary="Einreichung abrufen",
                   parameters=path_parameters("submission_id"),
                   responses={200: SubmissionSerializer, **problem_responses(400, 401, 403, 404)})
    def get(self, request, submission_id):
        fetched = subscriber.fetch(subscriber.Subscriber.for_grant(self.grant()), submission_id)
        return Response(SubmissionSerializer(fetched.submission).data)

    @extend_schema(operation_id="submit-submission", tags=["Einreichungsübermittlung"],
                   summary="Einreichung versenden", request=SubmitSubmissionSerializer,
                   parameters=path_parameters("submission_id"),
                   responses={202: SubmissionReducedSerializer, **problem_responses(400, 401, 403, 404, 413, 415, 422)})
    def put(self, request, submission_id):
        grant = self.grant()
        submission = _own_submission(grant, self.uuid_or_404(submission_id, _("Einreichung nicht gefunden.")))
        data = self.validated(SubmitSubmissionSerializer, request.data)
        submission = services.submit(
            submission, sender=grant.client, encrypted_metadata=data["encryptedMetadata"],
            encrypted_data=data.get("encryptedData"),
        )
        return Response(SubmissionReducedSerializer(submission).data, status=202)


def _own_submission(grant: oauth.Grant, pk: uuid.UUID) -> Submission:
    submission = Submission.objects.filter(pk=pk, sender=grant.client).first()
    if submission is None:
        raise NotFound(_("Einreichung nicht gefunden."))
    return submission


class AttachmentView(SubmissionAPIView):
    parser_classes = [JoseParser]

    @extend_schema(operation_id="get-submission-attachment", tags=["Einreichungsempfang"],
                   summary="Anlage abrufen", parameters=path_parameters("submission_id", "attachment_id"),
                   responses={(200, "application/jose"): OpenApiTypes.STR, **problem_responses(400, 401, 403, 404)})
    def get(self, request, submission_id, attachment_id):
        jwe = subscriber.fetch_attachment(subscriber.Subscriber.for_grant(self.grant()), submission_id, attachment_id)
        return HttpResponse(jwe, content_type="application/jose")

    @extend_schema(operation_id="add-submission-attachment", tags=["Einreichungsübermittlung"],
                   summary="Anlage hinzufügen", parameters=path_parameters("submission_id", "attachment_id"),
                   request={"application/jose": {"type": "string", "minLength": 1, "pattern": JOSE_PATTERN}},
                   responses={204: None, **problem_responses(400, 401, 403, 404, 413, 415, 422)})
    def put(self, request, submission_id, attachment_id):
        grant = self.grant()
        self.require_jose()
        submission = _own_submission(grant, self.uuid_or_404(submission_id, _("Einreichung nicht gefunden.")))
        body = request.data
        # FIT-Connect's CreateAttachment: a string of at least one character matching JOSE_PATTERN, nothing else.
        if not isinstance(body, str) or not re.fullmatch(JOSE_PATTERN.removeprefix("^").removesuffix("$"), body):
            raise ParseError(_("Der Inhalt muss ein JWE in kompakter Serialisierung sein (nur die Zeichen "
                               "A–Z, a–z, 0–9, -, _, = und ., ohne Leerzeichen oder Zeilenumbruch)."))
        try:
            attachment_uuid = uuid.UUID(str(attachment_id))
        except ValueError as exc:
            raise Unprocessable(_("Diese Anlage wurde nicht angekündigt (announcedAttachments).")) from exc
        services.store_attachment(submission, attachment_uuid, body, sender=grant.client)
        return no_content()


# --- Case event log ----------------------------------------------------------------------------------------


class CaseEventsView(SubmissionAPIView):
    parser_classes = [JoseParser]

    def _case(self, grant, case_id) -> Case:
        pk = self.uuid_or_404(case_id, _("Vorgang nicht gefunden."))
        case = Case.objects.filter(pk=pk).first()
        if case is None:
            raise NotFound(_("Vorgang nicht gefunden."))
        if grant.can_subscribe(case.destination_id) or grant.can_read_destination(case.destination_id):
            return case
        if case.submissions.filter(sender=grant.client).exists():
            return case
        raise NotFound(_("Vorgang nicht gefunden."))

    @extend_schema(operation_id="get-case-events", tags=["Einreichungsempfang", "Einreichungsübermittlung"],
                   summary="Event Log auslesen",
                   parameters=[*path_parameters("case_id"), *PAGING],
                   responses={200: EventLogSerializer, **problem_responses(400, 401, 403, 404)})
    def get(self, request, case_id):
        grant = self.grant()
        limit, offset = self.paging(request)
        case = self._case(grant, case_id)
        queryset = Event.objects.filter(case=case).order_by("created_at", "id")
        total = queryset.count()
        page = events.signed_log(queryset[offset:offset + limit])
        return Response(EventLogSerializer({"count": len(page), "offset": offset, "totalCount": total,
                                            "eventLog": [e.token for e in page]}).data)

    @extend_schema(operation_id="send-case-event", tags=["Einreichungsempfang"], summary="Event senden",
                   parameters=path_parameters("case_id"),
                   request={"application/jose": {"type": "string", "pattern": r"\w+\.\w+\.\w+"}},
                   responses={204: None, **problem_responses(400, 401, 403, 404, 409, 422)})
    def post(self, request, case_id):
        grant = self.grant()
        self.require_jose()
        case = self._case(grant, case_id)
        if not grant.can_subscribe(case.destination_id):
            raise Forbidden(_("Nur das empfangende System des Zustellpunkts darf Ereignisse senden."))
        # The SecurityEventToken schema's pattern (unanchored "\w+\.\w+\.\w+") lets whitespace surround the
        # token, but its \w lacks base64url's "-": read literally it refuses about one valid token in twenty
        # (a segment that begins or ends with "-"). The shape checked here is the compact JWS's (RFC 7515 §7.1).
        token = request.data.strip() if isinstance(request.data, str) else ""
        if not COMPACT_JWS.fullmatch(token):
            raise ParseError(_("Der Inhalt muss ein Security Event Token (JWS in kompakter Serialisierung) sein."))
        try:
            subscriber.send_event(subscriber.Subscriber.for_grant(grant), case.pk, token)
        except events.EventRejected as exc:
            raise EVENT_PROBLEMS[exc.kind](exc.detail) from exc
        return no_content()


# --- Technical -------------------------------------------------------------------------------------------


class InfoView(SubmissionAPIView):
    authentication_classes: list = []

    @extend_schema(operation_id="get-submission-api-info", tags=["Technisch"], auth=[],
                   summary="Technische Serviceinformationen", responses={200: InfoSerializer})
    def get(self, request):
        return Response(InfoSerializer({"version": API_VERSION}).data)


class JWKSView(SubmissionAPIView):
    authentication_classes: list = []

    @extend_schema(operation_id="get-jwks.json", tags=["Technisch"], auth=[],
                   summary="Öffentliche Schlüssel der Plattform (prüfen die Security Event Tokens)",
                   responses={200: JWKSSerializer})
    def get(self, request):
        response = Response(JWKSSerializer(platform_keys.public_jwks()).data)
        response["Cache-Control"] = "public, max-age=300"
        return response
