"""Logging helpers: JSON lines that never carry personal data, whoever logs.

`ScrubPersonalDataFilter` sits on every handler (see `LOGGING` in settings), so it sees the records of all
loggers, ours and every library's, and

* replaces the request object (whose repr contains the full URL) by `path` and `method`, without the query
  string, which can hold names, postcodes or tokens;
* strips query strings from URLs and request lines in the message and its arguments
  (e.g. django.server's `"GET /orte/?q=Mustermann HTTP/1.1" 200`), and the path segments that are
  capabilities (the save-and-resume token, the status page's signature: whoever has them reads an
  application);
* drops extra fields whose names say they are personal (`username`, `email`, `ip_address`, ...);
* keeps of a library's record (a logger outside `TRUSTED_LOGGERS`) only its shape: the message template
  without its arguments (fpdf2 once logged "Font DejaVu is missing the following glyphs: 李 …" with the
  glyphs of an applicant's name as argument), no extra fields, and a message that came without arguments
  (possibly formatted by the library with the data in it) only if it is in `LIBRARY_MESSAGES`;
* writes tracebacks of every logger without the exception messages (a validation error can quote the
  value it refused, e.g. a name): exception types, files, lines and code remain.

Log calls in our code pass ids, never names or form values; this filter is the safety net.
`core/tests/test_log_privacy.py` runs a whole application at DEBUG and finds none of the values entered.
"""

from __future__ import annotations

import logging
import re
import traceback

REDACTED = "[entfernt]"
LIBRARY_MESSAGE_REMOVED = "[Meldung einer Bibliothek ohne Vorlage: Inhalt entfernt]"
EXCEPTION_MESSAGE_REMOVED = "[Meldung entfernt]"
# "/path?query", "https://host/path?query": drop everything from "?" up to whitespace or a quote.
_QUERY = re.compile(r"(?P<url>(?:https?://[^\s\"'?]+)?/[^\s\"'?]*)\?[^\s\"']*")
PERSONAL_EXTRA_FIELDS = frozenset({
    "username", "user", "email", "ip_address", "remote_addr", "first_name", "last_name", "full_name",
    "postcode", "address", "street", "phone", "birth_date", "query_string", "get_data", "post_data",
})
# Loggers whose messages we know (ours, Django's own), minus the one that logs SQL with its parameters.
TRUSTED_LOGGERS = ("amtsweg", "amtsweg_subscriber", "django")
UNTRUSTED_LOGGERS = ("django.db.backends",)
# Messages libraries log without arguments that are known to be constant (kept as they are).
LIBRARY_MESSAGES = frozenset({
    "Added first four glyphs to subset",  # fontTools.subset
})
_RECORD_ATTRIBUTES = frozenset(logging.LogRecord("", 0, "", 0, "", (), None).__dict__) | {"message", "asctime"}


# The segment after these prefixes opens an application (assistants' resume link, submissions' status link).
_CAPABILITY = re.compile(r"(?P<keep>/antrag/fortsetzen/|/status/[^/\s\"'?]+/)[^/\s\"'?]+")


def strip_query_strings(text: str) -> str:
    return _QUERY.sub(lambda m: m.group("url"), text)


def scrub_text(text: str) -> str:
    """`text` without query strings and without capability segments in the paths it contains."""
    return _CAPABILITY.sub(lambda m: m.group("keep") + REDACTED, strip_query_strings(text))


def _is_trusted(name: str) -> bool:
    def under(prefixes: tuple[str, ...]) -> bool:
        return any(name == p or name.startswith(p + ".") for p in prefixes)

    return under(TRUSTED_LOGGERS) and not under(UNTRUSTED_LOGGERS)


def _exception_chain(exc: BaseException | None):
    """The exception and those it was raised from or during, innermost first (as tracebacks print them)."""
    chain, seen = [], set()
    while exc is not None and id(exc) not in seen:
        seen.add(id(exc))
        chain.append(exc)
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    return reversed(chain)


def scrubbed_traceback(exc: BaseException | None) -> str:
    """The traceback of `exc` (and its chain) with types, files, lines and code, without any message."""
    parts = []
    for index, item in enumerate(_exception_chain(exc)):
        if index:
            parts.append("\nDuring handling of the above exception, another exception occurred:\n\n")
        parts.append("Traceback (most recent call last):\n")
        parts.extend(traceback.format_list(traceback.extract_tb(item.__traceback__)))
        name = type(item).__module__ + "." + type(item).__qualname__
        parts.append(f"{name.removeprefix('builtins.')}: {EXCEPTION_MESSAGE_REMOVED}\n")
    return "".join(parts).rstrip("\n")


class ScrubPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            # django.request passes an HttpRequest; django.server passes a socket (no path).
            path = getattr(request, "path", None)
            if isinstance(path, str):
                record.path = scrub_text(path)
                record.method = getattr(request, "method", "")
            del record.request
        if record.exc_info:
            record.exc_text = scrubbed_traceback(record.exc_info[1])
            record.exc_info = None
        if not _is_trusted(record.name):
            self._library_shape(record)
            return True
        for field in PERSONAL_EXTRA_FIELDS & record.__dict__.keys():
            delattr(record, field)
        if isinstance(record.msg, str):
            record.msg = scrub_text(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(self._scrub_arg(a) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: self._scrub_arg(v) for k, v in record.args.items()}
        return True

    @staticmethod
    def _library_shape(record: logging.LogRecord) -> None:
        """Only the message template of a library's record: no arguments, no extra fields."""
        if not isinstance(record.msg, str) or (not record.args and record.msg not in LIBRARY_MESSAGES):
            record.msg = LIBRARY_MESSAGE_REMOVED
        record.msg = scrub_text(record.msg)
        record.args = ()
        for field in record.__dict__.keys() - _RECORD_ATTRIBUTES - {"path", "method", "exc_text"}:
            delattr(record, field)

    @staticmethod
    def _scrub_arg(value):
        if isinstance(value, str):
            return scrub_text(value)
        return value
