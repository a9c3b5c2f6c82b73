"""SSRF guard for sender callbacks: a sender (untrusted) must not make the platform call its own network.

The guard (`amtsweg.core.netguard`) refuses at announce what is visible without DNS, and at delivery what
the name resolves to, once right before the POST and again when the connection is opened (DNS rebinding).
"""

from __future__ import annotations

import ipaddress
import socket

import httpx
import pytest
from django.test import Client

from amtsweg.core import netguard
from amtsweg.core.actors import SYSTEM
from amtsweg.delivery import services
from amtsweg.delivery.channels import sender_callback
from amtsweg.delivery.models import OutboxMessage
from amtsweg.delivery.tests.endpoint import Endpoint
from amtsweg.routing.tests.factories import ResponsibilityFactory
from amtsweg.submissions.models import Submission
from amtsweg.submissions.tests.factories import ApiClientFactory, bearer, payload_for, submit_payload

Status = OutboxMessage.Status
CHANNEL = sender_callback.IDENTIFIER
SECRET = "s3cr3t-0f-the-sender" * 3
PUBLIC = "93.184.215.14"


@pytest.fixture(autouse=True)
def _guard_on(settings, tmp_path):
    """The tests' conftest allows private networks (loopback endpoints); here the production default."""
    settings.AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS = False
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def dns(monkeypatch):
    """A fake resolver: name -> list of answers; each lookup takes the next answer (the last one repeats)."""
    answers: dict[str, list[list[str]]] = {}
    lookups: list[str] = []

    def resolve(host: str, port: int):
        lookups.append(host)
        if host not in answers:
            raise netguard.Unresolvable(f"unknown test name {host}")
        queue = answers[host]
        current = queue.pop(0) if len(queue) > 1 else queue[0]
        return [ipaddress.ip_address(a) for a in current]

    monkeypatch.setattr(netguard, "resolve", resolve)
    resolve.answers, resolve.lookups = answers, lookups
    return resolve


# --- The guard itself --------------------------------------------------------------------------------------


@pytest.mark.parametrize("address", [
    "10.0.0.5", "172.16.0.1", "192.168.1.1", "127.0.0.1", "127.8.9.10", "169.254.169.254", "100.64.0.1",
    "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255", "192.0.2.1", "198.18.0.1",
    "::1", "::", "fe80::1", "fc00::1", "fd12:3456::1", "ff02::1", "2001:db8::1", "::ffff:10.0.0.5",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "64:ff9b::a00:5", "64:ff9b::7f00:1", "2002:a00:5::1",
])
def test_non_public_addresses_are_refused(address):
    assert not netguard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize("address", [PUBLIC, "8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"])
def test_public_addresses_pass(address):
    assert netguard.is_public(ipaddress.ip_address(address))


@pytest.mark.parametrize(("url", "reason"), [
    ("http://onlinedienst.example.org/cb", "https://"),
    ("ftp://onlinedienst.example.org/cb", "https://"),
    ("file:///etc/passwd", "keine gültige URL"),
    ("https:///cb", "keine gültige URL"),
    ("https://10.0.0.5/cb", "nicht öffentliche IP-Adresse (10.0.0.5)"),
    ("https://169.254.169.254/latest/meta-data/", "nicht öffentliche IP-Adresse (169.254.169.254)"),
    ("https://100.64.1.1:8443/cb", "nicht öffentliche"),
    ("https://0.0.0.0/cb", "nicht öffentliche"),
    ("https://[::1]:8443/cb", "nicht öffentliche"),
    ("https://[::ffff:10.0.0.5]/cb", "nicht öffentliche"),
    ("https://[fe80::1%25eth0]/cb", "keine gültige URL"),
    ("https://2130706433/cb", "nicht öffentliche IP-Adresse (127.0.0.1)"),  # what the resolver makes of it
    ("https://0x7f.1/cb", "nicht öffentliche IP-Adresse (127.0.0.1)"),
    ("https://127.1/cb", "nicht öffentliche IP-Adresse (127.0.0.1)"),
    ("https://localhost/cb", "localhost"),
    ("https://LOCALHOST./cb", "localhost"),
    ("https://admin.localhost/cb", "localhost"),
])
def test_static_checks_refuse_without_dns(url, reason, dns):
    assert reason in netguard.static_problem(url)
    with pytest.raises(netguard.Refused, match=reason.replace("(", r"\(").replace(")", r"\)")):
        netguard.check(url)
    assert dns.lookups == []  # refused before any lookup


