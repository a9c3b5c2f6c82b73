"""Logging helpers: JSON lines that never carry personal data.

`ScrubPersonalDataFilter` sits on every handler (see `LOGGING` in settings) and

* replaces the request object (whose repr contains the full URL) by `path` and `method`, without the query
  string, which can hold names, postcodes or tokens;
* strips query strings from URLs and request lines in the message and its arguments
  (e.g. django.server's `"GET /orte/?q=Mustermann HTTP/1.1" 200`);
* redacts the arguments of django-axes' messages, which name the username and IP address;
* drops extra fields whose names say they are personal (`username`, `email`, `ip_address`, ...).

Log calls in our code pass ids, never names or form values; this filter is the safety net.
"""

from __future__ import annotations

import logging
import re

REDACTED = "[entfernt]"
# "/path?query", "https://host/path?query": drop everything from "?" up to whitespace or a quote.
_QUERY = re.compile(r"(?P<url>(?:https?://[^\s\"'?]+)?/[^\s\"'?]*)\?[^\s\"']*")
PERSONAL_EXTRA_FIELDS = frozenset({
    "username", "user", "email", "ip_address", "remote_addr", "first_name", "last_name", "full_name",
    "postcode", "address", "street", "phone", "birth_date", "query_string", "get_data", "post_data",
})
REDACT_ARGS_LOGGERS = ("axes",)


def strip_query_strings(text: str) -> str:
    return _QUERY.sub(lambda m: m.group("url"), text)


class ScrubPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            # django.request passes an HttpRequest; django.server passes a socket (no path).
            path = getattr(request, "path", None)
            if isinstance(path, str):
                record.path = path
                record.method = getattr(request, "method", "")
            del record.request
        for field in PERSONAL_EXTRA_FIELDS & record.__dict__.keys():
            delattr(record, field)
        if isinstance(record.msg, str) and "?" in record.msg:
            record.msg = strip_query_strings(record.msg)
        redact = record.name.startswith(REDACT_ARGS_LOGGERS)
        if isinstance(record.args, tuple):
            record.args = tuple(self._scrub_arg(a, redact) for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: self._scrub_arg(v, redact) for k, v in record.args.items()}
        return True

    @staticmethod
    def _scrub_arg(value, redact: bool):
        if isinstance(value, str):
            return REDACTED if redact else strip_query_strings(value)
        return value
