"""schemathesis against the live server: the /v1 endpoints of the OpenAPI document, with a valid token.

Bounded on purpose (a few examples per operation): it proves that generated, schema-conformant requests
never cause a server error, not that every branch is covered (test_api.py does that).
"""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings

from amtsweg.routing.tests.factories import DestinationKeyFactory, ResponsibilityFactory
from amtsweg.submissions.tests.factories import ApiClientFactory, bearer, payload_for, submit_payload

pytestmark = pytest.mark.django_db(transaction=True)


@schemathesis.serializer("application/jose")
def _jose(ctx, value):
    """Bodies of application/jose are compact serialisations: plain ASCII strings."""
    if isinstance(value, bytes):
        return value
    return str(value).encode("utf-8", "replace")


@pytest.fixture
def token(live_server):
    responsibility = ResponsibilityFactory()
    DestinationKeyFactory(destination=responsibility.destination, signature=True)
    submit_payload(payload_for(responsibility))
    client = ApiClientFactory(
        subscriber_for=responsibility.destination,
        scopes=[f"subscribe:destination:{responsibility.destination_id}", "send:region:DE10"],
    )
    return bearer(client)


def test_v1_endpoints_never_answer_with_a_server_error(live_server, token, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    schema = schemathesis.openapi.from_url(f"{live_server.url}/api/schema/?format=json").include(
        path_regex=r"^/v1/"
    )
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures: list[str] = []
    seen: list[int] = []

    for operation in operations:

        @given(case=operation.as_strategy())
        @hypothesis_settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck),
                             derandomize=True, database=None)
        def run(case):
            response = case.call(base_url=live_server.url, headers={"Authorization": token})
            seen.append(response.status_code)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}")

        run()
    assert len(seen) >= 2 * len(operations)  # every operation was exercised
    assert failures == []