@pytest.mark.parametrize("url", [
    "https://onlinedienst.example.org/fit-connect", f"https://{PUBLIC}:8443/cb", "https://[2606:4700::1111]/cb",
    "https://bücher.example/cb",
])
def test_static_checks_pass_public_looking_urls(url, dns):
    assert netguard.static_problem(url) is None
    assert dns.lookups == []


def test_a_name_is_refused_if_any_address_is_private(dns):
    dns.answers["mixed.example"] = [[PUBLIC, "10.0.0.5"]]
    dns.answers["public.example"] = [[PUBLIC, "2606:4700::1111"]]
    dns.answers["mapped.example"] = [["::ffff:192.168.0.10"]]
    with pytest.raises(netguard.Refused, match=r"mixed.example führt zu einer nicht öffentlichen IP-Adresse\.$"):
        netguard.check("https://mixed.example/cb")
    with pytest.raises(netguard.Refused, match="nicht öffentlichen"):
        netguard.check("https://mapped.example/cb")
    assert netguard.check("https://public.example/cb") == [
        ipaddress.ip_address(PUBLIC), ipaddress.ip_address("2606:4700::1111")]
    with pytest.raises(netguard.Unresolvable):
        netguard.check("https://nowhere.example/cb")


def test_resolve_reads_every_answer_of_getaddrinfo(monkeypatch):
    def getaddrinfo(host, port, *args, **kwargs):
        assert (host, port) == ("sender.example", 443)
        return [
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, 443)),
            (socket.AF_INET6, socket.SOCK_STREAM, 6, "", ("fe80::1%eth0", 443, 0, 2)),
            (socket.AF_INET, socket.SOCK_STREAM, 6, "", (PUBLIC, 443)),
        ]

    monkeypatch.setattr(netguard.socket, "getaddrinfo", getaddrinfo)
    assert netguard.resolve("sender.example", 443) == [ipaddress.ip_address(PUBLIC), ipaddress.ip_address("fe80::1")]
    with pytest.raises(netguard.Refused, match="sender.example führt zu einer nicht öffentlichen"):
        netguard.check("https://sender.example/cb")

    def fails(*args, **kwargs):
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(netguard.socket, "getaddrinfo", fails)
    with pytest.raises(netguard.Unresolvable, match="sender.example"):
        netguard.resolve("sender.example", 443)


def test_the_setting_is_read_at_call_time(settings, dns):
    dns.answers["sender.internal"] = [["10.1.2.3"]]
    assert netguard.static_problem("http://127.0.0.1:8000/cb")
    settings.AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS = True
    for url in ("http://127.0.0.1:8000/cb", "http://localhost:8000/cb", "https://10.0.0.5/cb", "http://[::1]/cb"):
        assert netguard.static_problem(url) is None, url
    assert netguard.check("https://sender.internal/cb") == [ipaddress.ip_address("10.1.2.3")]
    # Plain http still only where it is visibly local; a public name needs https.
    assert "https://" in netguard.static_problem("http://onlinedienst.example.org/cb")
    settings.AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS = False
    with pytest.raises(netguard.Refused):
        netguard.check("https://sender.internal/cb")


def test_the_client_connects_to_the_checked_address_not_a_fresh_lookup(settings, dns):
    """The name exists only in our resolver: the request arrives, so the connection used its answer."""
    settings.AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS = True
    endpoint = Endpoint()
    try:
        port = endpoint.server.server_address[1]
        dns.answers["sender.test"] = [["127.0.0.1"]]
        with netguard.client(5) as client:
            response = client.post(f"http://sender.test:{port}/cb", content=b"{}")
        assert response.status_code == 200
        [(headers, _body)] = endpoint.requests
        assert headers["Host"] == f"sender.test:{port}"
        assert dns.lookups == ["sender.test"]
        # With the guard on, the same connection attempt is refused before a byte is sent.
        settings.AMTSWEG_CALLBACK_ALLOW_PRIVATE_NETWORKS = False
        with netguard.client(5) as client, pytest.raises(netguard.Refused):
            client.post(f"http://sender.test:{port}/cb", content=b"{}")
        assert len(endpoint.requests) == 1
    finally:
        endpoint.close()


# --- At announce (Submission API) --------------------------------------------------------------------------


