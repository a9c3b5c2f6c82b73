"""The Submission API, wire-compatible with FIT-Connect Submission API 1.1.x, and the OAuth token endpoint.

Paths, bodies and status codes follow `submission-api-1.1.3.yaml`; errors are RFC 9457
`application/problem+json` with FIT-Connect's problem types (`submissions.errors`, rendered by
`amtsweg.core.problems`); answers are rendered by the serializers that document them. An online service or
Fachverfahren that speaks FIT-Connect works with Amtsweg by changing its base URLs (token URL `/token`,
API base `/`).

Sender side (scope `send:region:DE<ARS>[+send:service:<urn>]`):
    POST /v1/submissions                                   announce (201)
    PUT  /v1/submissions/{id}/attachments/{attachmentId}   upload one JWE (application/jose, 204)
    PUT  /v1/submissions/{id}                              submit encryptedMetadata + encryptedData (202)
    GET  /v1/destinations/{id}, /v1/destinations/{id}/keys/{kid}
Subscriber side (scope `subscribe:destination:<id>`):
    GET  /v1/submissions?destinationId=…&offset=&limit=    waiting submissions
    GET  /v1/submissions/{id}, GET …/attachments/{attachmentId}   (first fetch marks it forwarded)
    POST /v1/cases/{caseId}/events                          accept/reject SET (application/jose, 204)
    GET  /v1/cases/{caseId}/events                          the signed event log
Both: GET /v1/info, GET /.well-known/jwks.json (platform keys for the SETs).

Every query goes through the token's grant: a client never sees another destination's data (404 for
submissions and cases it may not see, so ids are not confirmed to outsiders).
"""

from __future__ import annotations

import base64
import binascii
import uuid

from django.db.models import Q
from django.http import HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from drf_spectacular.extensions import OpenApiAuthenticationExtension
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import serializers
from rest_framework.authentication import BaseAuthentication
from rest_framework.exceptions import APIException, AuthenticationFailed, NotAuthenticated, ParseError
from rest_framework.parsers import BaseParser, FormParser
from rest_framework.response import Response
from rest_framework.views import APIView

from amtsweg.core import netguard, platform_keys
from amtsweg.core.jwk import JWKSerializer, JWKSSerializer, public_jwk
from amtsweg.core.parsers import JSONParser
from amtsweg.core.problems import ProblemSerializer
from amtsweg.routing.models import Destination, DestinationKey, Responsibility
from amtsweg.submissions import events, oauth, services, subscriber
from amtsweg.submissions.errors import (
    EVENT_PROBLEMS,
    PROBLEM_BASE,
    Forbidden,
    NotFound,
    SubmissionError,
    TooLarge,
    Unprocessable,
    UnsupportedMediaType,
)
from amtsweg.submissions.models import Case, Event, Submission

API_VERSION = {"major": 1, "minor": 1, "patch": 3}
JOSE_PATTERN = r"^[a-zA-Z0-9-_=.]+$"
URN_PATTERN = r"^urn:[a-z0-9][a-z0-9-]{0,31}:[a-z0-9()+,.:=@;$_!*'%/?#-]+$"
LEIKA_URN = "urn:de:fim:leika:leistung:"


# --- Authentication -------------------------------------------------------------------------------------


class BearerTokenAuthentication(BaseAuthentication):
    """`Authorization: Bearer <token>` from `/token`; `request.auth` becomes the token's `oauth.Grant`."""

    def authenticate(self, request):
        header = request.META.get("HTTP_AUTHORIZATION", "")
        if not header:
            return None
        scheme, _space, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise AuthenticationFailed(_("Der Authorization-Header muss „Bearer <Zugriffstoken>“ lauten."))
        grant = oauth.grant_for_token(token.strip())
        if grant is None:
            raise AuthenticationFailed(_("Das Zugriffstoken ist unbekannt oder abgelaufen."))
        return (None, grant)

    def authenticate_header(self, request):
        return 'Bearer realm="amtsweg"'


