from joserfc import jws
from joserfc.jwk import RSAKey

from amtsweg.core import pki, platform_keys
from amtsweg.core.platform_keys import ALGORITHM, public_jwks, signing_key


def test_platform_key_signs_and_published_key_verifies():
    key = signing_key()
    token = jws.serialize_compact({"alg": ALGORITHM, "kid": key.kid}, b"payload", key, algorithms=[ALGORITHM])
    published = public_jwks()["keys"][0]
    assert "d" not in published  # no private part is published
    verified = jws.deserialize_compact(token, RSAKey.import_key(published), algorithms=[ALGORITHM])
    assert verified.payload == b"payload"
    assert published["kid"] == key.kid


def test_concurrent_first_start_yields_one_key(tmp_path):
    """Several processes starting without a key file must all end up with the same key."""
    import subprocess
    import sys

    path = tmp_path / "platform.pem"
    code = (
        "import os, django; os.environ['DJANGO_SETTINGS_MODULE']='amtsweg.settings'; django.setup();"
        "from amtsweg.core.platform_keys import signing_key; print(signing_key().kid)"
    )
    env = {**__import__("os").environ, "PLATFORM_SIGNING_KEY_FILE": str(path)}
    procs = [subprocess.Popen([sys.executable, "-c", code], env=env, stdout=subprocess.PIPE, text=True)
             for _ in range(3)]
    kids = {p.communicate(timeout=120)[0].strip().splitlines()[-1] for p in procs}
    assert len(kids) == 1


def test_threads_asking_for_the_key_at_once_load_it_once(settings, tmp_path, monkeypatch):
    """A fresh gunicorn worker's threads all sign at once: the key is read and validated once, not per thread."""
    import threading
    import time

    path = tmp_path / "platform.pem"
    path.write_bytes(RSAKey.generate_key(2048, private=True).as_pem(private=True))
    settings.AMTSWEG_EMBEDDED, settings.PLATFORM_SIGNING_KEY_FILE = False, str(path)
    imports = []

    class CountingRSAKey:
        @staticmethod
        def import_key(*args, **kwargs):
            imports.append(1)
            time.sleep(0.05)  # as slow as validating a real key, so that the threads overlap
            return RSAKey.import_key(*args, **kwargs)

    monkeypatch.setattr(platform_keys, "RSAKey", CountingRSAKey)
    platform_keys._load_signing_key.cache_clear()
    try:
        threads = [threading.Thread(target=platform_keys.signing_key) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert len(imports) == 2  # the PEM, then once more with its kid
    finally:
        platform_keys._load_signing_key.cache_clear()  # the next test loads the suite's own key again


def test_the_key_follows_the_installation_it_runs_in(settings, tmp_path):
    """A key loaded once under another VAR_DIR (another installation, or a test) is not the one signed with
    after returning: CI saw a later test publish a JWKS whose chain certified the other installation's key."""
    here = platform_keys.signing_key()
    original = settings.VAR_DIR
    settings.AMTSWEG_EMBEDDED = True
    settings.VAR_DIR = tmp_path
    platform_keys._load_signing_key.cache_clear()  # as a readiness test leaves it: the next load decides
    elsewhere = platform_keys.signing_key()
    assert (tmp_path / "platform_signing_key.pem").exists()
    settings.VAR_DIR = original
    assert platform_keys.signing_key().kid == here.kid != elsewhere.kid
    leaf = platform_keys.public_jwks()["keys"][0]["x5c"][0]
    assert leaf == pki.platform_chain(here.public_key)[0]
