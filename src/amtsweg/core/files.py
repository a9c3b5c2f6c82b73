"""Writing a secret to a file: readable by the owner only from its first byte, complete or not there at all.

`path.write_text(secret)` followed by `path.chmod(0o600)` leaves the secret readable by everyone (umask
022) until the chmod, and a process killed in between leaves it so; killed during the write it leaves
half a key, which the next start then takes for a whole one. `write_private` writes a temporary file
beside the target (created 0600 by `tempfile.mkstemp`), flushes it to disk and renames it over the target
(`os.replace`, atomic on one file system): a reader sees the old content or the new, never a part. A
temporary file of a killed writer starts with `.<name>.` and ends with `.tmp`; `exclusive()` callers may
remove such leftovers with `remove_leftovers`.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path


def write_private(path: Path, data: bytes | str) -> None:
    """Replace `path` atomically with `data`, readable and writable by the owner only (0600)."""
    path = Path(path)
    payload = data.encode() if isinstance(data, str) else data
    fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(payload)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(tmp_name)
        raise


def remove_leftovers(path: Path) -> list[Path]:
    """Remove temporary files that a killed `write_private(path, …)` left; call only under `exclusive()`."""
    path = Path(path)
    removed = []
    for leftover in path.parent.glob(f".{path.name}.*.tmp"):
        if leftover.is_file() and not leftover.is_symlink():
            leftover.unlink(missing_ok=True)
            removed.append(leftover)
    return removed


@contextlib.contextmanager
def exclusive(lock_file: Path) -> Iterator[None]:
    """Hold an exclusive lock across processes (flock on `lock_file`); released when the holder dies."""
    fd = os.open(lock_file, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
