"""JSON in, refusing what the database could not store."""

from __future__ import annotations

import json

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser


class StrictJSONParser(JSONParser):
    """JSON whose strings are all valid Unicode.

    ``json`` accepts escaped lone surrogates (``"\\ud800"``); PostgreSQL cannot store
    them and would fail the request with a 500 long after parsing.
    """

    def parse(self, stream, media_type=None, parser_context=None):
        data = super().parse(stream, media_type, parser_context)
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(
                "JSON parse error - the text contains invalid Unicode (a lone surrogate)."
            ) from None
        return data
