"""What the fuzzers share (issue 14, property 5: no request gets a 500).

- The budget: each fuzzer names its own small CI budget; ``VETTED_FUZZ_EXAMPLES`` replaces it for
  a long campaign (``make fuzz``), which also draws fresh random examples instead of the fixed,
  derandomised ones CI replays. Every failure prints Hypothesis' reproduction blob.
- The hostile values: absurd time zones and offsets, dates out of range, NUL bytes, lone
  surrogates, huge and empty values, enormous numbers, deeply nested JSON.
- The checks every answer goes through: never 5xx; under ``/api/`` a JSON error; elsewhere an
  HTML page; and a refused request (4xx) leaves every stored row as it was (``snapshot``).
- What was covered, printed at the end of the run (``tests/conftest.py``).
"""

from __future__ import annotations

import functools
import json
import os
from collections import Counter, defaultdict
from typing import Any

from django.apps import apps
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# Set for a campaign (``make fuzz``): the number of examples every fuzzer runs.
CAMPAIGN_EXAMPLES = int(os.environ.get("VETTED_FUZZ_EXAMPLES") or 0)


def fuzz_settings(ci_examples: int, campaign_share: float = 1.0, **overrides: Any) -> settings:
    """Hypothesis settings for a fuzzer whose CI budget is ``ci_examples``.

    In a campaign it runs ``VETTED_FUZZ_EXAMPLES`` examples, or that share of them for a fuzzer
    parametrized over hundreds of pages (each page's test gets the share).
    """
    campaign = max(ci_examples, int(CAMPAIGN_EXAMPLES * campaign_share)) if CAMPAIGN_EXAMPLES else 0
    return settings(
        max_examples=campaign or ci_examples,
        deadline=None,
        # CI replays the same examples every run (a failure there is never a fluke); a campaign
        # explores. Either way a failure prints the blob that replays it (@reproduce_failure).
        derandomize=not CAMPAIGN_EXAMPLES,
        print_blob=True,
        database=None,
        suppress_health_check=list(HealthCheck),
        **overrides,
    )


# --- hostile values --------------------------------------------------------------------------------

ABSURD_DATETIMES = [
    "2026-01-01T00:00:00+99:00",
    "2026-01-01T00:00:00+14:01",
    "2026-01-01T00:00:00-25:00",
    "2026-01-01T00:00:00+16:00",  # Python accepts it, PostgreSQL refuses offsets past ±15:59
    "2026-01-01T00:00:00-15:59",
    "2026-01-01T00:00:00+23:59",
    "9999-12-31T23:59:59-14:00",  # overflows when turned into UTC
    "9999-12-31T23:59:59-23:59",
    "9999-12-31T23:59",
    "9999-12-31T23:59:59.999999Z",
    "0001-01-01T00:00:00+14:00",  # underflows when turned into UTC
    "0001-01-01T00:00",
    "0000-01-01T00:00:00",
    "10000-01-01T00:00:00",
    "-0001-01-01T00:00:00",
    "2026-02-30T00:00",
    "2026-13-01T00:00",
    "2026-01-01T24:00",
    "2026-01-01T00:00:60",
    "2026-01-01T00:00:00 Mars/Olympus_Mons",
    "2026-01-01T00:00:00[Europe/Atlantis]",
    "2026-01-01 00:00 Etc/GMT+99",
    "2026-01-01T00:00:00+00:00:00.5",
    "1e400",
    "99999999999999999999",
    "-99999999999999999999",
    "NaN",
    "",
]
ABSURD_DATES = [
    "0001-01-01",
    "9999-12-31",
    "0000-01-01",
    "10000-01-01",
    "2026-02-30",
    "2026-00-10",
    "-1-01-01",
]
HUGE_NUMBERS = [
    "0",
    "-1",
    "-9223372036854775808",
    "9223372036854775807",
    "9223372036854775808",
    "99999999999999999999999999999999",
    "-99999999999999999999999999999999",
    "1e309",
    "1E-400",
    "0x10",
    "١٢",  # Arabic-Indic digits: Python's int() reads them
    "²",  # a digit to str.isdigit(), not to int()
    "½",
    "NaN",
    "Infinity",
]
SPECIAL_TEXT = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\ud800",
    "x\udfff",
    "\ufeff",
    "\u202e\u2066",
    "\r\n\r\n",
    "%00",
    "../../../../etc/passwd",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "{{ settings.SECRET_KEY }}",
    "\U0001f9d1\u200d\u2695\ufe0f",
    "e\u0301" * 50,
    # Addresses: a port out of range, a broken IPv6 literal, no host.
    "https://93.184.215.14:99999/hooks",
    "https://93.184.215.14:0/hooks",
    "https://[::1/hooks",
    "http:///nohost",
    "https://xn--/",
    "mailto:x@example.org",
]