class BearerTokenScheme(OpenApiAuthenticationExtension):
    target_class = BearerTokenAuthentication
    name = "OAuth2"

    def get_security_definition(self, auto_schema):
        return {
            "type": "oauth2",
            "description": "OAuth 2.0 client credentials (FIT-Connect): POST /token, form-encoded.",
            "flows": {"clientCredentials": {"tokenUrl": "/token", "scopes": {
                "send:region:DE<region-id>": "send submissions to destinations of the region",
                "send:region:DE<region-id>+send:service:<service-uri>": "send submissions for one service",
                "subscribe:destination:<id>": "pick up submissions of the destination",
                "manage:destination:<id>": "read the destination's settings",
            }}},
        }


class JoseParser(BaseParser):
    """`application/jose` bodies: a compact serialisation (JWE for attachments, JWS for events)."""

    media_type = "application/jose"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return ""
        data = stream.read(services.MAX_ATTACHMENT_BYTES + 1)
        if len(data) > services.MAX_ATTACHMENT_BYTES:
            raise TooLarge(_("Der Inhalt ist zu groß."))
        try:
            return data.decode("ascii").strip()
        except UnicodeDecodeError as exc:
            raise ParseError(_("Eine JOSE-Kompaktserialisierung besteht nur aus ASCII-Zeichen.")) from exc


# --- Serializers (validation, documentation and output) -------------------------------------------------


class ServiceTypeSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=255)
    description = serializers.CharField(required=False, allow_blank=True)
    identifier = serializers.RegexField(URN_PATTERN, min_length=7, max_length=255)


class CreateCallbackSerializer(serializers.Serializer):
    url = serializers.RegexField(r"^https://.+", min_length=9, max_length=200)
    secret = serializers.CharField(min_length=32, max_length=512)

    def validate_url(self, value: str) -> str:
        """No callbacks into the platform's own network (SSRF). Without DNS: the delivery resolves the name."""
        problem = netguard.static_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


class CreateSubmissionSerializer(serializers.Serializer):
    destinationId = serializers.UUIDField()  # noqa: N815 - FIT-Connect wire names
    announcedAttachments = serializers.ListField(child=serializers.UUIDField(), allow_empty=True)  # noqa: N815
    caseId = serializers.UUIDField(required=False)  # noqa: N815
    serviceType = ServiceTypeSerializer()  # noqa: N815
    callback = CreateCallbackSerializer(required=False)


# Output: a `Submission`.
class SubmissionCreatedSerializer(serializers.Serializer):
    destinationId = serializers.UUIDField(source="destination_id")  # noqa: N815
    submissionId = serializers.UUIDField(source="pk")  # noqa: N815
    caseId = serializers.UUIDField(source="case_id")  # noqa: N815


class SubmitSubmissionSerializer(serializers.Serializer):
    encryptedMetadata = serializers.RegexField(JOSE_PATTERN, max_length=50_000_000)  # noqa: N815
    encryptedData = serializers.RegexField(JOSE_PATTERN, required=False, max_length=200_000_000)  # noqa: N815


# A submission's service name, its identifier where the sender gave none (source "*").
class ServiceNameField(serializers.CharField):
    def to_representation(self, value: Submission) -> str:
        return value.service_name or value.service_identifier


# A submission's attachment ids in announced order (source "*", see `attachment_ids`).
class AttachmentIdsField(serializers.ListField):
    def to_representation(self, value: Submission) -> list:
        return super().to_representation(attachment_ids(value))


# Output: a `Submission`'s service (source "*").
class ServiceTypeOutSerializer(serializers.Serializer):
    name = ServiceNameField(source="*", required=False)
    identifier = serializers.CharField(source="service_identifier")


# Output: the callback of a `Submission` or `Destination` (source "*").
class CallbackOutSerializer(serializers.Serializer):
    url = serializers.CharField(source="callback_url")


