"""JSON in, refusing what the database could not store or the code could not walk."""

from __future__ import annotations

import json
from typing import Any

from rest_framework.exceptions import ParseError
from rest_framework.parsers import JSONParser

# No request body of this API nests deeper than a few levels (a batch of drafts, each with
# sections and references); this leaves room and keeps every recursive walk of the data far
# from Python's recursion limit.
MAX_NESTING = 32


def nesting_depth(data: Any) -> int:
    """How many arrays and objects deep ``data`` goes (walked without recursion)."""
    deepest = 0
    pending = [(data, 0)]
    while pending:
        value, depth = pending.pop()
        if isinstance(value, dict | list):
            depth += 1
            deepest = max(deepest, depth)
            pending.extend((item, depth) for item in (value.values() if isinstance(value, dict) else value))
    return deepest


class StrictJSONParser(JSONParser):
    """JSON whose strings are all valid Unicode and that nests no deeper than ``MAX_NESTING``.

    ``json`` accepts escaped lone surrogates (``"\\ud800"``); PostgreSQL cannot store
    them and would fail the request with a 500 long after parsing. Thousands of nested
    arrays make ``json`` itself raise ``RecursionError`` (a 500, not a parse error).
    """

    def parse(self, stream, media_type=None, parser_context=None):
        try:
            data = super().parse(stream, media_type, parser_context)
        except RecursionError:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_NESTING} levels.") from None
        if nesting_depth(data) > MAX_NESTING:
            raise ParseError(f"JSON parse error - nested deeper than {MAX_NESTING} levels.")
        try:
            json.dumps(data, ensure_ascii=False).encode("utf-8")
        except UnicodeEncodeError:
            raise ParseError(
                "JSON parse error - the text contains invalid Unicode (a lone surrogate)."
            ) from None
        return data
