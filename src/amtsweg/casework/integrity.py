"""Proof that the back office's sealed content opens: run after a restore (`amtsweg restore`).

A restore that brings back the database but not the KEK it was sealed under (or a KEK from another
installation) restores rows nobody can read; counting rows does not notice that, opening them does. The
check opens every case's content, every case attachment and every note with the configured KEK, and unwraps
every private key the back office holds (without them no new application could be taken in), reading in
batches so a large installation does not load all ciphertext at once.
"""

from __future__ import annotations

from amtsweg.casework import receiving, vault
from amtsweg.casework.models import Case, CaseAttachment, CaseEntry, ReceivingKey
from amtsweg.core.backup import RestoreError

BATCH = 500


def every_case_opens() -> int:
    """Open every sealed value of every case; returns how many cases were checked. Raises RestoreError
    naming the first case (by id, not content) that does not open."""
    vault.forget_cached_keys()  # the KEK and data keys as restored now, not as this process saw them before
    receiving.forget_cached_keys()
    for destination_id, kid in ReceivingKey.objects.values_list("destination_id", "kid").iterator(BATCH):
        try:
            receiving.private_key(destination_id, kid)
        except vault.VaultError as exc:
            raise RestoreError(f"receiving key {kid} does not unwrap with the configured KEK: {exc}") from None
    cases = 0
    for case_id, authority_id, content in Case.objects.values_list("pk", "authority_id", "content").iterator(BATCH):
        _open(authority_id, content, "case.application", f"case {case_id}")
        cases += 1
    for pk, authority_id, content in CaseAttachment.objects.values_list(
            "pk", "case__authority_id", "content").iterator(BATCH):
        _open(authority_id, content, "case.attachment", f"case attachment {pk}")
    for pk, authority_id, text in CaseEntry.objects.exclude(text=None).values_list(
            "pk", "case__authority_id", "text").iterator(BATCH):
        _open(authority_id, text, None, f"case entry {pk}")
    return cases


def _open(authority_id: int, sealed: bytes, purpose: str | None, what: str) -> None:
    try:
        vault.open(authority_id, bytes(sealed), purpose=purpose)
    except vault.VaultError as exc:
        raise RestoreError(f"{what} does not open with the configured KEK: {exc}") from None