# Output: a `Submission` (the callback only where the sender announced one).
class SubmissionReducedSerializer(serializers.Serializer):
    destinationId = serializers.UUIDField(source="destination_id")  # noqa: N815
    submissionId = serializers.UUIDField(source="pk")  # noqa: N815
    caseId = serializers.UUIDField(source="case_id")  # noqa: N815
    attachments = AttachmentIdsField(source="*", child=serializers.UUIDField())
    serviceType = ServiceTypeOutSerializer(source="*")  # noqa: N815
    callback = CallbackOutSerializer(required=False, source="*")

    def to_representation(self, instance: Submission) -> dict:
        body = super().to_representation(instance)
        if not instance.callback_url:
            del body["callback"]
        return body


# Output: a fetched `Submission` with its encrypted metadata and (where sent) data.
class SubmissionSerializer(SubmissionReducedSerializer):
    encryptedMetadata = serializers.CharField(required=False, source="encrypted_metadata")  # noqa: N815
    encryptedData = serializers.CharField(required=False, source="encrypted_data")  # noqa: N815

    def to_representation(self, instance: Submission) -> dict:
        body = super().to_representation(instance)
        if not instance.encrypted_data:
            del body["encryptedData"]
        return body


# Output: a (destination id, submission id, case id) row of `subscriber.WaitingPage`.
class SubmissionForPickupSerializer(serializers.Serializer):
    destinationId = serializers.UUIDField(source="destination_id")  # noqa: N815
    submissionId = serializers.UUIDField(source="id")  # noqa: N815
    caseId = serializers.UUIDField(source="case_id")  # noqa: N815


class SubmissionsForPickupSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    totalCount = serializers.IntegerField()  # noqa: N815
    submissions = SubmissionForPickupSerializer(many=True)


class EventLogSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    offset = serializers.IntegerField()
    totalCount = serializers.IntegerField()  # noqa: N815
    eventLog = serializers.ListField(child=serializers.CharField())  # noqa: N815


class SubmissionSchemaSerializer(serializers.Serializer):
    schemaUri = serializers.CharField()  # noqa: N815
    mimeType = serializers.CharField()  # noqa: N815


class DestinationServiceSerializer(serializers.Serializer):
    identifier = serializers.CharField()
    regions = serializers.ListField(child=serializers.CharField())
    submissionSchemas = SubmissionSchemaSerializer(many=True)  # noqa: N815


# An Authority's address in one line: street, postcode and city (source "*").
class PostalAddressField(serializers.CharField):
    def to_representation(self, value) -> str:
        return ", ".join(x for x in (value.street, f"{value.postcode} {value.city}".strip()) if x)


# Output: the destination's `Authority`.
class ContactInformationSerializer(serializers.Serializer):
    legalName = serializers.CharField(source="name")  # noqa: N815
    address = PostalAddressField(source="*")
    phone = serializers.CharField()
    email = serializers.CharField()


# The services a destination receives, with the regions (`DE<ARS>`) of its responsibilities.
class DestinationServicesField(serializers.ListField):
    def to_representation(self, value: Destination) -> list:
        regions: dict[str, set[str]] = {}
        for leika_key, area in Responsibility.objects.filter(destination=value).values_list("leika_key", "area_ars"):
            regions.setdefault(leika_key, set()).add(f"DE{area}")
        schemas = value.submission_schemas or [{"schemaUri": "urn:amtsweg:form:any:v1",
                                                "mimeType": "application/json"}]
        return super().to_representation([
            {"identifier": LEIKA_URN + key, "regions": sorted(areas), "submissionSchemas": schemas}
            for key, areas in sorted(regions.items())
        ])


# The kid of the destination's active encryption key ("" without one).
class EncryptionKidField(serializers.CharField):
    def to_representation(self, value: Destination) -> str:
        key = value.active_encryption_key()
        return key.kid if key else ""


class MetadataVersionsField(serializers.ListField):
    def to_representation(self, value: Destination) -> list:
        return super().to_representation(value.metadata_versions or ["1.0.0"])


