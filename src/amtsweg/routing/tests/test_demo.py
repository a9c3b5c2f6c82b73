"""Demo data: idempotent, private keys on disk match the published keys, every level is used."""

import io
import json
from pathlib import Path

import pytest
from joserfc import jwe
from joserfc.jwk import RSAKey

from amtsweg.routing import demo
from amtsweg.routing.models import Destination, Responsibility
from amtsweg.routing.resolution import resolve

pytestmark = pytest.mark.django_db


def test_demo_is_idempotent_and_its_private_keys_decrypt(saarland, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    demo.load_demo(io.StringIO())
    demo.load_demo(io.StringIO())
    assert Destination.objects.count() == 4
    assert Responsibility.objects.count() == len(demo.RESPONSIBILITIES)
    assert {len(r.area_ars) for r in Responsibility.objects.all()} == {2, 5, 12}

    result = resolve(demo.BAUGENEHMIGUNG, ars="100410519519")
    assert result.area_ars == "10041"
    index = json.loads((tmp_path / "demo-keys" / "destinations.json").read_text())
    entry = next(e for e in index if e["destinationId"] == str(result.destination.pk))
    private = RSAKey.import_key(json.loads(Path(entry["encryptionPrivateKey"]).read_text()))
    public = result.destination.active_encryption_key()
    assert public.kid == entry["encryptionKid"]
    token = jwe.encrypt_compact({"alg": "RSA-OAEP-256", "enc": "A256GCM", "kid": public.kid}, b"Antrag",
                                # joserfc maps RSA-OAEP to the "encrypt" key_op; FIT-Connect's keys say "wrapKey"
                                RSAKey.import_key({k: v for k, v in public.jwk.items() if k != "key_ops"}),
                                algorithms=["RSA-OAEP-256", "A256GCM"])
    assert jwe.decrypt_compact(token, private, algorithms=["RSA-OAEP-256", "A256GCM"]).plaintext == b"Antrag"
    assert oct(Path(entry["encryptionPrivateKey"]).stat().st_mode)[-3:] == "600"