def announce(url: str):
    responsibility = ResponsibilityFactory()
    client = Client(HTTP_AUTHORIZATION=bearer(ApiClientFactory(sender_region="10")))
    return client.post("/v1/submissions", {
        "destinationId": str(responsibility.destination.pk), "announcedAttachments": [],
        "callback": {"url": url, "secret": SECRET},
        "serviceType": {"name": "Hundesteuer", "identifier": "urn:de:fim:leika:leistung:99102013000000"},
    }, content_type="application/json")


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "reason"), [
    ("https://10.0.0.5/cb", "nicht öffentliche IP-Adresse (10.0.0.5)"),
    ("https://169.254.169.254/latest/meta-data/", "nicht öffentliche IP-Adresse (169.254.169.254)"),
    ("https://localhost:8443/cb", "localhost"),
    ("https://[::ffff:127.0.0.1]/cb", "nicht öffentliche"),
])
def test_the_api_refuses_internal_callback_urls_at_announce(url, reason, dns):
    response = announce(url)
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == 400 and problem["instance"] == "http://testserver/v1/submissions"
    assert reason in problem["detail"] and "callback.url: " in problem["detail"]
    assert reason in problem["errors"]["callback"]["url"][0]
    assert not Submission.objects.exists()
    assert dns.lookups == []


@pytest.mark.django_db
def test_the_api_takes_a_name_without_resolving_it(dns):
    """DNS is slow and its answer may change: the name is checked when the platform actually calls it."""
    response = announce("https://onlinedienst.example.org/fit-connect")
    assert response.status_code == 201, response.content
    assert Submission.objects.get().callback_url == "https://onlinedienst.example.org/fit-connect"
    assert dns.lookups == []


# --- At delivery (sender callback channel) -----------------------------------------------------------------


def submission_with_callback(url: str) -> Submission:
    """A submitted submission whose sender gave `url`, with its sender-callback row enqueued."""
    responsibility = ResponsibilityFactory()
    submission = submit_payload(payload_for(responsibility))
    Submission.objects.filter(pk=submission.pk).update(callback_url=url, callback_secret=SECRET)
    services.run_until_idle()  # the destination's own channels
    services.enqueue(submission_id=submission.pk, destination_id=submission.destination_id,
                     authority_id=responsibility.destination.authority_id, case_id=submission.case_id,
                     channel_names=[CHANNEL])
    return submission


@pytest.mark.django_db
def test_a_name_that_resolves_to_a_private_address_is_a_dead_letter(settings, dns):
    dns.answers["callback.sender.example"] = [["10.0.0.5"]]
    submission_with_callback("https://callback.sender.example/fit-connect")
    assert services.run_until_idle() == {Status.DEAD: 1}  # permanent: the sender cannot change the URL
    row = OutboxMessage.objects.get(channel=CHANNEL)
    assert row.attempts == 1
    assert "callback.sender.example führt zu einer nicht öffentlichen IP-Adresse." in row.last_error
    assert "10.0.0.5" not in row.last_error  # staff (and the sender) do not learn internal DNS answers


@pytest.mark.django_db
def test_dns_rebinding_between_check_and_connect_is_refused(settings, dns):
    """The first answer is public (the check before the POST), the next one loopback (the connection)."""
    endpoint = Endpoint()
    try:
        port = endpoint.server.server_address[1]
        dns.answers["rebind.example"] = [[PUBLIC], ["127.0.0.1"]]
        submission_with_callback(f"https://rebind.example:{port}/cb")
        assert services.run_until_idle() == {Status.DEAD: 1}
        row = OutboxMessage.objects.get(channel=CHANNEL)
        assert "rebind.example führt zu einer nicht öffentlichen IP-Adresse." in row.last_error
        assert dns.lookups == ["rebind.example", "rebind.example"]
        assert endpoint.requests == []
    finally:
        endpoint.close()


@pytest.mark.django_db
def test_an_unresolvable_name_is_retried(settings, dns):
    settings.AMTSWEG_DELIVERY_BACKOFF_BASE_SECONDS = 60
    submission_with_callback("https://not-yet.sender.example/cb")
    assert services.run_until_idle() == {Status.PENDING: 1}
    assert OutboxMessage.objects.get(channel=CHANNEL).attempts == 1


# --- Destination callbacks (issue 12, item 2): authority staff choose the URL --------------------------------


