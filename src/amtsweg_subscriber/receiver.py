"""Processing one submission: fetch, verify, decrypt, check, write atomically, confirm.

Every folder and spool file is written under a temporary name and renamed into place. A client killed
in between leaves the temporary one behind (`<out>/.<id>.<random>.tmp/`, `<out>/.inbox/<id>.<random>.tmp`);
the receiver removes those when it starts and, while polling, at most once per `stale_tmp_seconds`
(default one hour): only those unchanged for that long, because a second client may be writing into the
same folder (`--spool-only` next to a `--poll` run).
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import threading
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from joserfc.jwk import RSAKey

from amtsweg_subscriber import content, crypto
from amtsweg_subscriber.api import SubmissionApi

logger = logging.getLogger("amtsweg_subscriber")


@dataclass
class Outcome:
    submission_id: str
    status: str  # "accepted", "rejected", "already-processed", "skipped"
    detail: str = ""


def _write(path: Path, data: bytes) -> None:
    with open(path, "wb") as fh:
        fh.write(data)
        fh.flush()
        os.fsync(fh.fileno())


def _last_change(path: Path) -> float:
    """Newest modification time of `path` and, for a folder, of everything in it."""
    newest = path.lstat().st_mtime
    for parent, dirs, files in os.walk(path):
        for name in dirs + files:
            try:
                newest = max(newest, os.lstat(os.path.join(parent, name)).st_mtime)
            except FileNotFoundError:
                continue
    return newest


def remove_stale_temporaries(out_dir: Path, *, older_than: float, now: float | None = None) -> list[Path]:
    """Remove temporary folders and spool files under `out_dir` that nobody changed for `older_than` s."""
    now = time.time() if now is None else now
    candidates = [p for p in out_dir.glob(".*.tmp") if p.is_dir() and not p.is_symlink()]
    inbox = out_dir / ".inbox"
    if inbox.is_dir():
        candidates += [p for p in inbox.glob("*.tmp") if p.is_file() and not p.is_symlink()]
    removed = []
    for candidate in candidates:
        try:
            if now - _last_change(candidate) < older_than:
                continue  # perhaps still being written by another client
            if candidate.is_dir():
                shutil.rmtree(candidate)
            else:
                candidate.unlink()
        except FileNotFoundError:
            continue  # renamed into place or removed meanwhile
        removed.append(candidate)
    return removed


class Receiver:
    """Writes each application to `<out>/<submissionId>/` (application.json, metadata.json, XML, attachments)."""

    def __init__(self, api: SubmissionApi, decryption_key: RSAKey, signing_key: RSAKey, out_dir: Path,
                 stale_tmp_seconds: float = 3600.0, data_schemas: dict[str, Path] | None = None):
        self.api = api
        self.decryption_key = decryption_key
        # The services' data schemas this client knows (schemaUri -> JSON Schema or XSD file): data naming
        # one of them are checked against it (`invalid-data`); others are taken as they are.
        self.data_schemas = dict(data_schemas or {})
        self.signing_key = signing_key
        self.out_dir = Path(out_dir)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self._jwks: dict[str, Any] | None = None
        self._lock = threading.Lock()
        self._busy: set[str] = set()
        self.stale_tmp_seconds = stale_tmp_seconds
        self._last_cleanup: float | None = None
        self.clean_up_if_due()

    def clean_up_if_due(self) -> list[Path]:
        """Remove what a killed client left: at start, then at most once per `stale_tmp_seconds`."""
        now = time.monotonic()
        if self._last_cleanup is not None and now - self._last_cleanup < self.stale_tmp_seconds:
            return []
        self._last_cleanup = now
        removed = remove_stale_temporaries(self.out_dir, older_than=self.stale_tmp_seconds)
        if removed:
            logger.info("removed %d temporary files or folders left by an interrupted run", len(removed))
        return removed

    def folder(self, submission_id: str) -> Path:
        return self.out_dir / str(uuid.UUID(submission_id))

    def platform_jwks(self, refresh: bool = False) -> dict[str, Any]:
        if self._jwks is None or refresh:
            self._jwks = self.api.platform_jwks()
        return self._jwks

    def process(self, submission_id: str) -> Outcome:
        """Idempotent: a folder that exists is complete (it was renamed into place), so only confirm again."""
        with self._lock:  # two callbacks for the same submission at once: one does the work
            if submission_id in self._busy:
                return Outcome(submission_id, "skipped", "in progress")
            self._busy.add(submission_id)
        try:
            return self._process(submission_id)
        finally:
            with self._lock:
                self._busy.discard(submission_id)

    def _process(self, submission_id: str) -> Outcome:
        folder = self.folder(submission_id)
        confirmed = folder / ".accepted"
        if confirmed.exists():
            return Outcome(submission_id, "already-processed")
        submission = self._spooled(submission_id) or self.api.submission(submission_id)
        case_id, destination_id = submission["caseId"], submission["destinationId"]
        if folder.exists():  # unpacked before, but the accept did not get through (e.g. a web host died)
            self._accept(submission, json.loads((folder / ".tags.json").read_text()))
            _write(confirmed, b"")
            # Also here, or the spool would hand this submission to `process` again and again.
            self._spool_file(submission_id).unlink(missing_ok=True)
            return Outcome(submission_id, "already-processed", "confirmed again")
        try:
            self._verify_log(case_id, submission_id)
        except crypto.EventLogInvalid as exc:
            # Not the submission's fault: do not reject, try again later.
            return Outcome(submission_id, "skipped", str(exc))
        try:
            tags = self._unpack(submission, folder)
        except crypto.Invalid as exc:
            token = crypto.sign_event(
                self.signing_key,
                destination_id=destination_id,
                submission_id=submission_id,
                case_id=case_id,
                event="reject-submission",
                payload={"problems": [{"type": crypto.PROBLEMS + exc.problem, "title": exc.problem,
                                       "detail": exc.detail, "instance": exc.instance}]},
            )
            self.api.post_event(case_id, token)
            logger.warning("rejected %s: %s", submission_id, exc.detail)
            return Outcome(submission_id, "rejected", exc.problem)
        self._accept(submission, tags)
        _write(confirmed, b"")
        self._spool_file(submission_id).unlink(missing_ok=True)
        return Outcome(submission_id, "accepted")

    # --- store and forward: confirm receipt fast, decrypt later -------------------------------------
    # In spool mode a callback is answered once the encrypted submission is fetched and stored durably
    # here; the expensive part (RSA decryption, signing the accept event) runs in a background thread.

    def _spool_file(self, submission_id: str) -> Path:
        return self.out_dir / ".inbox" / f"{uuid.UUID(submission_id)}.json"

    def _spooled(self, submission_id: str) -> dict[str, Any] | None:
        path = self._spool_file(submission_id)
        return json.loads(path.read_text()) if path.exists() else None

    def receive(self, submission_id: str) -> Outcome:
        """Fetch the encrypted submission and store it (idempotent); attachments follow in `process`."""
        path = self._spool_file(submission_id)
        if path.exists() or (self.folder(submission_id) / ".accepted").exists():
            return Outcome(submission_id, "already-received")
        submission = self.api.submission(submission_id)
        path.parent.mkdir(exist_ok=True)
        tmp = path.with_suffix(f".{uuid.uuid4().hex[:8]}.tmp")
        _write(tmp, json.dumps(submission).encode())
        os.rename(tmp, path)
        return Outcome(submission_id, "received")

    def spooled_ids(self) -> list[str]:
        inbox = self.out_dir / ".inbox"
        return sorted(p.stem for p in inbox.glob("*.json")) if inbox.exists() else []

    def _verify_log(self, case_id: str, submission_id: str) -> None:
        log = self.api.event_log(case_id)
        try:
            crypto.verify_event_log(log, self.platform_jwks(), self.signing_key, submission_id)
        except crypto.EventLogInvalid:
            crypto.verify_event_log(log, self.platform_jwks(refresh=True), self.signing_key, submission_id)

    def _unpack(self, submission: dict[str, Any], folder: Path) -> dict[str, Any]:
        """Decrypt and check everything in a temporary folder, then rename it into place."""
        submission_id = submission["submissionId"]
        metadata = content.metadata(crypto.decrypt(self.decryption_key, submission["encryptedMetadata"], "metadata"))
        tags: dict[str, Any] = {"metadata": crypto.auth_tag(submission["encryptedMetadata"]), "attachments": {}}
        tmp = folder.parent / f".{folder.name}.{uuid.uuid4().hex[:8]}.tmp"
        (tmp / "attachments").mkdir(parents=True)
        try:
            data_token = submission.get("encryptedData")
            declared = metadata["contentStructure"].get("data")
            if declared and not data_token:
                raise crypto.Invalid("missing-data", "the metadata announce data that were not sent", "data")
            if data_token and not declared:
                raise crypto.Invalid("missing-schema", "data were sent but the metadata name no schema for them "
                                     "(contentStructure.data)", "data")
            if data_token:
                data = crypto.decrypt(self.decryption_key, data_token, "data")
                if crypto.sha512_hex(data) != declared["hash"]["content"]:
                    raise crypto.Invalid("incorrect-data-hash", "the data do not match their hash in the metadata",
                                         "data")
                _write(tmp / content.data(data, declared, self.data_schemas), data)
                tags["data"] = crypto.auth_tag(data_token)
            described = {a["attachmentId"]: a for a in metadata.get("contentStructure", {}).get("attachments", [])}
            if set(described) != set(submission.get("attachments", [])):
                raise crypto.Invalid("attachments-mismatch", "attachments differ from those in the metadata")
            for attachment_id, entry in sorted(described.items()):
                token = submission.get("attachmentTokens", {}).get(attachment_id) or self.api.attachment(
                    submission_id, attachment_id
                )
                body = crypto.decrypt(self.decryption_key, token, f"attachment {attachment_id}")
                if crypto.sha512_hex(body) != entry.get("hash", {}).get("content"):
                    raise crypto.Invalid("incorrect-attachment-hash", f"attachment {attachment_id} hash mismatch",
                                         f"attachment:{attachment_id}")
                name = Path(entry.get("filename") or attachment_id).name or attachment_id
                if (entry.get("mimeType") == "application/xml" and entry.get("purpose") in ("form", "report")
                        and not (tmp / "application.xml").exists()):
                    _write(tmp / "application.xml", body)
                _write(tmp / "attachments" / f"{attachment_id}-{name}", body)
                tags["attachments"][attachment_id] = crypto.auth_tag(token)
            _write(tmp / "metadata.json", json.dumps(metadata, ensure_ascii=False, indent=2).encode())
            _write(tmp / ".tags.json", json.dumps(tags).encode())
            os.rename(tmp, folder)  # atomic: the folder appears complete or not at all
        finally:
            if tmp.exists():
                shutil.rmtree(tmp, ignore_errors=True)
        return tags

    def _accept(self, submission: dict[str, Any], tags: dict[str, Any]) -> None:
        token = crypto.sign_event(
            self.signing_key,
            destination_id=submission["destinationId"],
            submission_id=submission["submissionId"],
            case_id=submission["caseId"],
            event="accept-submission",
            payload={"authenticationTags": tags},
        )
        self.api.post_event(submission["caseId"], token)

    def poll_once(self, spool: bool = False) -> list[Outcome]:
        self.clean_up_if_due()
        handle = self.receive if spool else self.process
        outcomes = []
        for destination_id in self.api.destination_ids():
            for item in self.api.waiting_submissions(destination_id):
                outcomes.append(handle(item["submissionId"]))
        return outcomes
