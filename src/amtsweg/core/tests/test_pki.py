"""The demo PKI and the published chains (issue 15, item 4): generated at set-up, owner-only, never in the
repository; every published key carries an `x5c` chain that leads to the trust anchor."""

import base64
import stat

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from django.core import checks as django_checks

from amtsweg.core import pki, platform_keys
from amtsweg.core.checks import pki_configured
from amtsweg.routing.tests.factories import cached_keypair


def _certs(x5c):
    return [x509.load_der_x509_certificate(base64.b64decode(value)) for value in x5c]


def test_demo_pki_is_generated_owner_only_and_issues_chains_to_its_root(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    x5c = pki.issue_x5c(cached_keypair(0).public_key, "Zustellpunkt Test", purpose="encryption")
    folder = tmp_path / "pki"
    assert stat.S_IMODE(folder.stat().st_mode) == 0o700
    for name in ("root.key.pem", "intermediate.key.pem", "root.crt.pem", "intermediate.crt.pem"):
        assert stat.S_IMODE((folder / name).stat().st_mode) == 0o600, name
    leaf, intermediate, root = _certs(x5c)
    leaf.verify_directly_issued_by(intermediate)
    intermediate.verify_directly_issued_by(root)
    root.verify_directly_issued_by(root)
    assert root == pki.trust_anchors()[0] == x509.load_pem_x509_certificate((folder / "root.crt.pem").read_bytes())
    assert leaf.public_key().public_numbers() == cached_keypair(0).public_key.public_numbers()
    assert not leaf.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert intermediate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    # a second issue uses the same CA (created once)
    assert _certs(pki.issue_x5c(cached_keypair(1).public_key, "B", purpose="signature"))[2] == root


def test_the_demo_pki_does_not_exist_outside_embedded_mode(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    settings.AMTSWEG_EMBEDDED = False
    with pytest.raises(RuntimeError):
        pki.demo_issuer()
    assert pki.trust_anchors() == []
    assert not (tmp_path / "pki").exists()


def test_platform_jwks_publishes_the_signing_keys_chain():
    published = platform_keys.public_jwks()["keys"][0]
    leaf, intermediate, root = _certs(published["x5c"])
    assert leaf.public_key().public_numbers() == platform_keys.signing_key().public_key.public_numbers()
    leaf.verify_directly_issued_by(intermediate)
    assert root in pki.trust_anchors()


def test_platform_jwks_follows_the_installation_it_runs_in(settings, tmp_path):
    """A JWKS computed once under another VAR_DIR (another demo PKI) must not be served afterwards: CI found
    a chain to a root that was no longer the trust anchor when the tests ran in another order."""
    original = settings.VAR_DIR
    settings.VAR_DIR = tmp_path
    elsewhere = _certs(platform_keys.public_jwks()["keys"][0]["x5c"])[-1]
    assert elsewhere in pki.trust_anchors()
    settings.VAR_DIR = original
    here = _certs(platform_keys.public_jwks()["keys"][0]["x5c"])[-1]
    assert here in pki.trust_anchors()
    assert here != elsewhere


def test_platform_chain_from_the_configured_file(settings, tmp_path):
    """Production: the administration PKI's certificate of the platform key, as a PEM chain file."""
    public_key = platform_keys.signing_key().public_key
    chain = _certs(pki.issue_x5c(public_key, "Plattform", purpose="signature"))
    path = tmp_path / "chain.pem"
    path.write_bytes(b"".join(c.public_bytes(serialization.Encoding.PEM) for c in chain))
    settings.PLATFORM_SIGNING_CHAIN_FILE = str(path)
    settings.AMTSWEG_EMBEDDED = False
    assert _certs(pki.platform_chain(public_key)) == chain
    with pytest.raises(ValueError, match="does not certify"):
        pki.platform_chain(cached_keypair(2).public_key)


def test_system_check_demands_trust_anchors_outside_embedded_mode(settings, tmp_path):
    settings.AMTSWEG_EMBEDDED = False
    settings.AMTSWEG_PKI_TRUST_ANCHORS_FILE = ""
    assert [m.id for m in pki_configured()] == ["amtsweg.E007"]
    bundle = tmp_path / "roots.pem"
    bundle.write_bytes(b"kein Zertifikat")
    settings.AMTSWEG_PKI_TRUST_ANCHORS_FILE = str(bundle)
    assert [m.id for m in pki_configured()] == ["amtsweg.E007"]
    settings.AMTSWEG_EMBEDDED = True
    bundle.write_bytes(pki.demo_root().public_bytes(serialization.Encoding.PEM))
    settings.AMTSWEG_EMBEDDED = False
    assert pki_configured() == []
    assert all(isinstance(m, django_checks.CheckMessage) for m in pki_configured())
