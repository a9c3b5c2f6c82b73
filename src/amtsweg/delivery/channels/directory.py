"""Outbox directory export for legacy systems that read files instead of calling an API.

Each submission becomes one folder `<root>/<destination id>/<submission id>/` holding the encrypted parts
exactly as stored (JWE; the platform has no plaintext) and a `manifest.json`. The folder is assembled
under a temporary name beside it and renamed into place, so a reader never sees a half-written one; an
existing folder means "already exported" (idempotent by key: a retry after a crash writes nothing twice).

A worker killed while writing leaves its temporary folder (`.<submission id>.<random>.tmp`) behind. The
channel removes such leftovers when it starts in a process (its first delivery) and again at most once per
`AMTSWEG_DELIVERY_EXPORT_TMP_STALE_SECONDS` (default one hour): only folders in which nothing changed for
that long, so an export still running in another worker or on another host sharing the folder is not
raced. Were one stalled beyond that, its next write or the rename fails and the message is retried; a
half-written folder never appears under its final name.
"""

from __future__ import annotations

import json
import logging
import os
import secrets
import shutil
import time
from collections.abc import Sequence
from pathlib import Path

from amtsweg.delivery import conf
from amtsweg.delivery.channels import DeliveryError, PerMessageChannel, register
from amtsweg.delivery.models import OutboxMessage

logger = logging.getLogger(__name__)


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _is_temporary(entry: os.DirEntry) -> bool:
    return entry.name.startswith(".") and entry.name.endswith(".tmp") and entry.is_dir(follow_symlinks=False)


def _last_change(folder: Path) -> float:
    """The newest modification time of the folder and of everything in it (a slow export touches files)."""
    newest = folder.lstat().st_mtime
    for parent, dirs, files in os.walk(folder):
        for name in dirs + files:
            try:
                newest = max(newest, os.lstat(os.path.join(parent, name)).st_mtime)
            except FileNotFoundError:
                continue
    return newest


def remove_stale_temporaries(root: Path, *, older_than: float, now: float | None = None) -> list[Path]:
    """Remove temporary export folders under `root/<destination>/` unchanged for `older_than` seconds."""
    now = time.time() if now is None else now
    removed: list[Path] = []
    if not root.is_dir():
        return removed
    with os.scandir(root) as destinations:
        folders = [Path(d.path) for d in destinations if d.is_dir(follow_symlinks=False)]
    for folder in folders:
        try:
            with os.scandir(folder) as entries:
                candidates = [Path(e.path) for e in entries if _is_temporary(e)]
        except FileNotFoundError:
            continue
        for candidate in candidates:
            try:
                if now - _last_change(candidate) < older_than:
                    continue  # possibly still being written
            except FileNotFoundError:
                continue  # renamed into place or removed meanwhile
            shutil.rmtree(candidate, ignore_errors=True)
            removed.append(candidate)
    return removed


@register("directory")
class DirectoryExportChannel(PerMessageChannel):
    label = "Verzeichnis-Export"

    def __init__(self) -> None:
        self._last_cleanup: dict[Path, float] = {}  # export root → time.monotonic() of the last clean-up

    def deliver(self, messages: Sequence[OutboxMessage]) -> dict[int, DeliveryError | None]:
        self.clean_up_if_due()
        return super().deliver(messages)

    def clean_up_if_due(self) -> list[Path]:
        """Remove crashed exports' temporary folders: at the first delivery, then at most once per threshold."""
        root, stale = conf.export_root(), conf.value("EXPORT_TMP_STALE_SECONDS")
        last = self._last_cleanup.get(root)
        if last is not None and time.monotonic() - last < stale:
            return []
        self._last_cleanup[root] = time.monotonic()
        try:
            removed = remove_stale_temporaries(root, older_than=stale)
        except OSError as exc:  # the export itself will report a broken folder; clean-up is best effort
            logger.warning("directory export clean-up failed: %s", exc.strerror or type(exc).__name__)
            return []
        if removed:
            logger.info("directory export: removed %d temporary folders left by a crashed export", len(removed))
        return removed

    def target(self, message: OutboxMessage) -> Path:
        return conf.export_root() / str(message.destination_id) / str(message.submission_id)

    def deliver_one(self, message: OutboxMessage) -> None:
        from amtsweg.submissions.models import Submission

        target = self.target(message)
        if (target / "manifest.json").exists():
            return
        submission = Submission.objects.filter(pk=message.submission_id).first()
        if submission is None:
            raise DeliveryError("Die Einreichung existiert nicht mehr.", permanent=True)
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / f".{target.name}.{secrets.token_hex(4)}.tmp"
        try:
            (tmp / "attachments").mkdir(parents=True)
            _write(tmp / "metadata.jwe", submission.encrypted_metadata.encode("ascii"))
            if submission.encrypted_data:
                _write(tmp / "data.jwe", submission.encrypted_data.encode("ascii"))
            attachment_ids = []
            for attachment in submission.attachments.all().order_by("id"):
                _write(tmp / "attachments" / f"{attachment.pk}.jwe", attachment.read_jwe().encode("ascii"))
                attachment_ids.append(str(attachment.pk))
            manifest = {
                "submissionId": str(submission.pk),
                "caseId": str(submission.case_id),
                "destinationId": str(message.destination_id),
                "serviceIdentifier": submission.service_identifier,
                "submittedAt": submission.submitted_at.isoformat() if submission.submitted_at else None,
                "encryptionKid": submission.encryption_kid,
                "attachments": attachment_ids,
            }
            # The manifest is written last: a folder with a manifest is complete.
            _write(tmp / "manifest.json", json.dumps(manifest, indent=2).encode())
            try:
                os.rename(tmp, target)
            except OSError:
                if (target / "manifest.json").exists():  # another worker finished first
                    return
                raise
        except OSError as exc:
            raise DeliveryError(f"Export in das Verzeichnis fehlgeschlagen: {exc.strerror or exc}") from exc
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
