"""Names of rows that never cost a query."""

from __future__ import annotations

from django.db import models


def loaded(instance: models.Model, field_name: str) -> models.Model | None:
    """The object ``instance.<field_name>`` points at if its query loaded it, else None.

    For ``__str__`` methods: Django's delete confirmation names every row that a deletion reaches
    (a user's notifications, schedules, versions...), each by ``str()``, from querysets that join
    nothing. A name that followed a foreign key would cost one query per row there, so a name uses
    the related object when it came with the row and its key otherwise.
    """
    descriptor = getattr(type(instance), field_name)
    return getattr(instance, field_name) if descriptor.is_cached(instance) else None


def loaded_str(instance: models.Model, field_name: str) -> str:
    """``str()`` of the related object if loaded, else ``<field> #<key>``."""
    related = loaded(instance, field_name)
    if related is not None:
        return str(related)
    return f"{field_name} #{getattr(instance, f'{field_name}_id')}"
