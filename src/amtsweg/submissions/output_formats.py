"""Output formats: plugins that render an application as a structured message (e.g. an XÖV message).

A plugin registers itself for one or more LeiKa keys; the intake asks the registry for the service's
format and adds its rendering as an extra encrypted part (an attachment with MIME type
`application/xml` and purpose `report`). More formats are added by registering, not by editing the intake:

    @register
    class MyFormat(OutputFormat):
        name = "xyz-1.0"; leika_keys = {"99…"}; mime_type = "application/xml"; filename = "xyz.xml"
        def render(self, payload) -> bytes: ...
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from amtsweg.assistants.handoff import FormSubmissionPayload


class OutputFormat(ABC):
    name: ClassVar[str]
    label: ClassVar[str] = ""
    leika_keys: ClassVar[set[str]] = set()
    mime_type: ClassVar[str] = "application/xml"
    filename: ClassVar[str] = "message.xml"

    @abstractmethod
    def render(self, payload: FormSubmissionPayload) -> bytes:
        """The application as a message of this format (bytes, ready to encrypt)."""


_registry: dict[str, OutputFormat] = {}


def register(cls: type[OutputFormat]) -> type[OutputFormat]:
    if cls.name in _registry:
        raise ValueError(f"output format {cls.name} is already registered")
    _registry[cls.name] = cls()
    return cls


def formats() -> dict[str, OutputFormat]:
    _load_builtin()
    return dict(_registry)


def for_service(leika_key: str) -> OutputFormat | None:
    """The output format for a LeiKa key, if a plugin provides one."""
    _load_builtin()
    for fmt in _registry.values():
        if leika_key in fmt.leika_keys:
            return fmt
    return None


def _load_builtin() -> None:
    # Built-in plugins register on import.
    from amtsweg.submissions import xbau  # noqa: F401