def _staff_client(destination):
    from amtsweg.accounts.testing import login_staff
    from amtsweg.accounts.tests.factories import UserFactory

    client = Client()
    login_staff(client, UserFactory(authority=destination.authority))
    return client


INTERNAL_DESTINATION_URLS = [
    ("http://fachverfahren.example.org/cb", "https://"),
    ("https://10.0.0.5/cb", "nicht öffentliche IP-Adresse (10.0.0.5)"),
    ("https://169.254.169.254/latest/meta-data/", "nicht öffentliche"),
    ("https://[fec0::1]/cb", "nicht öffentliche"),
    ("https://localhost:8443/cb", "localhost"),
    ("https://intern.kommune.example/cb", "nicht öffentlichen"),  # resolves to 10.1.2.3
    ("https://gibt-es-nicht.kommune.example/cb", "gibt-es-nicht.kommune.example"),  # does not resolve
]


@pytest.mark.django_db
@pytest.mark.parametrize(("url", "reason"), INTERNAL_DESTINATION_URLS)
def test_staff_cannot_save_an_internal_destination_callback(url, reason, dns):
    """At save, through every way staff change a destination: services, the edit page, the staff API."""
    from amtsweg.routing import services as routing
    from amtsweg.routing.tests.factories import DestinationFactory

    dns.answers["intern.kommune.example"] = [["10.1.2.3"]]
    destination = DestinationFactory(callback=True)
    before = destination.callback_url
    with pytest.raises(routing.RoutingError, match=reason.replace("(", r"\(").replace(")", r"\)")):
        routing.update_destination(destination, callback_url=url, actor=SYSTEM)

    client = _staff_client(destination)
    page = client.post(f"/verwaltung/zustellpunkte/{destination.pk}/bearbeiten/", {
        "name": destination.name, "channels": ["pull", "callback"], "callback_url": url, "status": "active",
    })
    assert page.status_code == 200 and reason in page.content.decode()
    api = client.patch(f"/verwaltung/zustellpunkte/api/{destination.pk}/", {"callbackUrl": url},
                       content_type="application/json")
    assert api.status_code == 400 and reason in api.json()["detail"]
    destination.refresh_from_db()
    assert destination.callback_url == before


@pytest.mark.django_db
def test_the_create_form_checks_the_callback_too(dns):
    import json

    from amtsweg.routing.models import Destination
    from amtsweg.routing.tests.factories import DestinationFactory, public_jwk

    client = _staff_client(DestinationFactory())
    dns.answers["intern.kommune.example"] = [["192.168.7.7"]]
    page = client.post("/verwaltung/zustellpunkte/neu/", {
        "authority": Destination.objects.get().authority_id, "name": "Intern", "channels": ["pull", "callback"],
        "callback_url": "https://intern.kommune.example/cb",
        "encryption_key": json.dumps(public_jwk("encryption", "ssrf-key-00001")),
    })
    assert page.status_code == 200 and "nicht öffentlichen" in page.content.decode()
    assert not Destination.objects.filter(name="Intern").exists()


@pytest.mark.django_db
def test_a_public_name_and_the_deployments_fachverfahren_network_can_be_saved(settings, dns):
    from amtsweg.routing import services as routing
    from amtsweg.routing.tests.factories import DestinationFactory

    dns.answers["fv.kommune.example"] = [[PUBLIC]]
    dns.answers["fv.intern.example"] = [["10.20.1.2"]]
    destination = DestinationFactory(callback=True)
    routing.update_destination(destination, callback_url="https://fv.kommune.example/cb", actor=SYSTEM)
    with pytest.raises(routing.RoutingError):
        routing.update_destination(destination, callback_url="https://fv.intern.example/cb", actor=SYSTEM)
    settings.AMTSWEG_CALLBACK_ALLOWED_NETWORKS = "10.20.0.0/16"
    routing.update_destination(destination, callback_url="https://fv.intern.example/cb", actor=SYSTEM)
    routing.update_destination(destination, callback_url="https://10.20.9.9:8443/cb", actor=SYSTEM)
    with pytest.raises(routing.RoutingError, match="https://"):  # the allow-list does not lift https
        routing.update_destination(destination, callback_url="http://10.20.9.9/cb", actor=SYSTEM)
    with pytest.raises(routing.RoutingError, match="nicht öffentliche"):
        routing.update_destination(destination, callback_url="https://10.21.0.1/cb", actor=SYSTEM)


