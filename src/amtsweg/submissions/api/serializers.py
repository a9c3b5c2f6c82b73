"""Serializers of the Submission API: they validate requests, describe the API in the OpenAPI document and
render its answers (FIT-Connect's wire names)."""

from __future__ import annotations

import re
import uuid

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from amtsweg.core import netguard
from amtsweg.routing.models import Destination, Responsibility
from amtsweg.submissions.models import Submission

API_VERSION = {"major": 1, "minor": 1, "patch": 3}
JOSE_PATTERN = r"^[a-zA-Z0-9-_=.]+$"
URN_PATTERN = r"^urn:[a-z0-9][a-z0-9-]{0,31}:[a-z0-9()+,.:=@;$_!*'%/?#-]+$"
LEIKA_URN = "urn:de:fim:leika:leistung:"


def attachment_ids(submission: Submission) -> list[str]:
    """The submission's attachment ids, in the order they were announced.

    Once submitted, every announced attachment is stored (`services.submit` refuses otherwise, and
    `services.create_submitted` stores all it announces) and none can be added, so the announced list is
    the stored one and needs no query. Attachments only go away with the submission's deletion.
    """
    if submission.status in (Submission.Status.SUBMITTED, Submission.Status.FORWARDED):
        return list(submission.announced_attachments)
    return [str(a) for a in submission.attachments.values_list("id", flat=True)]


# Request fields read the way FIT-Connect's OpenAPI text (JSON Schema) reads them, not the way DRF's fields do by
# default: a `string` is a JSON string (DRF's CharField also takes numbers), kept as sent (DRF trims whitespace,
# which would change a callback secret and let "urn:…\n" through a `$`-anchored pattern), empty where the spec
# sets no `minLength`, and a `pattern` matches the whole value (ECMA `$` is the end of the input).
class SpecString(serializers.CharField):
    default_error_messages = {
        "invalid": _("Ein Text (JSON-String) wird erwartet."),
        "pattern": _("Der Wert entspricht nicht dem Muster {pattern}."),
    }

    def __init__(self, *, pattern: str | None = None, **kwargs):
        kwargs.setdefault("trim_whitespace", False)
        kwargs.setdefault("allow_blank", True)
        super().__init__(**kwargs)
        self.pattern = re.compile(pattern.removeprefix("^").removesuffix("$")) if pattern else None
        self.pattern_text = pattern

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        value = super().to_internal_value(data)
        if self.pattern is not None and not self.pattern.fullmatch(value):
            self.fail("pattern", pattern=self.pattern_text)
        return value


# `format: uuid` with `minLength: 32`, `maxLength: 36`: a JSON string, hyphenated or the 32 hex digits
# (DRF's UUIDField would also take an integer and "urn:uuid:…" or braces, which the lengths exclude).
class SpecUUID(serializers.UUIDField):
    default_error_messages = {"invalid": _("Eine UUID (32 bis 36 Zeichen) wird erwartet.")}

    def to_internal_value(self, data):
        if not isinstance(data, str) or not 32 <= len(data) <= 36:
            self.fail("invalid")
        value = super().to_internal_value(data)
        if not isinstance(value, uuid.UUID):
            self.fail("invalid")
        return value


class ServiceTypeSerializer(serializers.Serializer):
    # Required, but neither `minLength` nor `maxLength` in the spec: "" and long names are allowed.
    name = SpecString()
    description = SpecString(required=False)
    identifier = SpecString(pattern=URN_PATTERN, min_length=7, max_length=255, allow_blank=False)


class CreateCallbackSerializer(serializers.Serializer):
    # `format: uri` and the pattern, `minLength: 9`, no `maxLength`.
    url = SpecString(pattern=r"^https://.+", min_length=9, allow_blank=False)
    secret = SpecString(min_length=32, max_length=512, allow_blank=False)

    def validate_url(self, value: str) -> str:
        """No callbacks into the platform's own network (SSRF). Without DNS: the delivery resolves the name."""
        if not _is_uri(value):
            raise serializers.ValidationError(_("Die Callback-Adresse ist keine gültige URI."))
        problem = netguard.static_problem(value)
        if problem:
            raise serializers.ValidationError(problem)
        return value


def _is_uri(value: str) -> bool:
    """RFC 3986 characters only (no spaces, controls or non-ASCII); the host part is checked by netguard."""
    return bool(re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@!$&'()*+,;=%]+", value))


class CreateSubmissionSerializer(serializers.Serializer):
    destinationId = SpecUUID()  # noqa: N815 - FIT-Connect wire names
    announcedAttachments = serializers.ListField(child=SpecUUID(), allow_empty=True)  # noqa: N815
    caseId = SpecUUID(required=False)  # noqa: N815
    serviceType = ServiceTypeSerializer()  # noqa: N815
    callback = CreateCallbackSerializer(required=False)


# Output: a `Submission`.
class SubmissionCreatedSerializer(serializers.Serializer):
    destinationId = serializers.UUIDField(source="destination_id")  # noqa: N815
    submissionId = serializers.UUIDField(source="pk")  # noqa: N815
    caseId = serializers.UUIDField(source="case_id")  # noqa: N815


class SubmitSubmissionSerializer(serializers.Serializer):
    # No `maxLength` in the spec: the request's size limit (413) bounds them.
    encryptedMetadata = SpecString(pattern=JOSE_PATTERN, allow_blank=False)  # noqa: N815
    encryptedData = SpecString(pattern=JOSE_PATTERN, required=False, allow_blank=False)  # noqa: N815


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
