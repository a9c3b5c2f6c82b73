import pytest


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    """Many accounts per test: a fast hasher keeps the suite quick (the real one is tested by Django)."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
