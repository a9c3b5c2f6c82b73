"""Fuzzing every JSON endpoint of the OpenAPI document (`/api/schema/`) with schemathesis, in-process.

schemathesis loads the document from the WSGI application itself and calls it without a server. Each
operation gets schema-conformant (positive) and schema-violating (negative) requests, half of them on real
rows (a destination, a submitted and an incomplete submission, a case) and with valid credentials (bearer
tokens of a sender and a subscriber, a staff session with CSRF token), so the requests get past the 401/404
doors into the parsers, serializers and services. It must never answer 5xx, and every API error must be
`application/problem+json` (the token endpoint answers RFC 6749 errors instead).

Bounded and derandomized (CI): `FUZZ_EXAMPLES` examples per operation and mode.
"""

from __future__ import annotations

import os
import time

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode

from amtsweg.accounts.testing import login_staff
from amtsweg.accounts.tests.factories import UserFactory
from amtsweg.core.testing import in_process_wsgi
from amtsweg.submissions.tests.factories import bearer

pytestmark = pytest.mark.django_db
FUZZ_EXAMPLES = int(os.environ.get("AMTSWEG_FUZZ_EXAMPLES", "8"))
CSRF = "f" * 32  # a CSRF secret set as cookie and header alike


@schemathesis.serializer("application/jose")
def _jose(ctx, value):
    """application/jose bodies are compact serialisations: strings (generated ones may be anything)."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


@pytest.fixture
def fuzz_api_world(settings, tmp_path, client, responsibility, api_world):
    settings.MEDIA_ROOT = tmp_path / "media"
    world = api_world(responsibility)
    destination, key, submitted, incomplete = world.destination, world.key, world.submitted, world.incomplete
    attachment_id = world.attachment_id
    staff = UserFactory(authority=destination.authority)
    login_staff(client, staff)
    return {
        "tokens": [bearer(world.sender), bearer(world.subscriber)],
        "cookies": {"sessionid": client.cookies["sessionid"].value, "csrftoken": CSRF},
        "path_parameters": [
            {"destination_id": str(destination.pk), "key_id": key.kid, "id": str(destination.pk),
             "submission_id": str(submitted.pk), "case_id": str(submitted.case_id),
             "attachment_id": submitted.announced_attachments[0] if submitted.announced_attachments else ""},
            {"destination_id": str(destination.pk), "key_id": key.kid, "id": str(destination.pk),
             "submission_id": str(incomplete.pk), "case_id": str(incomplete.case_id),
             "attachment_id": attachment_id},
        ],
        "jwe": world.jwe,
    }


def _strategies(operation, fuzz_api_world):
    names = {p.name for p in operation.path_parameters}
    for mode in GenerationMode:
        yield operation.as_strategy(generation_mode=mode)
        for known in fuzz_api_world["path_parameters"]:
            yield operation.as_strategy(generation_mode=mode,
                                        path_parameters={k: v for k, v in known.items() if k in names})


def test_no_json_endpoint_answers_a_server_error_or_an_error_that_is_not_a_problem(fuzz_api_world):
    failures: list[str] = []
    calls = 0
    started = time.perf_counter()
    with in_process_wsgi() as app:
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
        assert len(operations) >= 20, [o.label for o in operations]
        for operation in operations:

            @given(case=st.one_of(*_strategies(operation, fuzz_api_world)),
                   token=st.sampled_from(fuzz_api_world["tokens"]),
                   valid_jwe=st.booleans(), real_destination=st.booleans())
            @settings(max_examples=FUZZ_EXAMPLES * 2, deadline=None, derandomize=True, database=None,
                      suppress_health_check=list(HealthCheck))
            def run(case, token, valid_jwe, real_destination):
                nonlocal calls
                if valid_jwe and case.media_type == "application/jose":
                    case.body = fuzz_api_world["jwe"]
                if real_destination and isinstance(case.body, dict) and "destinationId" in case.body:
                    case.body["destinationId"] = fuzz_api_world["path_parameters"][0]["destination_id"]
                headers = {"Authorization": token, "X-CSRFToken": CSRF}
                response = case.call(headers=headers, cookies=fuzz_api_world["cookies"])
                calls += 1
                content_type = response.headers.get("content-type", [""])[0]
                where = f"{case.method} {case.formatted_path} → {response.status_code} {content_type}"
                if response.status_code >= 500:
                    failures.append(where + f" {response.content[:300]!r}")
                elif (response.status_code >= 400 and case.path != "/token"
                      and not content_type.startswith("application/problem+json")):
                    failures.append(where + " (not a problem document)")

            run()
    elapsed = time.perf_counter() - started
    print(f"\nschemathesis: {len(operations)} operations, {calls} requests in {elapsed:.1f} s")
    assert calls >= len(operations) * FUZZ_EXAMPLES
    assert failures == [], "\n".join(sorted(set(failures)))


# Bodies no schema generator writes: what broke the parsers before (deep nesting, NUL, surrogates, NaN,
# numbers beyond float, not UTF-8, above the size limit).
HOSTILE_BODIES = [
    b"[" * 100_000 + b"]" * 100_000,
    b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
    b'{"name": "a\\u0000b", "destinationId": "a\\u0000"}',
    b'{"name": "\\ud800"}',
    b'{"limit": NaN, "x": Infinity}',
    b'{"n": 1e999999, "m": -1e999999}',
    b"\xff\xfe\x00\x00{",
    b"{" * 10 + b'"',
    b"null",
    b'"' + b"a" * 1000 + b'"',
    b"x" * (6 * 1024 * 1024),
]


def test_hostile_raw_bodies_are_4xx_problems_on_every_endpoint_with_a_body(fuzz_api_world, client):
    failures: list[str] = []
    with in_process_wsgi() as app:
        schema = schemathesis.openapi.from_wsgi("/api/schema/?format=json", app)
        operations = [result.ok() for result in schema.get_all_operations()]
    client.cookies["csrftoken"] = CSRF
    with_body = [o for o in operations if o.body]
    assert len(with_body) >= 5
    for operation in with_body:
        names = {p.name for p in operation.path_parameters}
        for known in fuzz_api_world["path_parameters"]:
            path = operation.path.format(**{k: v for k, v in known.items() if k in names})
            for media_type in {body.media_type for body in operation.body}:
                for body in HOSTILE_BODIES:
                    response = client.generic(operation.method.upper(), path, body, content_type=media_type,
                                              HTTP_AUTHORIZATION=fuzz_api_world["tokens"][0], HTTP_X_CSRFTOKEN=CSRF)
                    where = f"{operation.method.upper()} {path} {media_type} {body[:20]!r} → {response.status_code}"
                    if response.status_code >= 500:
                        failures.append(where)
                    elif response.status_code >= 400 and path != "/token" and \
                            response["Content-Type"] != "application/problem+json":
                        failures.append(where + " (not a problem document)")
    assert failures == [], "\n".join(failures)
