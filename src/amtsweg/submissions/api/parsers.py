"""`application/jose` request bodies: compact JWE (attachments) and JWS (events), bounded in size."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework.exceptions import ParseError
from rest_framework.parsers import BaseParser

from amtsweg.submissions import services
from amtsweg.submissions.errors import TooLarge


class JoseParser(BaseParser):
    """`application/jose` bodies: a compact serialisation (JWE for attachments, JWS for events)."""

    media_type = "application/jose"

    def parse(self, stream, media_type=None, parser_context=None):
        if stream is None:
            return ""
        data = stream.read(services.MAX_ATTACHMENT_BYTES + 1)
        if len(data) > services.MAX_ATTACHMENT_BYTES:
            raise TooLarge(_("Der Inhalt ist zu groß."))
        try:
            # As sent: the attachment schema's pattern allows no whitespace around the JWE (the views check it).
            return data.decode("ascii")
        except UnicodeDecodeError as exc:
            raise ParseError(_("Eine JOSE-Kompaktserialisierung besteht nur aus ASCII-Zeichen.")) from exc
