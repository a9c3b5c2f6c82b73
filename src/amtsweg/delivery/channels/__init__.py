"""Registry of push channels. A channel is a plugin: the core knows only this interface.

A channel delivers a batch of claimed outbox messages and reports, per message, success or an error.
Adding a channel means writing a `PerMessageChannel`, `PerDestinationChannel` or `Channel` subclass,
decorated with the registry (`amtsweg.core.plugins`), in a module the providing app imports in its
`AppConfig.ready()`; nothing in the core changes:

    from amtsweg.delivery.channels import PerMessageChannel, register

    @register("fax")
    class FaxChannel(PerMessageChannel):
        label = _("Fax")
        def deliver_one(self, message): ...

The identifier is what destinations list in `channels` and what outbox messages store. "pull" is
deliberately not a channel: a submission for pull simply waits in the Submission API until the
Fachverfahren fetches it.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

from amtsweg.core import requestid
from amtsweg.core.plugins import PluginRegistry

if TYPE_CHECKING:
    from amtsweg.delivery.models import OutboxMessage


class DeliveryError(Exception):
    """A delivery attempt failed. `permanent` errors go straight to the dead letters (no retry helps)."""

    def __init__(self, reason: str, *, permanent: bool = False):
        super().__init__(reason)
        self.reason = reason
        self.permanent = permanent


class Channel(ABC):
    """Base class of push channels: `deliver` a batch of claimed messages. Most plugins subclass
    `PerMessageChannel` (one message at a time) or `PerDestinationChannel` (one call per destination)."""

    identifier: str = ""  # set by the registry
    label: str = ""
    is_test_plugin: bool = False
    # False for channels driven by something other than a destination's choice of delivery channels (the
    # sender's callback): they are never enqueued for a submitted application, whatever `channels` says.
    for_destination: bool = True
    # Whether a delivery is a step of the application's event log (notify-submission: "the office was
    # notified"); not so for a message to the sender.
    records_notification: bool = True

    @abstractmethod
    def deliver(self, messages: Sequence[OutboxMessage]) -> dict[int, DeliveryError | None]:
        """Deliver each message; map message pk → None (delivered) or the error."""


class PerMessageChannel(Channel):
    """A channel that delivers each message on its own (`deliver_one`)."""

    @abstractmethod
    def deliver_one(self, message: OutboxMessage) -> None:
        """Deliver one message; raise `DeliveryError` if it failed."""

    def deliver(self, messages: Sequence[OutboxMessage]) -> dict[int, DeliveryError | None]:
        outcome: dict[int, DeliveryError | None] = {}
        for message in messages:
            try:
                with requestid.bound(message.request_id):  # the submitting request's id in these log lines
                    self.deliver_one(message)
            except DeliveryError as exc:
                outcome[message.pk] = exc
            except Exception as exc:  # a plugin's bug must not stop the worker; it is retried and shown
                outcome[message.pk] = DeliveryError(f"{type(exc).__name__}: {exc}")
            else:
                outcome[message.pk] = None
        return outcome


class PerDestinationChannel(Channel):
    """A channel that handles all due messages of one destination together (one callback, one e-mail)."""

    @abstractmethod
    def deliver_to(self, destination, batch: Sequence[OutboxMessage]) -> DeliveryError | None:
        """Deliver `batch` to `destination` (None if it no longer exists); None on success."""

    def deliver(self, messages: Sequence[OutboxMessage]) -> dict[int, DeliveryError | None]:
        from collections import defaultdict

        from amtsweg.routing.models import Destination

        by_destination: dict = defaultdict(list)
        for message in messages:
            by_destination[message.destination_id].append(message)
        destinations = Destination.objects.in_bulk(list(by_destination))
        outcome: dict[int, DeliveryError | None] = {}
        for destination_id, batch in by_destination.items():
            with requestid.bound(*(m.request_id for m in batch)):
                error = self.deliver_to(destinations.get(destination_id), batch)
            outcome.update({m.pk: error for m in batch})
        return outcome


register: PluginRegistry[Channel] = PluginRegistry("delivery channel")


def push_channels(channel_names: Iterable[str]) -> list[str]:
    """Those of a destination's channels that need a push (have a plugin that may be offered)."""
    return [name for name in dict.fromkeys(channel_names) if register.get_enabled(name) is not None]


def destination_channels(channel_names: Iterable[str]) -> list[str]:
    """Those of a destination's channels that deliver to the destination (registered, `for_destination`)."""
    return [name for name in push_channels(channel_names) if register[name].for_destination]
