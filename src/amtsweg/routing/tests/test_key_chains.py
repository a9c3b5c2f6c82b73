"""Migration of keys registered without a certificate chain (issue 15, item 4): they stay in use, and
`amtsweg check-key-chains` lists them; outside embedded mode it fails while any remain."""

import datetime as dt

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from amtsweg.routing.tests.factories import DestinationKeyFactory, public_jwk

pytestmark = pytest.mark.django_db


def _run() -> str:
    from io import StringIO

    out = StringIO()
    call_command("check_key_chains", stdout=out)
    return out.getvalue()


def test_keys_without_chain_are_listed_and_fail_the_check_only_outside_embedded_mode(settings, tmp_path):
    from cryptography.hazmat.primitives import serialization

    from amtsweg.core import pki

    old = DestinationKeyFactory(kid="legacy-key-0001", jwk=public_jwk("encryption", "legacy-key-0001"))
    DestinationKeyFactory(kid="chained-key-0001")  # the factory's keys carry the demo PKI's chain
    DestinationKeyFactory(kid="expired-key-0001", jwk=public_jwk("encryption", "expired-key-0001"),
                          retired_at=timezone.now() - dt.timedelta(days=40),
                          valid_until=timezone.now() - dt.timedelta(days=10))
    settings.AMTSWEG_EMBEDDED = True
    out = _run()
    assert "legacy-key-0001" in out and str(old.destination_id) in out
    assert "chained-key-0001" not in out and "expired-key-0001" not in out
    assert "1 Schlüssel ohne gültige Zertifikatskette" in out
    # the legacy key is still the one applications are encrypted for
    assert old.destination.active_encryption_key() == old
    bundle = tmp_path / "roots.pem"  # production names its anchors (here: the demo root that issued the chain)
    bundle.write_bytes(pki.demo_root().public_bytes(serialization.Encoding.PEM))
    settings.AMTSWEG_PKI_TRUST_ANCHORS_FILE = str(bundle)
    settings.AMTSWEG_EMBEDDED = False
    with pytest.raises(CommandError, match="1 Schlüssel ohne gültige Zertifikatskette"):
        _run()


def test_no_key_without_chain_passes_the_check_in_production(settings, tmp_path):
    from cryptography.hazmat.primitives import serialization

    from amtsweg.core import pki

    DestinationKeyFactory(kid="chained-key-0002")
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(pki.demo_root().public_bytes(serialization.Encoding.PEM))
    settings.AMTSWEG_PKI_TRUST_ANCHORS_FILE = str(bundle)
    settings.AMTSWEG_EMBEDDED = False
    assert "0 Schlüssel" in _run()
