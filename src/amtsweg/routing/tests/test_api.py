"""The FIT-Connect-compatible routing API: parameters, response fields, error shapes, signature, rate limit."""

import pytest
from django.core.cache import cache
from joserfc.errors import BadSignatureError

from amtsweg.core.actors import SYSTEM
from amtsweg.routing.services import add_key, verify_route_signature
from amtsweg.routing.tests.factories import public_jwk

pytestmark = pytest.mark.django_db
KEY = "99102013000000"
ROUTES = "/routing-api/v2/routes"


@pytest.fixture(autouse=True)
def _fresh_rate_limit():
    cache.clear()
    yield
    cache.clear()


def get(client, url, **params):
    return client.get(url, params)


def test_route_by_ars_has_the_fit_connect_fields(client, hundesteuer, settings):
    settings.PUBLIC_BASE_URL = "https://amtsweg.example"
    response = get(client, ROUTES, leikaKey=KEY, ars="100410100100")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["offset"], body["totalCount"]) == (1, 0, 1)
    route = body["routes"][0]
    destination = hundesteuer["sb"].destination
    assert route["destinationId"] == str(destination.pk)
    assert route["destinationName"] == destination.authority.name
    assert route["contactPersons"][0]["email"] == destination.authority.email
    assert route["address"] == {"street": "Rathausplatz", "houseNumber": "1", "zip": "66111",
                                "city": destination.authority.city}
    params = route["destinationParameters"]
    key = destination.active_encryption_key()
    assert params["encryptionKid"] == key.kid
    assert params["publicKeys"] == {"keys": [key.jwk]}
    assert params["submissionUrl"] == "https://amtsweg.example/v1"
    assert params["deliveryChannels"] == ["pull"]
    assert params["status"] == "active"
    assert params["metadataVersions"] == ["1.0.0"]
    assert route["responsibilityArea"] == {"id": "100410100100", "name": "Saarbrücken, Landeshauptstadt",
                                           "type": "Gemeinde"}
    assert response["RateLimit-Limit"] and response["RateLimit-Remaining"] and response["RateLimit-Reset"]


def test_route_signature_verifies_with_the_published_jwks(client, hundesteuer):
    route = get(client, ROUTES, leikaKey=KEY, ars="100420111111").json()["routes"][0]
    jwks = client.get("/routing-api/v2/.well-known/jwks.json").json()
    payload = verify_route_signature(route["destinationSignature"], jwks)
    assert payload["destinationId"] == route["destinationId"]
    assert payload["destinationParameters"] == route["destinationParameters"]
    # a tampered payload does not verify
    header, body, signature = route["destinationSignature"].split(".")
    forged = ".".join([header, body[:-4] + ("AAAA" if body[-4:] != "AAAA" else "BBBB"), signature])
    with pytest.raises((BadSignatureError, ValueError)):
        verify_route_signature(forged, jwks)


def test_signature_follows_key_rotation(client, hundesteuer):
    destination = hundesteuer["sb"].destination
    first = get(client, ROUTES, leikaKey=KEY, ars="100410100100").json()["routes"][0]
    add_key(destination, public_jwk("encryption", "rotated-key-0002", number=1), "encryption", actor=SYSTEM)
    second = get(client, ROUTES, leikaKey=KEY, ars="100410100100").json()["routes"][0]
    assert second["destinationParameters"]["encryptionKid"] == "rotated-key-0002"
    jwks = client.get("/routing-api/v2/.well-known/jwks.json").json()
    assert verify_route_signature(second["destinationSignature"], jwks)["destinationParameters"][
        "encryptionKid"] == "rotated-key-0002"
    assert first["destinationSignature"] != second["destinationSignature"]


def test_ags_and_area_id(client, hundesteuer, saarland):
    by_ags = get(client, ROUTES, leikaKey=KEY, ags=saarland["vk"].ags).json()["routes"][0]
    assert by_ags["destinationId"] == str(hundesteuer["kreis"].destination_id)
    by_area = get(client, ROUTES, leikaKey=KEY, areaId="100420111111").json()["routes"][0]
    assert by_area["destinationId"] == str(hundesteuer["land"].destination_id)


