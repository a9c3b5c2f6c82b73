"""Who acts when no person does: the `SYSTEM` actor for jobs, workers and commands.

Domain functions take the acting user as an explicit, required argument, so that nobody can call them
"anonymously" by forgetting it. Work started by the platform itself (the back office's ingest worker, a
retention job) passes `SYSTEM` instead of a user. It is not a database row: `pk` is None, so
`accounts.audit.record` writes it as the system (no actor), and it is not authenticated, so the tenancy
querysets (`visible_to`, `editable_by`) give it nothing; functions that allow the system check
`is_system(actor)` explicitly.
"""

from __future__ import annotations

from typing import Any


class SystemActor:
    """The platform itself. A singleton: compare with `is_system`."""

    pk = None
    id = None
    is_authenticated = False
    is_active = False
    is_superuser = False
    role = "system"
    authority = None
    authority_id = None

    def get_username(self) -> str:
        return ""

    def __str__(self) -> str:
        return "System"

    def __repr__(self) -> str:
        return "SYSTEM"


SYSTEM = SystemActor()


def is_system(actor: Any) -> bool:
    return actor is SYSTEM
