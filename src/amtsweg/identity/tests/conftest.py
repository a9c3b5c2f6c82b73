import pytest

from amtsweg.identity.tests.http_browser import Browser


@pytest.fixture(scope="session")
def identity_key_dir(tmp_path_factory):
    """Keys of the SP, the test IdP and the test OP: generated at test time, never committed."""
    return tmp_path_factory.mktemp("identity-keys")


@pytest.fixture
def providers(settings, live_server, identity_key_dir):
    settings.AMTSWEG_TEST_IDENTITY_PROVIDERS = True
    settings.AMTSWEG_IDENTITY_KEY_DIR = str(identity_key_dir)
    return live_server


@pytest.fixture
def browser_http(providers):
    b = Browser(providers.url)
    yield b
    b.http.close()
