"""Backup and restore of one installation: the database, the stored files and the keys, in one archive.

`amtsweg backup FILE` writes a tar archive (owner-only, atomically: a crash leaves no half archive under the
name) holding

    manifest.json              format, time, database vendor, rows per table, SHA-256 of every other member
    database/postgresql.dump   `pg_dump --format=custom` (PostgreSQL), or
    database/sqlite3.db        a copy made with SQLite's online backup API (embedded SQLite)
    files/<name>               every file of the default file storage (attachments above the inline size)
    keys/var/<path>            the embedded mode's generated secrets under VAR_DIR (see KEY_PATHS)
    keys/configured/<SETTING>  key files named by settings (platform signing key, chains, SAML SP key)

`amtsweg restore FILE` checks every member's checksum first, refuses a target database that already has
tables (`--force` overwrites), restores the database, the files and the keys, and then proves the result:
rows per table equal the manifest's, and every registered restore check passes (the back office opens every
sealed case with the restored KEK, every attachment's ciphertext is there).

Why the keys are in the archive: a dump without the KEK and the draft key restores ciphertext nobody can open,
and the drill must show that a restore brings back readable cases. Why that is acceptable: the archive is
written 0600 and must be kept like the KEK itself (an encrypted backup target, see docs/betrieb.md).
`--without-keys` leaves them out for installations whose keys live in a secret store (environment variables
are never archived; the restore target then needs the same keys configured, which the checks prove).

Consistency: PostgreSQL's row counts are taken in the very snapshot pg_dump dumps (`pg_export_snapshot`), so
the manifest describes exactly the dump even while the platform keeps writing; SQLite's counts are taken from
the copy. Files are copied after the database: a file written later is an orphan that housekeeping removes,
a file deleted in between (a purged submission) is reported by the checks.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import os
import sqlite3
import subprocess
import tarfile
import tempfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection, transaction
from django.utils import timezone

from amtsweg.core import files
from amtsweg.core.plugins import PluginRegistry

FORMAT = 1
MANIFEST = "manifest.json"
PG_DUMP = "database/postgresql.dump"
SQLITE_COPY = "database/sqlite3.db"
# The embedded mode's generated secrets and key material under VAR_DIR (files or folders).
KEY_PATHS = ("secret_key", "draft_key", "casework_kek", "platform_signing_key.pem", "platform_signing_chain.pem",
             "pki", "identity", "demo-keys")
# Key files that settings may name outside VAR_DIR.
KEY_FILE_SETTINGS = ("PLATFORM_SIGNING_KEY_FILE", "PLATFORM_SIGNING_CHAIN_FILE", "AMTSWEG_PKI_TRUST_ANCHORS_FILE",
                     "AMTSWEG_SAML_SP_KEY_FILE", "AMTSWEG_SAML_SP_CERT_FILE")
CHUNK = 1024 * 1024

# Checks the apps contribute (in AppConfig.ready): no arguments, run against the restored installation,
# return how many items they verified and raise RestoreError when something does not open or is missing.
restore_checks: PluginRegistry[Callable[[], int]] = PluginRegistry("restore check")


class BackupError(Exception):
    """The backup could not be made (a dump tool failed, the database vendor is not supported)."""


class RestoreError(Exception):
    """The archive is damaged, the target is not empty, or the restored installation fails a check."""


@dataclass
class RestoreReport:
    tables: dict[str, int] = field(default_factory=dict)
    files: int = 0
    keys: int = 0
    checks: dict[str, int] = field(default_factory=dict)


# --- database ----------------------------------------------------------------------------------------------

def vendor() -> str:
    return connection.vendor


def _pg_environment() -> dict[str, str]:
    """libpq's environment for the configured database: the password never appears in a process list."""
    conf = connection.settings_dict
    env = dict(os.environ)
    for variable, key in (("PGDATABASE", "NAME"), ("PGUSER", "USER"), ("PGPASSWORD", "PASSWORD"),
                          ("PGHOST", "HOST"), ("PGPORT", "PORT")):
        if conf.get(key):
            env[variable] = str(conf[key])
    if sslmode := conf.get("OPTIONS", {}).get("sslmode"):
        env["PGSSLMODE"] = str(sslmode)
    return env