def test_ambiguous_postcode_returns_a_route_per_destination_with_its_gemeinden(client, hundesteuer):
    body = get(client, ROUTES, leikaKey=KEY, postcode="66333").json()
    assert body["totalCount"] == 2
    areas = {r["destinationId"]: [a["id"] for a in r["areas"]] for r in body["routes"]}
    assert areas == {str(hundesteuer["sb"].destination_id): ["100410100100"],
                     str(hundesteuer["kreis"].destination_id): ["100410519519"]}
    page = get(client, ROUTES, leikaKey=KEY, postcode="66333", offset=1, limit=1).json()
    assert (page["count"], page["offset"], page["totalCount"]) == (1, 1, 2)


def test_unknown_key_or_area_is_an_empty_result_naming_what_was_asked(client, hundesteuer):
    body = get(client, ROUTES, leikaKey="99999999999999", ars="100410100100").json()
    assert body == {"count": 0, "offset": 0, "totalCount": 0, "routes": [], "detail": body["detail"]}
    assert "99999999999999" in body["detail"]
    body = get(client, ROUTES, leikaKey=KEY, ars="100410100999").json()
    assert body["routes"] == [] and "100410100999" in body["detail"]


@pytest.mark.parametrize(
    ("params", "slug"),
    [
        ({"ars": "10"}, "missing-parameter"),
        ({"leikaKey": "12345", "ars": "10"}, "invalid-parameter"),
        ({"leikaKey": KEY}, "invalid-area-parameter"),
        ({"leikaKey": KEY, "ars": "10", "ags": "10041100"}, "invalid-area-parameter"),
        ({"leikaKey": KEY, "ars": "1004"}, "invalid-parameter"),
        ({"leikaKey": KEY, "ags": "100411"}, "invalid-parameter"),
        ({"leikaKey": KEY, "areaId": "x"}, "invalid-parameter"),
        ({"leikaKey": KEY, "postcode": "6611"}, "invalid-parameter"),
        ({"leikaKey": KEY, "ars": "10", "limit": "501"}, "invalid-parameter"),
        ({"leikaKey": KEY, "ars": "10", "offset": "-1"}, "invalid-parameter"),
        ({"leikaKey": KEY, "ars": "10", "limit": "zehn"}, "invalid-parameter"),
        # The spec's patterns (ECMA-262: \d is 0-9, $ is the end) refuse these; Python's \d and $ took them
        # and answered 200 with an empty route list
        ({"leikaKey": "99١٠٢٠١٣٠٠٠٠٠٠", "ars": "10"}, "invalid-parameter"),
        ({"leikaKey": KEY, "ars": "١٠"}, "invalid-parameter"),
        ({"leikaKey": KEY, "ars": "10\n"}, "invalid-parameter"),
        ({"leikaKey": KEY, "ags": "١٠٠٤١١٠٠"}, "invalid-parameter"),
        ({"leikaKey": KEY, "areaId": "١٠"}, "invalid-parameter"),
        ({"leikaKey": KEY, "postcode": "٦٦١١١"}, "invalid-parameter"),
        ({"leikaKey": KEY, "postcode": "00111"}, "invalid-parameter"),
    ],
)
def test_bad_requests_are_problem_documents(client, params, slug):
    response = client.get(ROUTES, params)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    body = response.json()
    assert body["type"] == f"/routing-api/v2/problems/{slug}"
    assert body["status"] == 400 and body["title"] and body["detail"]
    assert body["instance"] == "http://testserver" + ROUTES  # absolute: FIT-Connect says format uri


def test_areas_search_by_name_wildcard_and_postcode(client, saarland):
    body = client.get("/routing-api/v2/areas", {"areaSearchexpression": "Völkl*"}).json()
    assert {a["id"] for a in body["areas"]} >= {"100410519519"}
    assert body["count"] == len(body["areas"]) and body["offset"] == 0
    body = client.get("/routing-api/v2/areas", {"areaSearchexpression": "66333"}).json()
    assert {a["id"] for a in body["areas"]} == {"100410100100", "100410519519"}
    both = client.get("/routing-api/v2/areas?areaSearchexpression=66333&areaSearchexpression=Saarbr*").json()
    assert [a["id"] for a in both["areas"]] == ["100410100100"]
    assert both["areas"][0]["type"] == "Gemeinde"
    land = client.get("/routing-api/v2/areas", {"areaSearchexpression": "Saarland"}).json()["areas"][0]
    assert land == {"id": "10", "name": "Saarland", "type": "Bundesland"}


