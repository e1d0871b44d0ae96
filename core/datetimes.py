"""Dates and times people type, kept to what Python, PostgreSQL and the code after them can hold.

Python reads offsets up to ±23:59 and any year from 1 to 9999; PostgreSQL refuses offsets past
±15:59, and ``9999-12-31T23:59-14:00`` is a valid Python value that overflows when turned into UTC
(for the database, or for any arithmetic on it). Every date and time that comes in from a form,
a filter or the API goes through :func:`storable`: it answers the value in UTC, or refuses it as
the person's mistake (a 400 with the field named), never a 500 further on.
"""

from __future__ import annotations

import datetime
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django_filters.fields import IsoDateTimeField
from rest_framework import serializers

# A year away from either end, so that adding or taking a few days or months cannot overflow.
EARLIEST_YEAR = datetime.MINYEAR + 1
LATEST_YEAR = datetime.MAXYEAR - 1
OUT_OF_RANGE = f"Give a date and time between the years {EARLIEST_YEAR} and {LATEST_YEAR}."


def storable(value: datetime.datetime) -> datetime.datetime:
    """``value`` in UTC (aware values) or as given (naive ones), if its year is in range."""
    if value.tzinfo is not None:
        try:
            value = value.astimezone(datetime.UTC)
        except OverflowError:
            raise ValidationError(OUT_OF_RANGE, code="invalid") from None
    if not EARLIEST_YEAR <= value.year <= LATEST_YEAR:
        raise ValidationError(OUT_OF_RANGE, code="invalid")
    return value


class StorableDateTimeField(forms.DateTimeField):
    """A form's date and time (``datetime-local`` or ISO 8601 with any offset), checked by ``storable``."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        value = super().to_python(value)
        return None if value is None else storable(value)


class StorableIsoDateTimeField(IsoDateTimeField):
    """django-filter's ISO 8601 field, checked by ``storable`` (filters query the database with it)."""

    def to_python(self, value: Any) -> datetime.datetime | None:
        value = super().to_python(value)
        return None if value is None else storable(value)


class StorableDateTimeSerializerField(serializers.DateTimeField):
    """The API's date and time, checked by ``storable``."""

    def to_internal_value(self, value: Any) -> datetime.datetime:
        value = super().to_internal_value(value)
        try:
            return storable(value)
        except ValidationError as exc:
            raise serializers.ValidationError(exc.messages) from None