@st.composite
def absurd_offset_datetimes(draw) -> str:
    """An ISO 8601 date and time with any year and any offset, most of them not valid."""
    year = draw(st.sampled_from([0, 1, 2, 1969, 2026, 9998, 9999, 10000, 99999]))
    month = draw(st.integers(0, 13))
    day = draw(st.integers(0, 32))
    hour = draw(st.integers(0, 25))
    sign = draw(st.sampled_from("+-"))
    offset_h = draw(st.integers(0, 99))
    offset_m = draw(st.sampled_from([0, 1, 30, 59, 60, 99]))
    zone = draw(
        st.sampled_from(["", "Z", f"{sign}{offset_h:02}:{offset_m:02}", f"{sign}{offset_h:02}{offset_m:02}"])
    )
    return f"{year:04}-{month:02}-{day:02}T{hour:02}:00:00{zone}"


def datetime_texts() -> st.SearchStrategy[str]:
    return st.one_of(st.sampled_from(ABSURD_DATETIMES), absurd_offset_datetimes())


def date_texts() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(ABSURD_DATES),
        st.builds(
            lambda y, m, d: f"{y:04}-{m:02}-{d:02}",
            st.integers(0, 10001),
            st.integers(0, 13),
            st.integers(0, 32),
        ),
    )


def huge_text() -> st.SearchStrategy[str]:
    return st.sampled_from([10_001, 100_001, 1_000_000]).map(lambda n: "x" * n)


def hostile_text() -> st.SearchStrategy[str]:
    """Any text a field might be sent: special, huge, dates, numbers, or Hypothesis' own."""
    return st.one_of(
        st.sampled_from(SPECIAL_TEXT),
        st.sampled_from(HUGE_NUMBERS),
        datetime_texts(),
        date_texts(),
        huge_text(),
        st.text(max_size=40),
    )


def hostile_json_values(max_leaves: int = 12) -> st.SearchStrategy[Any]:
    """JSON values of every type, their leaves hostile."""
    leaves = st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.sampled_from([2**63, -(2**63) - 1, 10**40, -1, 0]),
        st.floats(allow_nan=False, allow_infinity=False),
        hostile_text(),
    )
    return st.recursive(
        leaves,
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(st.text(max_size=12), inner, max_size=4)
        ),
        max_leaves=max_leaves,
    )


def deeply_nested(depth: int, kind: str = "list") -> bytes:
    if kind == "list":
        return b"[" * depth + b"]" * depth
    return b'{"a":' * depth + b"1" + b"}" * depth


# Raw bodies that are not a JSON object a serializer can read. ``latin-1`` bodies hold bytes that are
# not UTF-8 at all.
RAW_BODIES: list[tuple[str, bytes]] = [
    ("application/json", b""),
    ("application/json", b"null"),
    ("application/json", b"[]"),
    ("application/json", b'"text"'),
    ("application/json", b"1e999999"),
    ("application/json", b"NaN"),
    ("application/json", b'{"a": Infinity}'),
    ("application/json", b"{"),
    ("application/json", b"\x00"),
    ("application/json", b'{"title": "\\u0000"}'),
    ("application/json", b'{"title": "\\ud800"}'),
    ("application/json", b'{"title": "\xed\xa0\x80"}'),  # a surrogate encoded in UTF-8: not UTF-8
    ("application/json", b'{"title": "\xff\xfe"}'),
    ("application/json", b"\xef\xbb\xbf{}"),  # a byte-order mark
    ("application/json", b'{"a": 1, "a": 2}'),
    ("application/json", deeply_nested(1_000)),
    ("application/json", deeply_nested(5_000)),
    ("application/json", deeply_nested(100_000)),
    ("application/json", deeply_nested(5_000, "object")),
    ("application/json", b'{"title": ' + deeply_nested(3_000) + b"}"),
    ("application/json", b"[" + b"1," * 20_000 + b"1]"),
    ("application/json; charset=latin-1", b'{"title": "\xe9"}'),
    ("application/json; charset=no-such-charset", b"{}"),
    ("text/plain", b"title=x"),
    ("application/xml", b"<title>x</title>"),
    ("application/x-www-form-urlencoded", b"title=x&specialty=obstetrics"),
    (
        "multipart/form-data; boundary=xyz",
        b"--xyz\r\nContent-Disposition: form-data; name=title\r\n\r\nx\r\n--xyz--",
    ),
    ("multipart/form-data", b"garbage"),
    ("", b"{}"),
    ("application/json", b"{}"),
]


