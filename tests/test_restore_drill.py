"""The restore drill (issue 18): back up an installation with back-office cases and submissions with attachment
files, restore it into a fresh database (PostgreSQL: a new database; SQLite: a new file) of a fresh installation
(its own VAR_DIR and MEDIA_ROOT) in another process, and prove that every count matches and every case opens.

The restore runs as `amtsweg restore` in a subprocess, as an operator would run it on a new host: nothing of
this process's caches (unwrapped keys, the KEK) can make a broken restore look good.
"""

from __future__ import annotations

import base64
import os
import secrets
import stat
import subprocess
import sys
import tarfile
from pathlib import Path
from urllib.parse import quote

import pytest
from django.core.management import call_command
from django.db import connection

from amtsweg.casework import receiving, services, vault
from amtsweg.casework.models import Case, CaseAttachment
from amtsweg.casework.tests.factories import case_with_attachment, on_casework, received_case, use_cached_keys
from amtsweg.core import backup
from amtsweg.core.actors import SYSTEM
from amtsweg.routing.resolution import invalidate
from amtsweg.submissions.models import SubmissionAttachment

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _drill_keys_and_index(monkeypatch, settings):
    use_cached_keys(monkeypatch)
    settings.ROUTING_INDEX_CHECK_SECONDS = 0
    settings.AMTSWEG_ATTACHMENT_INLINE_MAX_BYTES = 0  # every submission attachment goes to the file storage
    invalidate(bump=False)
    yield
    receiving.forget_cached_keys()
    vault.forget_cached_keys()


@pytest.fixture
def fresh_database(tmp_path):
    """A DATABASE_URL of an empty database of the same vendor; dropped afterwards (PostgreSQL)."""
    conf = connection.settings_dict
    if connection.vendor == "sqlite":
        yield f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        return
    name = f"{conf['NAME']}_restored"[:63]
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{name}"')
    credentials = quote(conf["USER"] or "") + (f":{quote(conf['PASSWORD'])}" if conf.get("PASSWORD") else "")
    yield f"postgres://{credentials}@{conf['HOST'] or 'localhost'}:{conf['PORT'] or 5432}/{name}"
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _amtsweg(args: list[str], *, database_url: str, home: Path, **extra: str) -> subprocess.CompletedProcess:
    """Run `amtsweg …` as a fresh installation: its own database, VAR_DIR and MEDIA_ROOT."""
    env = {k: v for k, v in os.environ.items() if k not in ("AMTSWEG_CASEWORK_KEK", "AMTSWEG_DRAFT_KEY", "SECRET_KEY")}
    env.update(DATABASE_URL=database_url, AMTSWEG_VAR_DIR=str(home / "var"), MEDIA_ROOT=str(home / "media"),
               PYTHONPATH=os.pathsep.join(sys.path), **extra)
    return subprocess.run([sys.executable, "-m", "amtsweg.cli", *args], env=env, capture_output=True, text=True,
                          timeout=300, check=False)


def _installation_with_cases(responsibility) -> int:
    on_casework(responsibility)
    first = received_case(responsibility)
    received_case(responsibility)  # a second application through intake, delivery and ingest
    services.add_note(first, "Rückruf vereinbart", actor=SYSTEM)  # a sealed note
    case_with_attachment(responsibility.destination, content=b"%PDF-1.7 " + secrets.token_bytes(2048))
    assert SubmissionAttachment.objects.exclude(content="").count() >= 2  # files in the storage, not rows
    assert CaseAttachment.objects.count() >= 3
    return Case.objects.count()


def test_a_backup_restores_into_a_fresh_database_with_every_count_and_every_case_opening(
        responsibility, fresh_database, tmp_path):
    cases = _installation_with_cases(responsibility)
    archive = tmp_path / "amtsweg.backup"

    call_command("backup", str(archive))

    assert stat.S_IMODE(archive.stat().st_mode) == 0o600  # it holds the keys
    with tarfile.open(archive) as opened:
        manifest = backup.read_manifest(opened)
        names = opened.getnames()
    assert manifest["tables"] == backup.table_counts()
    assert manifest["tables"]["casework_case"] == cases
    assert "keys/var/casework_kek" in names and manifest["files"] >= 2

    restored = _amtsweg(["restore", str(archive)], database_url=fresh_database, home=tmp_path / "new")

    assert restored.returncode == 0, restored.stderr
    assert f"casework.cases_open: {cases}" in restored.stdout
    assert f"submissions.attachment_files: {manifest['files']}" in restored.stdout
    kek = tmp_path / "new" / "var" / "casework_kek"
    assert stat.S_IMODE(kek.stat().st_mode) == 0o600

    again = _amtsweg(["restore", str(archive)], database_url=fresh_database, home=tmp_path / "new")

    assert again.returncode == 1
    assert "not empty" in again.stderr


def test_a_restore_with_another_kek_fails_the_drill(responsibility, fresh_database, tmp_path):
    on_casework(responsibility)
    case_with_attachment(responsibility.destination)
    archive = tmp_path / "amtsweg.backup"
    call_command("backup", str(archive), "--without-keys")
    other_kek = base64.urlsafe_b64encode(secrets.token_bytes(32)).decode()

    restored = _amtsweg(["restore", str(archive)], database_url=fresh_database, home=tmp_path / "new",
                        AMTSWEG_CASEWORK_KEK=other_kek)

    assert restored.returncode == 1
    assert "does not unwrap with the configured KEK" in restored.stderr or "does not open" in restored.stderr


def test_a_damaged_archive_is_refused_before_anything_is_restored(responsibility, fresh_database, tmp_path):
    archive = tmp_path / "amtsweg.backup"
    call_command("backup", str(archive), "--without-keys")
    with tarfile.open(archive) as opened:
        dump = next(member for member in opened.getmembers() if member.name.startswith("database/"))
    data = bytearray(archive.read_bytes())
    data[dump.offset_data + dump.size // 2] ^= 0xFF  # one byte inside the database dump
    archive.write_bytes(bytes(data))

    restored = _amtsweg(["restore", str(archive)], database_url=fresh_database, home=tmp_path / "new")

    assert restored.returncode == 1
    assert "checksum" in restored.stderr