def _run(command: list[str], env: dict[str, str] | None = None) -> None:
    done = subprocess.run(command, env=env, capture_output=True, text=True, check=False)  # noqa: S603 - fixed tools
    if done.returncode != 0:
        raise BackupError(f"{command[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _count_tables(cursor, tables: list[str]) -> dict[str, int]:
    quote = connection.ops.quote_name
    counts = {}
    for table in sorted(tables):
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")  # noqa: S608 - names from introspection, quoted
        counts[table] = cursor.fetchone()[0]
    return counts


def _dump_postgresql(target: Path) -> dict[str, int]:
    """pg_dump in the snapshot the row counts are taken in (the transaction stays open while it runs)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]
        counts = _count_tables(cursor, connection.introspection.table_names(cursor))
        _run(["pg_dump", "--format=custom", "--no-owner", "--no-privileges", f"--snapshot={snapshot}",
              f"--file={target}"], env=_pg_environment())
    return counts


def _dump_sqlite(target: Path) -> dict[str, int]:
    source = sqlite3.connect(connection.settings_dict["NAME"])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        tables = [row[0] for row in copy.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'")]
        counts = {table: copy.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]  # noqa: S608
                  for table in sorted(tables)}
    finally:
        copy.close()
        source.close()
    return counts


def table_counts() -> dict[str, int]:
    """Rows per table of the configured database, now."""
    with connection.cursor() as cursor:
        return _count_tables(cursor, connection.introspection.table_names(cursor))


# --- files and keys ----------------------------------------------------------------------------------------

def _storage_names(folder: str = "") -> Iterator[str]:
    """Every file of the default storage, through the storage API (works for any backend that lists)."""
    try:
        folders, names = default_storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(names):
        yield f"{folder}/{name}" if folder else name
    for sub in sorted(folders):
        yield from _storage_names(f"{folder}/{sub}" if folder else sub)


def _key_files(var_dir: Path) -> Iterator[tuple[str, Path]]:
    for relative in KEY_PATHS:
        path = var_dir / relative
        if path.is_file():
            yield f"keys/var/{relative}", path
        elif path.is_dir():
            for item in sorted(path.rglob("*")):
                if item.is_file() and not item.name.endswith((".lock", ".tmp")):
                    yield f"keys/var/{item.relative_to(var_dir).as_posix()}", item
    for name in KEY_FILE_SETTINGS:
        configured = getattr(settings, name, "")
        if configured and Path(configured).is_file() and not Path(configured).is_relative_to(var_dir):
            yield f"keys/configured/{name}", Path(configured)


def _sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


# --- backup ------------------------------------------------------------------------------------------------

def create_backup(path: Path, *, with_keys: bool = True) -> dict:
    """Write the archive to `path` (0600, atomically); returns its manifest."""
    path = Path(path).resolve()
    var_dir = Path(settings.VAR_DIR).resolve()
    with tempfile.TemporaryDirectory(prefix="amtsweg-backup-") as work:
        work_dir = Path(work)
        if vendor() == "postgresql":
            dump, dump_name = work_dir / "db.dump", PG_DUMP
            counts = _dump_postgresql(dump)
        elif vendor() == "sqlite":
            dump, dump_name = work_dir / "db.sqlite3", SQLITE_COPY
            counts = _dump_sqlite(dump)
        else:
            raise BackupError(f"no backup for database vendor {vendor()!r}")
        members: dict[str, str] = {}
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)  # 0600
        try:
            with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as archive:
                members[dump_name] = _sha256_file(dump)
                archive.add(dump, arcname=dump_name)
                file_count = 0
                for name in _storage_names():
                    with default_storage.open(name, "rb") as handle:
                        data = handle.read()
                    members[f"files/{name}"] = hashlib.sha256(data).hexdigest()
                    _add_bytes(archive, f"files/{name}", data)
                    file_count += 1
                key_count = 0
                if with_keys:
                    for arcname, key_path in _key_files(var_dir):
                        members[arcname] = _sha256_file(key_path)
                        archive.add(key_path, arcname=arcname)
                        key_count += 1
                manifest = {
                    "format": FORMAT, "created": timezone.now().isoformat(), "vendor": vendor(),
                    "tables": counts, "files": file_count, "keys": key_count, "members": members,
                }
                _add_bytes(archive, MANIFEST, json.dumps(manifest, indent=1, sort_keys=True).encode())
                raw.flush()
                os.fsync(raw.fileno())
            os.replace(tmp_name, path)
        except BaseException:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(tmp_name)
            raise
    return manifest


def _add_bytes(archive: tarfile.TarFile, name: str, data: bytes) -> None:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    info.mtime = int(timezone.now().timestamp())
    archive.addfile(info, io.BytesIO(data))


# --- restore -----------------------------------------------------------------------------------------------

def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.loads(archive.extractfile(MANIFEST).read())
    except (KeyError, AttributeError, ValueError) as exc:
        raise RestoreError("the archive has no readable manifest.json: not an Amtsweg backup") from exc
    if manifest.get("format") != FORMAT:
        raise RestoreError(f"backup format {manifest.get('format')!r} is not {FORMAT}")
    return manifest


def _safe_name(name: str) -> PurePosixPath:
    """A member name as a relative path without `..` (an archive must not write outside its target)."""
    pure = PurePosixPath(name)
    if pure.is_absolute() or ".." in pure.parts:
        raise RestoreError(f"unsafe member name {name!r}")
    return pure


def _verified_members(archive: tarfile.TarFile, manifest: dict, work_dir: Path) -> Path:
    """Extract every member the manifest names into `work_dir`, checking its SHA-256; nothing else."""
    for name, expected in manifest["members"].items():
        member = archive.getmember(name) if name in archive.getnames() else None
        if member is None or not member.isfile():
            raise RestoreError(f"{name} is missing from the archive")
        target = work_dir / _safe_name(name)
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        digest = hashlib.sha256()
        source = archive.extractfile(member)
        fd = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as out:
            while chunk := source.read(CHUNK):
                digest.update(chunk)
                out.write(chunk)
        if digest.hexdigest() != expected:
            raise RestoreError(f"{name}: checksum does not match the manifest (damaged archive)")
    return work_dir


def target_is_empty() -> bool:
    """True when the configured database has no tables (a fresh database: nothing to overwrite)."""
    if vendor() == "sqlite":
        name = connection.settings_dict["NAME"]
        if not Path(name).exists():
            return True
    with connection.cursor() as cursor:
        return not connection.introspection.table_names(cursor)


def _restore_postgresql(dump: Path, force: bool) -> None:
    connection.close()
    command = ["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error"]
    if force:
        command += ["--clean", "--if-exists"]
    else:
        command += ["--single-transaction"]
    env = _pg_environment()
    _run([*command, f"--dbname={env.get('PGDATABASE', '')}", str(dump)], env=env)


def _restore_sqlite(copy: Path) -> None:
    connection.close()
    name = Path(connection.settings_dict["NAME"])
    name.parent.mkdir(parents=True, exist_ok=True)
    source = sqlite3.connect(copy)
    target = sqlite3.connect(name)
    try:
        source.backup(target)
    finally:
        target.close()
        source.close()


def _restore_files(work_dir: Path, manifest: dict, force: bool) -> int:
    count = 0
    for name in manifest["members"]:
        if not name.startswith("files/"):
            continue
        storage_name = name.removeprefix("files/")
        if default_storage.exists(storage_name):
            if not force:
                raise RestoreError(f"file {storage_name} exists in the target storage (use --force)")
            default_storage.delete(storage_name)
        saved = default_storage.save(storage_name, ContentFile((work_dir / name).read_bytes()))
        if saved != storage_name:
            raise RestoreError(f"the storage saved {storage_name} as {saved}")
        count += 1
    return count


def _restore_keys(work_dir: Path, manifest: dict, force: bool) -> int:
    """Key files back to where this installation reads them, owner-only. A configured key file that exists
    with other content is not replaced without --force (it may be the running installation's key)."""
    var_dir = Path(settings.VAR_DIR)
    count = 0
    for name in manifest["members"]:
        source = work_dir / name
        if name.startswith("keys/var/"):
            target = var_dir / _safe_name(name.removeprefix("keys/var/"))
        elif name.startswith("keys/configured/"):
            setting = name.removeprefix("keys/configured/")
            configured = getattr(settings, setting, "") if setting in KEY_FILE_SETTINGS else ""
            if not configured:
                continue  # the target installation keeps that key elsewhere (or does not use it)
            target = Path(configured)
            if target.exists() and target.read_bytes() != source.read_bytes() and not force:
                raise RestoreError(f"{setting} ({target}) differs from the backup's key (use --force)")
        else:
            continue
        target.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
        files.write_private(target, source.read_bytes())
        count += 1
    return count


def restore_backup(path: Path, *, force: bool = False) -> RestoreReport:
    """Restore the archive into the configured database, storage and VAR_DIR, then verify it."""
    with tarfile.open(path, mode="r") as archive, tempfile.TemporaryDirectory(prefix="amtsweg-restore-") as work:
        manifest = read_manifest(archive)
        if manifest["vendor"] != vendor():
            raise RestoreError(f"the backup is of a {manifest['vendor']} database, the target is {vendor()}")
        if not target_is_empty() and not force:
            raise RestoreError("the target database is not empty; restore into a fresh database (or --force)")
        work_dir = _verified_members(archive, manifest, Path(work))
        report = RestoreReport()
        report.keys = _restore_keys(work_dir, manifest, force)
        if manifest["vendor"] == "postgresql":
            _restore_postgresql(work_dir / PG_DUMP, force)
        else:
            _restore_sqlite(work_dir / SQLITE_COPY)
        report.files = _restore_files(work_dir, manifest, force)
    verify(manifest, report)
    return report


def verify(manifest: dict, report: RestoreReport) -> None:
    """Rows per table as in the manifest, and every app's restore check passes."""
    report.tables = table_counts()
    differing = {table: (count, report.tables.get(table)) for table, count in manifest["tables"].items()
                 if report.tables.get(table) != count}
    if differing:
        listed = ", ".join(f"{t}: {want} in the backup, {got} restored" for t, (want, got) in sorted(differing.items()))
        raise RestoreError(f"row counts differ after the restore: {listed}")
    for name, check in restore_checks.items():
        report.checks[name] = check()

