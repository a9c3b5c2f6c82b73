from joserfc import jws
from joserfc.jwk import RSAKey

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
