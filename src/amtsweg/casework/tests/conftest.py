import pytest

from amtsweg.casework import receiving, vault
from amtsweg.casework.tests.factories import use_cached_keys


@pytest.fixture(autouse=True)
def _cached_keys_and_media(monkeypatch, settings, tmp_path):
    use_cached_keys(monkeypatch)
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ROUTING_INDEX_CHECK_SECONDS = 0  # responsibilities made by a test are found at once
    yield
    receiving.forget_cached_keys()
    vault.forget_cached_keys()