# Output: a `Destination`; contact and callback only with `context={"private": True}` (the destination's own
# systems, scope manage/subscribe), senders see the public part.
class DestinationSerializer(serializers.Serializer):
    destinationId = serializers.UUIDField(source="pk")  # noqa: N815
    status = serializers.CharField()
    services = DestinationServicesField(source="*", child=DestinationServiceSerializer())
    encryptionKid = EncryptionKidField(source="*")  # noqa: N815
    metadataVersions = MetadataVersionsField(source="*", child=serializers.CharField())  # noqa: N815
    contactInformation = ContactInformationSerializer(required=False, source="authority")  # noqa: N815
    callback = CallbackOutSerializer(required=False, source="*")

    def to_representation(self, instance: Destination) -> dict:
        body = super().to_representation(instance)
        if not self.context.get("private"):
            del body["contactInformation"]
        if not (self.context.get("private") and instance.callback_url):
            del body["callback"]
        return body


class InfoSerializer(serializers.Serializer):
    version = serializers.DictField(child=serializers.IntegerField())


class TokenSerializer(serializers.Serializer):
    access_token = serializers.CharField()
    token_type = serializers.CharField()
    expires_in = serializers.IntegerField()
    scope = serializers.CharField()


def _errors(*codes: int) -> dict:
    names = {400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found", 409: "Conflict",
             413: "Request Entity Too Large", 415: "Unsupported Media Type", 422: "Unprocessable Entity"}
    return {code: OpenApiResponse(ProblemSerializer, description=names[code]) for code in codes}


def _path(*names: str) -> list[OpenApiParameter]:
    return [OpenApiParameter(n, OpenApiTypes.UUID, OpenApiParameter.PATH) for n in names]


PAGING = [
    OpenApiParameter("limit", OpenApiTypes.INT, description="1–500, default 100"),
    OpenApiParameter("offset", OpenApiTypes.INT, description="≥ 0, default 0"),
]


# --- Base view ----------------------------------------------------------------------------------------------


class SubmissionAPIView(APIView):
    authentication_classes = [BearerTokenAuthentication]
    permission_classes: list = []
    throttle_classes: list = []
    parser_classes = [JSONParser]  # bounded: amtsweg.core.parsers
    # DRF's own errors (401 with WWW-Authenticate, 400, 405, 415 …) get FIT-Connect problem types
    # (amtsweg.core.problems.exception_handler), like the SubmissionErrors the services raise.
    problem_type_base = PROBLEM_BASE

    def grant(self) -> oauth.Grant:
        if not isinstance(self.request.auth, oauth.Grant):
            raise NotAuthenticated(_("Ein Zugriffstoken (Bearer) ist erforderlich."))
        return self.request.auth

    @staticmethod
    def paging(request) -> tuple[int, int]:
        try:
            limit = int(request.query_params.get("limit", 100))
            offset = int(request.query_params.get("offset", 0))
        except ValueError as exc:
            raise ParseError(_("limit und offset müssen ganze Zahlen sein.")) from exc
        if not 1 <= limit <= 500 or offset < 0 or offset > 2**31 - 1:
            raise ParseError(_("limit muss zwischen 1 und 500 liegen und offset ≥ 0 sein."))
        return limit, offset

    @staticmethod
    def uuid_or_404(value: str, not_found: str) -> uuid.UUID:
        """`value` as a UUID; anything else cannot name a row: NotFound with the message `not_found`."""
        try:
            return uuid.UUID(str(value))
        except ValueError as exc:
            raise NotFound(not_found) from exc

    def validated(self, serializer_class, data):
        """The body checked by `serializer_class`; field errors are a 400 problem listing them (`errors`)."""
        if not isinstance(data, dict):
            raise ParseError(_("Der Inhalt muss ein JSON-Objekt sein."))
        serializer = serializer_class(data=data)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def require_jose(self):
        if self.request.content_type.split(";")[0].strip() != "application/jose":
            raise UnsupportedMediaType(_("Der Content-Type muss application/jose sein."))


def attachment_ids(submission: Submission) -> list[str]:
    """The submission's attachment ids, in the order they were announced.

    Once submitted, every announced attachment is stored (`services.submit` refuses otherwise, and
    `services.create_submitted` stores all it announces) and none can be added, so the announced list is
    the stored one and needs no query. Attachments only go away with the submission's deletion.
    """
    if submission.status in (Submission.Status.SUBMITTED, Submission.Status.FORWARDED):
        return list(submission.announced_attachments)
    return [str(a) for a in submission.attachments.values_list("id", flat=True)]