@pytest.mark.django_db
def test_the_fachverfahren_network_is_not_open_to_senders(settings, dns):
    settings.AMTSWEG_CALLBACK_ALLOWED_NETWORKS = "10.0.0.0/8"
    response = announce("https://10.0.0.5/cb")
    assert response.status_code == 400 and "nicht öffentliche" in response.json()["detail"]


def _destination_with_callback(url: str):
    from amtsweg.routing.tests.factories import DestinationFactory, ResponsibilityFactory

    destination = DestinationFactory(channels=["callback"], callback_url=url)  # stored as if before the guard
    submit_payload(payload_for(ResponsibilityFactory(destination=destination)))
    return destination


@pytest.mark.django_db
def test_a_destination_callback_that_now_resolves_inside_is_not_called(settings, dns, caplog):
    """Saved while public; the name now points inside: refused before the POST, retried (staff may fix it)."""
    dns.answers["fv.kommune.example"] = [["10.0.0.5"]]
    _destination_with_callback("https://fv.kommune.example/cb")
    assert services.run_until_idle() == {Status.PENDING: 1}
    row = OutboxMessage.objects.get(channel="callback")
    assert "fv.kommune.example führt zu einer nicht öffentlichen IP-Adresse." in row.last_error
    assert "10.0.0.5" not in row.last_error  # the internal answer is for the operators' log only
    assert [(r.host, r.resolved) for r in caplog.records if r.msg == "callback address refused"] == [
        ("fv.kommune.example", "10.0.0.5")]
    assert dns.lookups == ["fv.kommune.example"]


@pytest.mark.django_db
def test_a_destination_callback_is_checked_again_on_connect(settings, dns):
    """DNS rebinding: public for the check, loopback for the connection; the endpoint never sees a byte."""
    endpoint = Endpoint()
    try:
        port = endpoint.server.server_address[1]
        dns.answers["rebind.kommune.example"] = [[PUBLIC], ["127.0.0.1"]]
        _destination_with_callback(f"https://rebind.kommune.example:{port}/cb")
        assert services.run_until_idle() == {Status.PENDING: 1}
        last_error = OutboxMessage.objects.get(channel="callback").last_error
        assert "rebind.kommune.example führt zu einer nicht öffentlichen IP-Adresse." in last_error
        assert dns.lookups == ["rebind.kommune.example", "rebind.kommune.example"]
        assert endpoint.requests == []
    finally:
        endpoint.close()


def test_the_client_reaches_the_allowed_network_and_nothing_else(dns):
    """The connect-time check honours the allow-list it was given (the channel passes the deployment's)."""
    endpoint = Endpoint()
    try:
        port = endpoint.server.server_address[1]
        dns.answers["fv.test"] = [["127.0.0.1"]]
        with netguard.client(5, netguard.parse_networks("127.0.0.0/8")) as client:
            assert client.post(f"http://fv.test:{port}/cb", content=b"{}").status_code == 200
        with netguard.client(5, netguard.parse_networks("10.0.0.0/8")) as client, pytest.raises(netguard.Refused):
            client.post(f"http://fv.test:{port}/cb", content=b"{}")
        assert len(endpoint.requests) == 1
    finally:
        endpoint.close()


def test_the_guarded_client_raises_httpx_errors(dns):
    """What the callback channels catch (`httpx.HTTPError`) is what the guarded transport raises: httpcore's
    errors arrive as httpx's of the same kind."""
    loopback = netguard.parse_networks("127.0.0.0/8")
    endpoint = Endpoint(delay=1.0)
    closed = socket.socket()
    closed.bind(("127.0.0.1", 0))
    closed_port = closed.getsockname()[1]
    closed.close()
    try:
        port = endpoint.server.server_address[1]
        dns.answers["fv.test"] = [["127.0.0.1"]]
        with netguard.client(0.2, loopback) as client:
            with pytest.raises(httpx.ReadTimeout):
                client.post(f"http://fv.test:{port}/cb", content=b"{}")
            with pytest.raises(httpx.ConnectError):
                client.post(f"http://fv.test:{closed_port}/cb", content=b"{}")
            with pytest.raises(httpx.ConnectError, match="unknown test name"):
                client.post("https://unbekannt.test/cb", content=b"{}")
        endpoint.delay = 0
        with netguard.client(5, loopback) as client, client.stream("POST", f"http://fv.test:{port}/cb") as response:
            assert response.status_code == 200 and response.read() == b""
    finally:
        endpoint.close()
