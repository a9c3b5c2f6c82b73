"""Attachment files on several hosts (issue 18): every host reaches the same files through Django's storage API.

The option that runs here is a shared mount: every host's MEDIA_ROOT is the same directory (NFS or CephFS in
production). "Host B" is another process with settings of its own (its own VAR_DIR, the storage backend from
AMTSWEG_FILE_STORAGE) on the same database and the same MEDIA_ROOT; it reads what host A's intake stored and
writes a file that host A then reads. (An object store through django-storages cannot be tested on this
machine; see docs/betrieb.md, "Dateiablage".)
"""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.core.files.storage import default_storage
from django.db import connection

from amtsweg.submissions.models import SubmissionAttachment
from amtsweg.submissions.tests.factories import payload_for, submit_payload

pytestmark = pytest.mark.django_db(transaction=True)

HOST_B = """
import hashlib
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from amtsweg.submissions.models import SubmissionAttachment
print(settings.STORAGES["default"]["BACKEND"])
print(hashlib.sha256(SubmissionAttachment.objects.get(pk="ATTACHMENT_ID").read_jwe().encode()).hexdigest())
print(default_storage.save("exchange/from-host-b.txt", ContentFile(b"geschrieben von Host B")))
"""


def _database_url() -> str:
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{conf['NAME']}"
    credentials = quote(conf["USER"] or "") + (f":{quote(conf['PASSWORD'])}" if conf.get("PASSWORD") else "")
    return f"postgres://{credentials}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{conf['NAME']}"


def test_a_second_host_with_its_own_settings_sees_the_same_attachment_files(responsibility, settings, tmp_path):
    settings.AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES = 0  # the attachment goes to the file storage
    submission = submit_payload(payload_for(responsibility))
    (attachment,) = submission.attachments.all()
    assert attachment.content.name and not attachment.ciphertext
    env = dict(os.environ, DATABASE_URL=_database_url(), MEDIA_ROOT=str(settings.MEDIA_ROOT),
               AMTSWEG_VAR_DIR=str(tmp_path / "host-b-var"),
               AMTSWEG_FILE_STORAGE="django.core.files.storage.FileSystemStorage",
               PYTHONPATH=os.pathsep.join(sys.path))

    host_b = subprocess.run([sys.executable, "-m", "amtsweg.cli", "shell", "--no-imports", "-c",
                             HOST_B.replace("ATTACHMENT_ID", str(attachment.pk))],
                            env=env, capture_output=True, text=True, timeout=120, check=False)

    assert host_b.returncode == 0, host_b.stderr
    backend, digest, written = host_b.stdout.split()[-3:]
    assert backend == "django.core.files.storage.FileSystemStorage"
    expected = SubmissionAttachment.objects.get(pk=attachment.pk).read_jwe().encode()
    assert digest == hashlib.sha256(expected).hexdigest()
    with default_storage.open(written) as handle:  # and host A reads what host B wrote
        assert handle.read() == b"geschrieben von Host B"