# --- Destinations ---------------------------------------------------------------------------------------


class DestinationView(SubmissionAPIView):
    @extend_schema(operation_id="get-destination-info", tags=["Einreichungsübermittlung"],
                   summary="Zustellpunkt abfragen", parameters=_path("destination_id"),
                   responses={200: DestinationSerializer, **_errors(401, 403, 404)})
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
                   parameters=[*_path("destination_id"),
                               OpenApiParameter("key_id", OpenApiTypes.STR, OpenApiParameter.PATH)],
                   responses={200: JWKSerializer, **_errors(404)})
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
                   responses={200: SubmissionsForPickupSerializer, **_errors(400, 401, 403)})
    def get(self, request):
        grant = self.grant()
        limit, offset = self.paging(request)
        destination_param = request.query_params.get("destinationId")
        if destination_param:
            try:
                destination_param = uuid.UUID(destination_param)
            except ValueError as exc:
                raise ParseError(_("destinationId muss eine UUID sein.")) from exc
        page = subscriber.list_waiting(subscriber.Subscriber.for_grant(grant), destination_param or None,
                                       limit=limit, offset=offset)
        return Response(SubmissionsForPickupSerializer({
            "count": len(page.rows), "offset": offset, "totalCount": page.total, "submissions": page.rows,
        }).data)

    @extend_schema(operation_id="create-submission", tags=["Einreichungsübermittlung"],
                   summary="Einreichung erstellen", request=CreateSubmissionSerializer,
                   responses={201: SubmissionCreatedSerializer, **_errors(400, 401, 403, 404, 413, 422)})
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
                   parameters=_path("submission_id"),
                   responses={200: SubmissionSerializer, **_errors(400, 401, 403, 404)})
    def get(self, request, submission_id):
        fetched = subscriber.fetch(subscriber.Subscriber.for_grant(self.grant()), submission_id)
        return Response(SubmissionSerializer(fetched.submission).data)

    @extend_schema(operation_id="submit-submission", tags=["Einreichungsübermittlung"],
                   summary="Einreichung versenden", request=SubmitSubmissionSerializer,
                   parameters=_path("submission_id"),
                   responses={202: SubmissionReducedSerializer, **_errors(400, 401, 403, 404, 413, 415, 422)})
    def put(self, request, submission_id):
        grant = self.grant()
        submission = _own_submission(grant, self.uuid_or_404(submission_id, _("Einreichung nicht gefunden.")))
        data = self.validated(SubmitSubmissionSerializer, request.data)
        submission = services.submit(
            submission, encrypted_metadata=data["encryptedMetadata"], encrypted_data=data.get("encryptedData")
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
                   summary="Anlage abrufen", parameters=_path("submission_id", "attachment_id"),
                   responses={(200, "application/jose"): OpenApiTypes.STR, **_errors(400, 401, 403, 404)})
    def get(self, request, submission_id, attachment_id):
        jwe = subscriber.fetch_attachment(subscriber.Subscriber.for_grant(self.grant()), submission_id, attachment_id)
        return HttpResponse(jwe, content_type="application/jose")

    @extend_schema(operation_id="add-submission-attachment", tags=["Einreichungsübermittlung"],
                   summary="Anlage hinzufügen", parameters=_path("submission_id", "attachment_id"),
                   request={"application/jose": {"type": "string", "minLength": 1, "pattern": JOSE_PATTERN}},
                   responses={204: None, **_errors(400, 401, 403, 404, 413, 415, 422)})
    def put(self, request, submission_id, attachment_id):
        grant = self.grant()
        self.require_jose()
        submission = _own_submission(grant, self.uuid_or_404(submission_id, _("Einreichung nicht gefunden.")))
        body = request.data
        if not isinstance(body, str) or not body:
            raise ParseError(_("Der Inhalt muss ein JWE in kompakter Serialisierung sein."))
        try:
            attachment_uuid = uuid.UUID(str(attachment_id))
        except ValueError as exc:
            raise Unprocessable(_("Diese Anlage wurde nicht angekündigt (announcedAttachments).")) from exc
        services.store_attachment(submission, attachment_uuid, body)
        return HttpResponse(status=204)


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
                   parameters=[*_path("case_id"), *PAGING],
                   responses={200: EventLogSerializer, **_errors(400, 401, 403, 404)})
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
                   parameters=_path("case_id"),
                   request={"application/jose": {"type": "string", "pattern": r"\w+\.\w+\.\w+"}},
                   responses={204: None, **_errors(400, 401, 403, 404, 409, 422)})
    def post(self, request, case_id):
        grant = self.grant()
        self.require_jose()
        case = self._case(grant, case_id)
        if not grant.can_subscribe(case.destination_id):
            raise Forbidden(_("Nur das empfangende System des Zustellpunkts darf Ereignisse senden."))
        token = request.data if isinstance(request.data, str) else ""
        try:
            subscriber.send_event(subscriber.Subscriber.for_grant(grant), case.pk, token)
        except events.EventRejected as exc:
            raise EVENT_PROBLEMS[exc.kind](exc.detail) from exc
        return HttpResponse(status=204)


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


