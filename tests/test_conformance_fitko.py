"""Conformance with FITKO's own OpenAPI documents: schemathesis generates requests from FIT-Connect's
Submission API 1.1.3 and Routing API 2.0.0 (not from Amtsweg's generated schema) and checks every answer
against them — status code documented, content type documented, body valid against the response schema,
documented headers present.

The judge is FITKO's text: a request the spec allows gets an answer the spec describes (and operations whose
success the generated requests can reach must show a successful answer that matches); a request the spec's
schema forbids is refused with a client error in FIT-Connect's problem shape. Amtsweg implements the parts of
the Submission API a platform serves to senders and subscribers; the destination management operations FITKO
tags `Internal` (create, change, delete destinations, upload keys: its self-service portal) are done in
Amtsweg's staff UI and staff API instead, so they are left out here (tests/test_fuzz_api.py checks that every
path answers problem documents). Where FITKO's documents contradict themselves, `ERRATA` names the one
failure excused and why.

Bounded and derandomized (CI, SQLite and PostgreSQL): `AMTSWEG_CONFORMANCE_EXAMPLES` examples per operation
and generation mode.
"""

from __future__ import annotations

import copy
import functools
import os
from pathlib import Path

import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis.generation import GenerationMode
from schemathesis.specs.openapi import checks

from amtsweg.core.testing import in_process_wsgi
from amtsweg.submissions.tests.factories import bearer

pytestmark = pytest.mark.django_db
EXAMPLES = int(os.environ.get("AMTSWEG_CONFORMANCE_EXAMPLES", "6"))
REPO = Path(__file__).resolve().parent.parent
SUBMISSION_SPEC = REPO / "src" / "amtsweg" / "submissions" / "schemas" / "submission-api-1.1.3.yaml"
# The Routing API document has no licence that allows shipping it (shared/data/fit-connect/SOURCES.md): it is
# read where the project's shared reference data lie (beside the checkout, as in CI), never copied.
ROUTING_SPEC_CANDIDATES = [REPO.parent / "shared" / "data" / "fit-connect" / "routing-api-2.0.0.yaml",
                           Path("/work/shared/data/fit-connect/routing-api-2.0.0.yaml")]
CHECKS = [checks.status_code_conformance, checks.content_type_conformance, checks.response_schema_conformance,
          checks.response_headers_conformance]
# Requests the spec's schema forbids must be refused (negative_data_rejection), with a documented body.
NEGATIVE_CHECKS = [checks.content_type_conformance, checks.response_schema_conformance,
                   checks.negative_data_rejection]
# Where FITKO's documents contradict themselves or the RFCs, Amtsweg follows the evident intent; each case is
# named here with the one failure it excuses (operation, status, schemathesis failure class) and why.
ERRATA = {
    ("GET /areas", 200, "UndefinedContentType"):
        "Routing API 2.0.0 declares the successful area search as application/problem+json (its body is the "
        "`area-result` schema, not a problem): Amtsweg answers application/json, as for /routes",
    ("PUT /v1/submissions/{submissionId}/attachments/{attachmentId}", 404, "UndefinedStatusCode"):
        "Submission API 1.1.3 lists no 404 for an attachment upload; a submission id that does not exist (or "
        "is another sender's) is answered 404 as by every other operation on /v1/submissions/{submissionId}",
}


@schemathesis.serializer("application/jose")
def _jose(ctx, value):
    """application/jose bodies are compact serialisations: strings (generated ones may be anything)."""
    return value if isinstance(value, bytes) else str(value).encode("utf-8", "surrogatepass")


@functools.cache
def _raw(path: Path) -> dict:
    return yaml.safe_load(path.read_text(encoding="utf-8"))


def routing_spec_path() -> Path:
    for candidate in ROUTING_SPEC_CANDIDATES:
        if candidate.is_file():
            return candidate
    if os.environ.get("CI"):
        pytest.fail(f"FITKO's Routing API document is missing: {ROUTING_SPEC_CANDIDATES[0]}")
    pytest.skip("FITKO's Routing API document (shared/data/fit-connect) is not beside this checkout")


def load(path: Path, base: str, app):
    raw = copy.deepcopy(_raw(path))
    raw["servers"] = [{"url": base}]
    schema = schemathesis.openapi.from_dict(raw)
    schema.app = app
    return schema


@pytest.fixture
def fitko_world(settings, hundesteuer, api_world):
    responsibility = hundesteuer["sb"]
    world = api_world(responsibility)
    destination, key, submitted, incomplete = world.destination, world.key, world.submitted, world.incomplete
    return {
        "tokens": {"sender": bearer(world.sender), "subscriber": bearer(world.subscriber)},
        "known": [
            {"destinationId": str(destination.pk), "keyId": key.kid, "submissionId": str(submitted.pk),
             "caseId": str(submitted.case_id),
             "attachmentId": submitted.announced_attachments[0] if submitted.announced_attachments else ""},
            {"destinationId": str(destination.pk), "keyId": key.kid, "submissionId": str(incomplete.pk),
             "caseId": str(incomplete.case_id), "attachmentId": world.attachment_id},
        ],
        "destination_id": str(destination.pk),
        "queries": {  # per operation, values that find rows
            "GET /routes": {"leikaKey": responsibility.leika_key, "ars": "100410100100"},
            "GET /areas": {"areaSearchexpression": "Saar*"},
            "GET /v1/submissions": {"destinationId": str(destination.pk)},
        },
        "jwe": world.jwe,
        "service": world.service,
    }


