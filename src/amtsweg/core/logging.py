"""Logging helpers: JSON lines that never carry personal data.

Request logs keep the path without its query string (which can hold names, postcodes, tokens) and
drop the request object itself. Log calls elsewhere must pass ids, never names or form values.
"""

import logging


class ScrubPersonalDataFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        request = getattr(record, "request", None)
        if request is not None:
            record.path = getattr(request, "path", "")
            record.method = getattr(request, "method", "")
            del record.request
        if hasattr(record, "args") and isinstance(record.args, tuple):
            # django.server's "GET /path?query HTTP/1.1" -> strip the query string.
            record.args = tuple(
                a.split("?", 1)[0] + (" " + a.rsplit(" ", 1)[1] if "?" in a and " " in a else "")
                if isinstance(a, str) and a[:4] in {"GET ", "POST", "PUT ", "PATC", "DELE", "HEAD"}
                else a
                for a in record.args
            )
        return True
