"""Who the reader is: the "Which best describes you?" choice, its cookie, and which audience
version of an article that choice (or a shareable ``?audience=`` link) asks for."""

from __future__ import annotations

from dataclasses import dataclass

from articles.models import Audience

DEFAULT_AUDIENCE = Audience.PATIENT
READER_COOKIE = "vetted_reader"


@dataclass(frozen=True)
class ReaderChoice:
    value: str
    label: str
    audience: str
    hint: str = ""


READER_CHOICES: tuple[ReaderChoice, ...] = (
    ReaderChoice("patient", "Patient or caregiver", Audience.PATIENT),
    ReaderChoice("professional", "Healthcare professional", Audience.PROFESSIONAL),
    ReaderChoice(
        "student",
        "Student",
        Audience.PROFESSIONAL,
        hint="Students see the version written for healthcare professionals.",
    ),
)
_READERS = {choice.value: choice for choice in READER_CHOICES}


def known_reader(value: str | None) -> str | None:
    """The remembered reader choice if it is one we offer (the cookie is client input)."""
    return value if value in _READERS else None


def audience_for_reader(reader: str | None) -> str | None:
    """The audience version for what the reader said describes them (students read the professional one)."""
    choice = _READERS.get(reader or "")
    return choice.audience if choice else None


# Read on every article request; ``Audience.values`` builds a new list each time.
_AUDIENCES = frozenset(Audience.values)


def requested_audience(query_value: str | None, reader_cookie: str | None) -> str | None:
    """``?audience=`` (a shareable link) wins over the remembered choice; neither means no preference."""
    if query_value in _AUDIENCES:
        return query_value
    return audience_for_reader(reader_cookie)


def checked_reader(shown_audience: str, reader_cookie: str | None) -> str:
    """Which radio button to show checked: the remembered choice if it leads to what is shown."""
    if audience_for_reader(reader_cookie) == shown_audience:
        return reader_cookie or ""
    return next(c.value for c in READER_CHOICES if c.audience == shown_audience)


def pick_audience(requested: str | None, available: list[str]) -> str:
    if requested in available:
        return requested
    if DEFAULT_AUDIENCE in available:
        return DEFAULT_AUDIENCE
    return available[0] if available else DEFAULT_AUDIENCE
