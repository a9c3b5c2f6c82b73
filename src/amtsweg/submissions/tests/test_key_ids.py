"""The destination key recorded for a submission is the one that decrypts it, whether the sender's JWE names
it by its `kid` or by its JWK thumbprint (RFC 7638, or the RFC 9278 URI) (issue 15, item 5)."""

from __future__ import annotations

import pytest
from django.test import Client
from joserfc import jwk

from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory, public_jwk
from amtsweg.submissions import crypto
from amtsweg.submissions.models import Submission
from amtsweg.submissions.tests.factories import ApiClientFactory, bearer

pytestmark = pytest.mark.django_db


def _public(key) -> dict:
    return {k: v for k, v in key.jwk.items() if k in ("kty", "n", "e")}


NAMINGS = {
    "kid": lambda key: key.kid,
    "RFC 7638 thumbprint": lambda key: jwk.thumbprint(_public(key)),
    "RFC 9278 thumbprint URI": lambda key: jwk.thumbprint_uri(_public(key)),
    "unknown kid": lambda key: "not-a-key-of-this-destination",
}


@pytest.mark.parametrize("naming", NAMINGS)
def test_the_recorded_key_is_the_destination_key_the_header_names(naming):
    responsibility = ResponsibilityFactory()
    destination = responsibility.destination
    old = destination.active_encryption_key()
    # A second key (other key material): the recorded one must be the one the header names.
    DestinationKeyFactory(destination=destination, kid="zweiter-schluessel",
                          jwk=public_jwk("encryption", "zweiter-schluessel", number=1))
    sender = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(sender_region="10")))
    created = sender.post("/v1/submissions", {
        "destinationId": str(destination.pk), "announcedAttachments": [],
        "serviceType": {"name": "Hundesteuer", "identifier": f"urn:de:fim:leika:leistung:{responsibility.leika_key}"},
    }, content_type="application/json").json()
    header_kid = NAMINGS[naming](old)
    token = crypto.encrypt_for(dict(old.jwk, kid=header_kid), b"{}")
    response = sender.put(f"/v1/submissions/{created['submissionId']}", {"encryptedMetadata": token},
                          content_type="application/json")
    assert response.status_code == 202, response.content
    recorded = Submission.objects.get(pk=created["submissionId"]).encryption_kid
    assert recorded == ("" if naming == "unknown kid" else old.kid)