# --- the checks ------------------------------------------------------------------------------------

# Written by any request, refused or not: who was last active, when a token was last used.
_TOUCHED_BY_EVERY_REQUEST = {("api", "apitoken"): {"last_used_at"}, ("auth", "user"): {"last_login"}}
_NOT_STORED_DATA = {("sessions", "session")}


def _fingerprint_sql(vendor: str) -> str:
    parts = []
    for model in sorted(apps.get_models(), key=lambda m: m._meta.label_lower):
        key = (model._meta.app_label, model._meta.model_name)
        if key in _NOT_STORED_DATA or model._meta.proxy or not model._meta.managed:
            continue
        table = connection.ops.quote_name(model._meta.db_table)
        if vendor == "postgresql":
            skipped = ",".join(f"'{column}'" for column in sorted(_TOUCHED_BY_EVERY_REQUEST.get(key, ())))
            row = f"(to_jsonb(t) - ARRAY[{skipped}]::text[])::text"
            parts.append(f"(SELECT md5(coalesce(string_agg({row}, '|' ORDER BY {row}), '')) FROM {table} t)")
        else:  # SQLite: the number of rows of each table
            parts.append(f"(SELECT count(*) FROM {table})")
    return "SELECT " + " || ',' || ".join(parts)


@functools.cache
def _cached_sql(vendor: str) -> str:
    return _fingerprint_sql(vendor)


def snapshot() -> str:
    """A fingerprint of every stored row, in one query: equal fingerprints, unchanged data.

    Sessions are left out (signing in writes one), and the columns every request may touch. On
    SQLite only the number of rows of each table is compared.
    """
    with connection.cursor() as cursor:
        cursor.execute(_cached_sql(connection.vendor))
        return cursor.fetchone()[0]


def describe(response) -> str:
    exc = getattr(response, "exc_info", None)
    if exc:
        return f"{response.status_code} ({exc[0].__name__}: {str(exc[1])[:300]})"
    return f"{response.status_code}: {bytes(response.content[:300])!r}"


def check_answer(response, path: str, what: str, *, head: bool = False) -> None:
    """Never a server error; a refusal speaks the API's JSON under /api/, HTML elsewhere."""
    assert response.status_code < 500, f"{what}: {describe(response)}"
    status = response.status_code
    if status < 400 or head:
        return
    content_type = response.get("Content-Type", "")
    if path.startswith("/api/"):
        assert content_type.startswith("application/json"), f"{what}: {status} as {content_type!r}"
        body = json.loads(response.content)
        assert isinstance(body.get("error", {}).get("message"), str), f"{what}: {body!r}"
    else:
        assert content_type.startswith("text/html"), f"{what}: {status} as {content_type!r}"


# --- coverage, printed at the end of the run -------------------------------------------------------

COVERAGE: dict[str, Counter] = defaultdict(Counter)


def covered(target: str, status: int) -> None:
    COVERAGE[target][status] += 1


def coverage_report() -> list[str]:
    lines = []
    for target in sorted(COVERAGE):
        statuses = ", ".join(f"{s}: {n}" for s, n in sorted(COVERAGE[target].items()))
        lines.append(f"{target}: {statuses}")
    return lines