def _strategies(operation, fitko_world, mode):
    names = {p.name for p in operation.path_parameters}
    query = fitko_world["queries"].get(operation.label)
    yield operation.as_strategy(generation_mode=mode)
    if mode is GenerationMode.POSITIVE and query:
        yield operation.as_strategy(generation_mode=mode, query=query)
    for known in fitko_world["known"] if names else []:  # twice as often as random ids: real rows answer 2xx
        known_strategy = operation.as_strategy(generation_mode=mode,
                                               path_parameters={k: v for k, v in known.items() if k in names})
        yield from (known_strategy, known_strategy)


def check_operation(operation, fitko_world) -> tuple[list[str], list[int]]:
    """Positive requests: every check. Negative ones (which the spec's schema forbids): the spec does not say
    what a server answers to those, so any 4xx problem document of FIT-Connect's `Error` shape is right, and a
    status the operation documents must carry the documented body."""
    failures: list[str] = []
    successes: list[int] = []  # status codes of positive requests that succeeded (their bodies were checked)
    calls = 0
    tags = set(operation.definition.raw.get("tags") or [])
    # The client the operation is for (its tag: receiving → the subscriber, sending → the sender; both → either).
    tokens = [fitko_world["tokens"][role] for role, tag in (("sender", "Einreichungsübermittlung"),
                                                       ("subscriber", "Einreichungsempfang")) if tag in tags]
    tokens = tokens if len(tokens) == 1 else list(fitko_world["tokens"].values())
    has_input = bool(operation.path_parameters or operation.query or operation.headers or operation.body)
    for mode in GenerationMode if has_input else [GenerationMode.POSITIVE]:

        @given(case=st.one_of(*_strategies(operation, fitko_world, mode)), token=st.sampled_from(tokens),
               real=st.sampled_from([True, True, False]))
        @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
                  suppress_health_check=list(HealthCheck))
        def run(case, token, real):
            nonlocal calls
            # Generated values that the platform's rows make meaningful (a real destination, real JWEs), in
            # positive requests only: a negative request's mutation may be in exactly the value replaced here,
            # and the request would then be valid while schemathesis still counts it as schema-violating.
            if real and mode is GenerationMode.POSITIVE:
                if case.media_type == "application/jose":
                    case.body = fitko_world["jwe"]
                elif isinstance(case.body, dict):
                    if isinstance(case.body.get("destinationId"), str):
                        case.body["destinationId"] = fitko_world["destination_id"]
                    if isinstance(case.body.get("serviceType"), dict):
                        case.body["serviceType"]["identifier"] = fitko_world["service"]
                    for name in ("encryptedMetadata", "encryptedData"):
                        if isinstance(case.body.get(name), str):
                            case.body[name] = fitko_world["jwe"]
            response = case.call(headers={"Authorization": token})
            calls += 1
            if mode is GenerationMode.POSITIVE and 200 <= response.status_code < 300:
                successes.append(response.status_code)
            where = f"{mode.value} {operation.label} → {response.status_code}"
            if mode is GenerationMode.NEGATIVE:
                content_type = response.headers.get("content-type", [""])[0]
                if not 400 <= response.status_code < 500 and response.status_code not in (200, 201, 202, 204):
                    failures.append(f"{where}: neither success nor a client error")
                if response.status_code >= 400 and content_type != "application/problem+json":
                    failures.append(f"{where}: {content_type} is not a problem document")
            try:
                case.validate_response(response, checks=CHECKS if mode is GenerationMode.POSITIVE else NEGATIVE_CHECKS)
            except (AssertionError, BaseExceptionGroup) as exc:  # collected, reported together at the end
                for failure in getattr(exc, "exceptions", [exc]):
                    if (operation.label, response.status_code, type(failure).__name__) in ERRATA:
                        continue
                    failures.append(f"{where}: {type(failure).__name__}: {' '.join(str(failure).split())[:400]}")

        run()
    assert calls >= 1
    return sorted(set(failures)), successes


def operations(path: Path) -> list:
    """The operations a platform serves. FITKO tags the self-service portal's destination management
    `Internal` (create, change, delete destinations, upload keys): Amtsweg's staff do that in its staff UI and
    staff API, and those paths answer 403/404/405 problem documents (tests/test_fuzz_api.py)."""
    schema = load(path, "", None)
    found = [result.ok() for result in schema.get_all_operations()]
    return [o for o in found if "Internal" not in (o.definition.raw.get("tags") or [])]


def submission_operations() -> list[str]:
    return [o.label for o in operations(SUBMISSION_SPEC)]


# Operations whose success the generated requests cannot reach: a case event needs a SET signed with the
# destination's key, a submission is only submitted once all its attachments are there. Their successful
# answers are checked against the same FITKO schemas in submissions/tests/test_wire.py and tests/test_interop_jose.py.
NO_SUCCESS_GENERATED = {"POST /v1/cases/{caseId}/events", "PUT /v1/submissions/{submissionId}"}


@pytest.mark.parametrize("label", submission_operations())
def test_submission_api_answers_as_fitkos_document_says(fitko_world, label):
    with in_process_wsgi() as app:
        schema = load(SUBMISSION_SPEC, "", app)
        failures, successes = check_operation(schema.find_operation_by_label(label), fitko_world)
    assert failures == [], "\n".join(failures)
    assert successes or label in NO_SUCCESS_GENERATED, "no successful answer was checked"


@pytest.mark.parametrize("label", ["GET /routes", "GET /areas", "GET /info"])
def test_routing_api_answers_as_fitkos_document_says(fitko_world, label):
    path = routing_spec_path()
    assert sorted(o.label for o in operations(path)) == sorted(
        ["GET /routes", "GET /areas", "GET /info"])  # the list above is the whole document
    with in_process_wsgi() as app:
        schema = load(path, "/routing-api/v2", app)
        failures, successes = check_operation(schema.find_operation_by_label(label), fitko_world)
    assert failures == [], "\n".join(failures)
    assert successes, "no successful answer was checked"
