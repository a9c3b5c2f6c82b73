import re
import socket

import httpx
import pytest


@pytest.fixture
def test_provider(settings, live_server):
    """The embedded test provider, enabled and reached over real HTTP at the live server."""
    settings.AMTSWEG_TEST_PAYMENT_PROVIDER = True
    settings.AMTSWEG_PAYMENT_PROVIDER = "testbezahldienst"
    settings.AMTSWEG_TESTBEZAHLDIENST_URL = f"{live_server.url}/testbezahldienst"
    settings.AMTSWEG_TESTBEZAHLDIENST_SECRET = "test-secret-fuer-den-testbezahldienst"
    settings.AMTSWEG_TESTBEZAHLDIENST_NOTIFY = True
    return live_server


@pytest.fixture
def closed_port_url():
    """A URL on a local port where nothing listens (the provider is down)."""
    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    port = sock.getsockname()[1]
    sock.close()
    return f"http://127.0.0.1:{port}/testbezahldienst"


class Citizen:
    """A browser without JavaScript: keeps cookies, posts forms with their CSRF token."""

    def __init__(self):
        self.client = httpx.Client(follow_redirects=False, timeout=20)

    def choose(self, pay_url: str, choice: str) -> httpx.Response:
        page = self.client.get(pay_url)
        assert page.status_code == 200, page.text
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text).group(1)
        return self.client.post(pay_url, data={"csrfmiddlewaretoken": token, "auswahl": choice},
                                headers={"Referer": pay_url})

    def get(self, url: str) -> httpx.Response:
        return self.client.get(url)


@pytest.fixture
def citizen():
    c = Citizen()
    yield c
    c.client.close()
