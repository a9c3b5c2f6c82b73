"""What later apps store about a case, so that the back office can delete and export the whole case.

The Postfach keeps messages, their files and the Bescheide of a case; the back office cannot import it (it
builds on the back office). It registers a `CasePart` here instead (a `core.plugins.PluginRegistry`, like
`case_links`), and the retention job (`retention`), the data export (Art. 15 DSGVO) and the e-Akte export
(`exports`) ask every registered part:

    case_parts.register.add("postfach", case_parts.CasePart(
        purge=..., personal_data=..., archive_files=...))

The callers check who may act and write the audit entries; a part only reads or deletes what it stores
about the given cases and opens its sealed values with `casework.vault` for the case's Authority.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from amtsweg.core.plugins import PluginRegistry


@dataclass(frozen=True)
class ArchiveFile:
    """One file of an export: its path inside the archive, its bytes and what it is (for the manifest)."""

    path: str
    content: bytes
    media_type: str
    kind: str  # "application", "attachment", "notice", "notice-signature", "message", "message-attachment", …
    meta: dict[str, Any] = field(default_factory=dict)  # e.g. the notice's kid, dates; never secrets


@dataclass(frozen=True)
class CasePart:
    """A later app's share of a case.

    `purge(cases)`: delete what the app stores about these cases (called inside the retention job's
    transaction, before the cases themselves are deleted); returns counts per category code (`CATEGORIES`
    of `casework.retention` names them).
    `personal_data(case, *, for_applicant)`: the app's personal data of the case, opened and readable, as
    {"title": str, "items": [{"title": str, "fields": [(label, value)], "files": [ArchiveFile]}]};
    `for_applicant` leaves out what only the Authority sees.
    `archive_files(case)`: the app's files for the e-Akte archive.
    """

    purge: Callable[[list], dict[str, int]]
    personal_data: Callable[..., dict[str, Any]] | None = None
    archive_files: Callable[[Any], list[ArchiveFile]] | None = None
    order: int = 100
    is_test_plugin: bool = False


def safe_name(name: str, fallback: str = "datei") -> str:
    """A file name that is one harmless path segment inside an archive (no directories, no control
    characters, no leading dots), at most 100 characters."""
    name = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch if ch.isprintable() and ch not in '<>:"|?*' else "_" for ch in name).strip(" .")
    return name[:100] or fallback


register: PluginRegistry[CasePart] = PluginRegistry("case part")


def parts() -> list[CasePart]:
    """The registered parts, by order."""
    return [part for _key, part in sorted(register.enabled_items(), key=lambda item: (item[1].order, item[0]))]
