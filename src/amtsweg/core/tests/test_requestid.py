"""Request ids (`core.requestid`): taken when plausible, made otherwise, answered, and in every log line."""

import json

import pytest

from amtsweg.core import requestid


def _lines(stream) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines() if line.strip()]


@pytest.mark.django_db
def test_a_plausible_incoming_id_is_kept_answered_and_logged(client, all_logs):
    response = client.get("/v1/gibt-es-nicht", headers={"X-Request-ID": "lb-7f3a.9c_01"})
    assert response.status_code == 404
    assert response["X-Request-ID"] == "lb-7f3a.9c_01"
    logged = [line for line in _lines(all_logs) if line["logger"] == "django.request"]
    assert logged and all(line["request_id"] == "lb-7f3a.9c_01" for line in logged)


@pytest.mark.parametrize("incoming", [
    "short", "x" * 65, "abc def 12345", "abcdefgh\nFAKE log line", "name=Mustermann;", "ümlaut-12345", "",
])
def test_an_implausible_incoming_id_is_replaced_by_a_new_one(client, incoming):
    response = client.get("/healthz", headers={"X-Request-ID": incoming})
    answered = response["X-Request-ID"]
    assert answered != incoming and requestid.is_valid(answered) and len(answered) == 32


def test_without_an_incoming_id_each_request_gets_its_own(client):
    first, second = client.get("/healthz")["X-Request-ID"], client.get("/healthz")["X-Request-ID"]
    assert first != second and requestid.is_valid(first) and requestid.is_valid(second)
    assert requestid.current() == ""  # nothing leaks into the code after the request


def test_bound_joins_the_valid_ids_of_a_batch_and_restores_the_previous_one():
    with requestid.bound("aaaaaaaa-1"):
        with requestid.bound("bbbbbbbb-2", "aaaaaaaa-1", "", "bad id"):
            assert requestid.current() == "aaaaaaaa-1,bbbbbbbb-2"
        assert requestid.current() == "aaaaaaaa-1"
    assert requestid.current() == ""
