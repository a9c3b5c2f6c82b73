"""Serializers of the Submission API: they validate requests, describe the API in the OpenAPI document and
render its answers (FIT-Connect's wire names)."""

from __future__ import annotations

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
