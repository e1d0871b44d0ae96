"""core.datetimes: what a typed date and time may be before it reaches the database."""

from __future__ import annotations

import datetime

import pytest
from django.core.exceptions import ValidationError

from core.datetimes import StorableDateTimeField, storable


def test_aware_values_come_back_in_utc():
    value = datetime.datetime.fromisoformat("2026-01-01T00:00:00+16:00")
    assert storable(value) == value
    assert storable(value).utcoffset() == datetime.timedelta(0)


@pytest.mark.parametrize(
    "text",
    ["9999-12-31T23:59:59-14:00", "0001-01-01T00:00:00+14:00", "9999-06-01T00:00:00Z", "0001-06-01T00:00"],
)
def test_values_at_either_end_of_the_calendar_are_refused(text):
    with pytest.raises(ValidationError, match="between the years 2 and 9998"):
        StorableDateTimeField().clean(text)


@pytest.mark.parametrize(
    "text", ["2026-01-01T00:00:00+99:00", "2026-01-01T00:00:00-25:00", "10000-01-01T00:00"]
)
def test_values_python_cannot_read_are_refused_as_invalid(text):
    with pytest.raises(ValidationError):
        StorableDateTimeField().clean(text)
