"""Outbox directory export for legacy systems that read files instead of calling an API.

Each submission becomes one folder `<root>/<destination id>/<submission id>/` holding the encrypted parts
exactly as stored (JWE; the platform has no plaintext) and a `manifest.json`. The folder is assembled
under a temporary name beside it and renamed into place, so a reader never sees a half-written one; an
existing folder means "already exported" (idempotent by key: a retry after a crash writes nothing twice).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
from pathlib import Path

from amtsweg.delivery import conf
from amtsweg.delivery.channels import DeliveryError, PerMessageChannel
from amtsweg.delivery.models import OutboxMessage


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


class DirectoryExportChannel(PerMessageChannel):
    name = "directory"
    label = "Verzeichnis-Export"

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
