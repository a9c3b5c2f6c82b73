"""Generated SAML/OIDC key pairs: one pair however many processes start at once, owner-only files."""

import os
import stat
import subprocess
import sys
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import serialization

# A process that asks for the pair, with key generation slowed down so that all of them ask before any
# of them has written: each generation leaves a marker file.
CHILD = """
import os, sys, time
from django.conf import settings
settings.configure(AMTSWEG_IDENTITY_KEY_DIR=sys.argv[1])
from cryptography.hazmat.primitives.asymmetric import rsa
real = rsa.generate_private_key
def slow(*args, **kwargs):
    open(os.path.join(sys.argv[2], f"generated-{os.getpid()}"), "w").close()
    time.sleep(2)
    return real(*args, **kwargs)
rsa.generate_private_key = slow
from amtsweg.identity import keys
keys.generated_key_pair("saml-sp", "Test")
"""


def test_processes_starting_at_once_generate_one_matching_pair(tmp_path):
    key_dir, markers = tmp_path / "keys", tmp_path / "markers"
    key_dir.mkdir()
    markers.mkdir()
    src = str(Path(__file__).resolve().parents[3])
    env = {**os.environ, "PYTHONPATH": src + os.pathsep + os.environ.get("PYTHONPATH", "")}
    children = [subprocess.Popen([sys.executable, "-c", CHILD, str(key_dir), str(markers)], env=env,
                                 stderr=subprocess.PIPE) for _ in range(3)]
    for child in children:
        assert child.wait(timeout=120) == 0, child.stderr.read().decode()[-2000:]
    assert len(list(markers.iterdir())) == 1, "every process generated its own pair"
    key = serialization.load_pem_private_key((key_dir / "saml-sp.key.pem").read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate((key_dir / "saml-sp.cert.pem").read_bytes())
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    assert stat.S_IMODE((key_dir / "saml-sp.key.pem").stat().st_mode) == 0o600
    assert sorted(p.name for p in key_dir.iterdir() if not p.name.startswith(".")) == [
        "saml-sp.cert.pem", "saml-sp.key.pem"]


def test_a_key_without_its_certificate_is_replaced_by_a_new_matching_pair(tmp_path, settings):
    from amtsweg.identity import keys

    settings.AMTSWEG_IDENTITY_KEY_DIR = str(tmp_path)
    first = keys.generated_key_pair("saml-sp", "Test")
    old_key = first.key_file.read_bytes()
    first.cert_file.unlink()  # a process was killed between the two files
    (tmp_path / ".saml-sp.key.pem.x1y2z3.tmp").write_text("half a key")
    again = keys.generated_key_pair("saml-sp", "Test")
    key = serialization.load_pem_private_key(again.key_file.read_bytes(), password=None)
    cert = x509.load_pem_x509_certificate(again.cert_file.read_bytes())
    assert again.key_file.read_bytes() != old_key
    assert cert.public_key().public_numbers() == key.public_key().public_numbers()
    assert not (tmp_path / ".saml-sp.key.pem.x1y2z3.tmp").exists()
