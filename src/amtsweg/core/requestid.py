"""Request ids: one id per request, in the response, in every JSON log line, and in the work it causes.

An operator who sees a failed delivery in a worker's log must find the request that submitted it on
whichever web host served it, and the other way round. So:

* `RequestIdMiddleware` (first in `MIDDLEWARE`) takes the caller's `X-Request-ID` when it is a plausible
  id (8 to 64 characters of letters, digits, `.`, `_`, `-`: a reverse proxy's or a client's id keeps
  its value, but nothing can smuggle line breaks, quotes or personal data of any length into the logs)
  and otherwise makes one; it answers with it in `X-Request-ID`.
* The id lives in a context variable until the request is finished (`current()`), and
  `RequestIdFilter` on the log handler writes it into every record as `request_id`.
* Background work carries it explicitly: an outbox message stores the id of the request that wrote it
  (`delivery.OutboxMessage.request_id`), and the worker delivers each message inside `bound(...)` with
  that id, so its log lines of that submission carry the submitting request's id.
"""

from __future__ import annotations

import logging
import re
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.core.signals import request_finished
from django.http import HttpRequest, HttpResponse

HEADER = "X-Request-ID"
MAX_LENGTH = 64
_VALID = re.compile(r"[A-Za-z0-9._-]{8,64}")
_current: ContextVar[str] = ContextVar("amtsweg_request_id", default="")


def is_valid(value: str | None) -> bool:
    """True for an id this platform accepts from outside (and stores: at most `MAX_LENGTH` characters)."""
    return bool(value) and _VALID.fullmatch(value) is not None


def new_id() -> str:
    return uuid.uuid4().hex


def current() -> str:
    """The id of the request or background work this code runs for ("" outside of either)."""
    return _current.get()


@contextmanager
def bound(*request_ids: str) -> Iterator[str]:
    """Run the block with these ids as the current one: a worker delivering one message binds its id; a
    channel that sends several submissions in one call (one callback per destination) binds all of theirs,
    comma-separated, so each submission's id still finds the line. Invalid or empty ids are left out."""
    token = _current.set(",".join(sorted({i for i in request_ids if is_valid(i)})))
    try:
        yield _current.get()
    finally:
        _current.reset(token)


class RequestIdMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        incoming = request.headers.get(HEADER)
        request_id = incoming if is_valid(incoming) else new_id()
        request.request_id = request_id
        # Not reset when the middleware returns: Django logs a 4xx/5xx answer ("Not Found: …") after the
        # middleware chain, and a streamed body is written later still. `request_finished` clears it.
        _current.set(request_id)
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


def _forget(**kwargs) -> None:
    _current.set("")


request_finished.connect(_forget, dispatch_uid="amtsweg.core.requestid")


class RequestIdFilter(logging.Filter):
    """Adds `request_id` to every record written while a request or a message's delivery is current.
    Sits on the handler after the personal-data filter (which drops a library record's extra fields)."""

    def filter(self, record: logging.LogRecord) -> bool:
        request_id = _current.get()
        if request_id and not getattr(record, "request_id", None):
            record.request_id = request_id
        return True
