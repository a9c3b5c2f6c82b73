"""Amtsweg's OpenAPI document (`/api/schema/`, drf-spectacular) says what the endpoints really answer.

A postprocessing hook (`SPECTACULAR_SETTINGS["POSTPROCESSING_HOOKS"]`) completes every operation's error
answers the way `core.problems` produces them, so that no view has to list them by hand (and none forgets):

* every error document is `application/problem+json` (drf-spectacular writes `application/json` for a
  serializer), with the `Problem` schema;
* the errors the frame answers on every such operation are listed where missing: 400 (query parameters or
  a body that do not fit), 401 and 403 (operations that need credentials), 404 (path parameters), 406 (an
  Accept header the API cannot satisfy), 413 and 415 (request bodies).

The OAuth token endpoint is left alone: it answers RFC 6749 errors (`application/json`), not problems.
"""

from __future__ import annotations

from http import HTTPStatus
from typing import Any

PROBLEM_CONTENT_TYPE = "application/problem+json"
PROBLEM_REF = {"$ref": "#/components/schemas/Problem"}
RFC6749_OPERATIONS = {"oauth-token"}
METHODS = {"get", "put", "post", "delete", "patch", "head", "options", "trace"}


def _needs_credentials(operation: dict[str, Any], document: dict[str, Any]) -> bool:
    security = operation.get("security", document.get("security", []))
    return any(requirement for requirement in security)


def _frame_errors(operation: dict[str, Any], document: dict[str, Any]) -> set[int]:
    parameters = operation.get("parameters", [])
    codes = {406}
    if "requestBody" in operation:
        codes |= {400, 413, 415}
    if any(p.get("in") == "query" for p in parameters):
        codes.add(400)
    if any(p.get("in") == "path" for p in parameters):
        codes.add(404)
    if _needs_credentials(operation, document):
        codes |= {401, 403}
    return codes


def problem_documents(result: dict[str, Any], generator: Any, request: Any, public: bool) -> dict[str, Any]:
    """drf-spectacular postprocessing hook (see module docstring)."""
    for path_item in result.get("paths", {}).values():
        for method, operation in path_item.items():
            if method not in METHODS or operation.get("operationId") in RFC6749_OPERATIONS:
                continue
            responses = operation.setdefault("responses", {})
            for code in _frame_errors(operation, result):
                responses.setdefault(str(code), {"description": HTTPStatus(code).phrase})
            for code, response in responses.items():
                if not code.isdigit() or int(code) < 400:
                    continue
                content = response.get("content") or {}
                schema = (content.get("application/json") or content.get(PROBLEM_CONTENT_TYPE) or {}).get("schema")
                response["content"] = {PROBLEM_CONTENT_TYPE: {"schema": schema or PROBLEM_REF}}
    return result