def test_route_for_a_regierungsbezirk_key(client, hundesteuer):
    body = client.get(ROUTES, {"leikaKey": KEY, "ars": "100"}).json()
    assert body["totalCount"] == 1  # the Saarland has no Regierungsbezirke: 100 lies inside the Land's 10


def test_areas_errors(client):
    assert client.get("/routing-api/v2/areas").status_code == 400
    response = client.get("/routing-api/v2/areas", {"areaSearchexpression": "a"})
    assert response.status_code == 400 and response.json()["type"].endswith("invalid-parameter")


def test_more_than_ten_search_expressions_are_refused_even_when_some_are_empty(client):
    """The spec's maxItems (10) counts every value; its pattern allows an empty one. Found by the FITKO
    conformance suite: ten empty values and one real one passed once the empty ones were dropped first."""
    response = client.get("/routing-api/v2/areas", {"areaSearchexpression": ["Saarbrücken"] + [""] * 10})
    assert response.status_code == 400 and response.json()["type"].endswith("invalid-parameter")


def test_info_and_jwks(client):
    assert client.get("/routing-api/v2/info").json() == {"version": {"major": 2, "minor": 0, "patch": 0}}
    jwks = client.get("/routing-api/v2/.well-known/jwks.json").json()
    assert jwks["keys"][0]["alg"] == "PS512" and "d" not in jwks["keys"][0]


def test_rate_limit_answers_429_with_a_problem(client, hundesteuer, settings):
    settings.ROUTING_API_RATE_LIMIT = 3
    for _ in range(3):
        assert client.get(ROUTES, {"leikaKey": KEY, "ars": "10"}).status_code == 200
    response = client.get(ROUTES, {"leikaKey": KEY, "ars": "10"})
    assert response.status_code == 429
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["status"] == 429 and response.json()["type"].endswith("too-many-requests")
    assert response["RateLimit-Remaining"] == "0" and int(response["Retry-After"]) > 0
    # another client is not affected
    assert client.get(ROUTES, {"leikaKey": KEY, "ars": "10"}, REMOTE_ADDR="10.0.0.2").status_code == 200


def test_write_methods_are_refused(client):
    response = client.post(ROUTES, {})
    assert response.status_code == 405
    assert response["Content-Type"] == "application/problem+json"


def test_openapi_document_lists_the_routing_api(client):
    response = client.get("/api/schema/", HTTP_ACCEPT="application/json")
    assert response.status_code == 200
    text = response.content.decode()
    for needle in ("/routing-api/v2/routes", "/routing-api/v2/areas", "leikaKey", "areaSearchexpression",
                   "destinationSignature", "destinationParameters", "encryptionKid"):
        assert needle in text


def test_land_central_destination_serving_a_kommune_names_the_kommune(client, saarland, offices):
    from amtsweg.routing.services import add_responsibility

    vk = offices["vk"].authority
    add_responsibility("99115004001005", "100410519519", vk, offices["land"], actor=SYSTEM)
    route = get(client, ROUTES, leikaKey="99115004001005", ars="100410519519").json()["routes"][0]
    assert route["destinationId"] == str(offices["land"].pk)
    assert route["destinationName"] == vk.name
    assert route["contactPersons"][0]["email"] == vk.email


def test_rate_limit_counts_the_client_behind_the_trusted_proxy(client, hundesteuer, settings):
    settings.ROUTING_API_RATE_LIMIT = 2
    settings.AMTSWEG_TRUSTED_PROXIES = 1
    query = {"leikaKey": KEY, "ars": "10"}
    for _ in range(2):
        assert client.get(ROUTES, query, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 200
    assert client.get(ROUTES, query, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.1").status_code == 429
    # another client behind the same proxy still gets answers
    assert client.get(ROUTES, query, REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="198.51.100.2").status_code == 200


def test_rate_limit_ignores_a_forged_forwarded_header_without_trusted_proxies(client, hundesteuer, settings):
    settings.ROUTING_API_RATE_LIMIT = 2
    settings.AMTSWEG_TRUSTED_PROXIES = 0
    query = {"leikaKey": KEY, "ars": "10"}
    for n in range(2):
        assert client.get(ROUTES, query, HTTP_X_FORWARDED_FOR=f"203.0.113.{n}").status_code == 200
    assert client.get(ROUTES, query, HTTP_X_FORWARDED_FOR="203.0.113.99").status_code == 429
