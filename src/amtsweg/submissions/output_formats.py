"""Output formats: plugins that render an application as a structured message (e.g. an XÖV message).

A plugin registers itself for one or more LeiKa keys; the intake asks the registry for the service's
format and adds its rendering as an extra encrypted part (an attachment with MIME type
`application/xml` and purpose `report`). More formats are added by registering (`amtsweg.core.plugins`) in a
module the providing app imports in its `AppConfig.ready()`, not by editing the intake:

    @register("xyz-1.0")
    class MyFormat(OutputFormat):
        leika_keys = {"99…"}; mime_type = "application/xml"; filename = "xyz.xml"
        def render(self, payload) -> bytes: ...
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING, ClassVar

from amtsweg.core.plugins import PluginRegistry

if TYPE_CHECKING:
    from amtsweg.assistants.handoff import FormSubmissionPayload


class OutputFormat(ABC):
    identifier: str = ""  # set by the registry
    label: ClassVar[str] = ""
    leika_keys: ClassVar[set[str]] = set()
    mime_type: ClassVar[str] = "application/xml"
    filename: ClassVar[str] = "message.xml"
    is_test_plugin: ClassVar[bool] = False

    @abstractmethod
    def render(self, payload: FormSubmissionPayload) -> bytes:
        """The application as a message of this format (bytes, ready to encrypt)."""


register: PluginRegistry[OutputFormat] = PluginRegistry("output format")


def for_service(leika_key: str) -> OutputFormat | None:
    """The output format for a LeiKa key, if a plugin that may be offered provides one."""
    for fmt in register.enabled():
        if leika_key in fmt.leika_keys:
            return fmt
    return None
