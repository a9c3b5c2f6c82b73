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
