"""Field-by-field changes of one row, as the audit trail keeps them: ``{field: [before, after]}``.

The domain functions that change data deciding who may review or sign (``reviews.membership``,
``articles.review_policy``, ``accounts.changes``) read the row as stored, under a lock, compare
it with what the caller asked for, apply only what differs and hand the differences to one
audit event. A request that changes nothing yields ``{}``: no save and no event.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models

from core.errors import ContentInvalid

Changes = dict[str, list[Any]]


def plain(value: Any) -> Any:
    """What the audit payload stores for a field value: a row as its key, a date as ISO text."""
    if isinstance(value, models.Model):
        return value.pk
    if isinstance(value, datetime.date):  # datetimes too
        return value.isoformat()
    return value


def field_changes(row: models.Model, wanted: Mapping[str, Any], fields: Iterable[str]) -> Changes:
    """Set each of ``fields`` that ``wanted`` names and that differs on ``row``; say what changed.

    Foreign keys are compared (and stored) by key, so a form's chosen row and the stored id agree;
    other values are first read as the field reads them.
    """
    changes: Changes = {}
    for name in fields:
        if name not in wanted:
            continue
        field = row._meta.get_field(name)
        if not isinstance(field, models.Field):
            # A reverse relation is another table's column: never one of this row's fields.
            raise TypeError(f"{name!r} is not a field of {row._meta.label}.")
        attname = field.attname
        before = getattr(row, attname)
        after = wanted[name]
        if field.is_relation:
            after = after.pk if isinstance(after, models.Model) else after
        else:
            try:
                after = field.to_python(after)  # "7" and 7, or "2027-01-01" and a date, are one value
            except ValidationError as exc:
                raise ContentInvalid(
                    f"{name}: {' '.join(exc.messages)}", fields={name: exc.messages}
                ) from exc
        if before != after:
            setattr(row, attname, after)
            changes[name] = [plain(before), plain(after)]
    return changes


def set_changes(
    before: Iterable[Any], after: Iterable[Any] | None, label: Callable[[Any], Any] = plain
) -> list[Any] | None:
    """``[before, after]`` (each sorted, as labels) when a many-to-many set would change, else None."""
    if after is None:
        return None
    old = sorted(label(item) for item in before)
    new = sorted(label(item) for item in after)
    return [old, new] if old != new else None


def refuse_unknown(wanted: Mapping[str, Any], allowed: Iterable[str], what: str) -> None:
    """Name the fields a caller may not change here, instead of quietly ignoring them."""
    unknown = sorted(set(wanted) - set(allowed))
    if unknown:
        raise ContentInvalid(
            f"These cannot be changed on {what} here: {', '.join(unknown)}.",
            fields={name: ["Cannot be changed here."] for name in unknown},
        )


def validated(row: models.Model, *, exclude: Iterable[str] = ()) -> None:
    """Run the model's own checks (ranges, lengths, uniqueness) and refuse with its messages."""
    try:
        row.full_clean(exclude=list(exclude))
    except ValidationError as exc:
        fields = {name: [str(m) for m in messages] for name, messages in exc.message_dict.items()}
        summary = "; ".join(f"{name}: {' '.join(messages)}" for name, messages in fields.items())
        raise ContentInvalid(f"Not saved: {summary}", fields=fields) from exc
