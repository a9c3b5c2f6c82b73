"""Secret files are owner-only from their first byte and appear complete or not at all."""

import os
import stat

import pytest

from amtsweg.core import files


def _mode(path) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


def test_a_new_and_a_replaced_file_are_owner_only_even_under_a_permissive_umask(tmp_path, monkeypatch):
    seen = []
    real_fsync = os.fsync

    def recording_fsync(fd):
        seen.append(stat.S_IMODE(os.fstat(fd).st_mode))  # the mode while the secret is in the file
        real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording_fsync)
    old_umask = os.umask(0)
    try:
        target = tmp_path / "secret.json"
        files.write_private(target, "geheim")
        target.chmod(0o644)  # e.g. restored from a backup
        files.write_private(target, b"neu")
    finally:
        os.umask(old_umask)
    assert seen == [0o600, 0o600] and _mode(target) == 0o600 and target.read_bytes() == b"neu"
    assert [p.name for p in tmp_path.iterdir()] == ["secret.json"]


def test_a_failed_write_keeps_the_old_content_and_leaves_no_temporary_file(tmp_path, monkeypatch):
    target = tmp_path / "key.pem"
    files.write_private(target, "alt")

    def disk_full(fd):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "fsync", disk_full)
    with pytest.raises(OSError):
        files.write_private(target, "neu")
    assert target.read_text() == "alt" and [p.name for p in tmp_path.iterdir()] == ["key.pem"]


def test_leftovers_of_a_killed_writer_are_found_by_name(tmp_path):
    target = tmp_path / "key.pem"
    leftover = tmp_path / ".key.pem.abc123.tmp"
    leftover.write_text("halb")
    other = tmp_path / ".other.pem.abc123.tmp"
    other.write_text("x")
    with files.exclusive(tmp_path / ".lock"):
        assert files.remove_leftovers(target) == [leftover]
    assert other.exists()