class TokenView(SubmissionAPIView):
    """OAuth 2.0 token endpoint (RFC 6749 §4.4, client credentials; form-encoded as FIT-Connect's)."""

    authentication_classes: list = []
    parser_classes = [FormParser]

    @staticmethod
    def oauth_error(status: int, error: str, description: str) -> HttpResponse:
        """An RFC 6749 §5.2 error (not a problem document); `description` English: the RFC allows only ASCII."""
        response = JsonResponse({"error": error, "error_description": description}, status=status)
        response["Cache-Control"] = "no-store"
        return response

    def handle_exception(self, exc):
        if isinstance(exc, APIException) and not isinstance(exc, SubmissionError):
            if exc.status_code == 415:
                return self.oauth_error(400, "invalid_request", "Use application/x-www-form-urlencoded.")
            return self.oauth_error(400, "invalid_request", str(exc.detail))
        return super().handle_exception(exc)

    @extend_schema(operation_id="oauth-token", tags=["Technisch"], auth=[],
                   summary="OAuth 2.0 Access Token (client credentials)",
                   request={"application/x-www-form-urlencoded": {
                       "type": "object", "required": ["grant_type", "client_id", "client_secret"],
                       "properties": {"grant_type": {"type": "string", "enum": ["client_credentials"]},
                                      "client_id": {"type": "string"}, "client_secret": {"type": "string"},
                                      "scope": {"type": "string"}}}},
                   responses={200: TokenSerializer, 400: OpenApiTypes.OBJECT, 401: OpenApiTypes.OBJECT})
    def post(self, request):
        data = request.data
        if data.get("grant_type") != "client_credentials":
            return self.oauth_error(400, "unsupported_grant_type", "Only client_credentials is supported.")
        client_id, client_secret = data.get("client_id", ""), data.get("client_secret", "")
        auth = request.META.get("HTTP_AUTHORIZATION", "")
        if not client_id and auth.lower().startswith("basic "):
            try:
                client_id, _colon, client_secret = base64.b64decode(auth[6:]).decode("utf-8").partition(":")
            except (binascii.Error, UnicodeDecodeError):
                return self.oauth_error(400, "invalid_request", "Malformed Basic credentials.")
        client = oauth.check_client(client_id, client_secret)
        if client is None:
            return self.oauth_error(401, "invalid_client", "Unknown client or wrong secret.")
        scopes = oauth.requested_scopes(client, data.get("scope"))
        if scopes is None:
            return self.oauth_error(400, "invalid_scope", "A requested scope is not granted to this client.")
        token, expires_in = oauth.issue_token(client, scopes)
        response = Response(TokenSerializer({"access_token": token, "token_type": "Bearer",
                                             "expires_in": expires_in, "scope": " ".join(scopes)}).data)
        response["Cache-Control"] = "no-store"
        return response
