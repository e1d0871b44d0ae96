"""What every admin of the project shares (imported by the apps' admin modules; config is no app)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest

from audit.chain import RequestInfo, record


class OneObjectFetchesLazily:
    """Change, history and delete pages read their one object with ``FETCH_ONE``.

    Those pages show one row and its names: following a few foreign keys of that one object
    (its article, its reviewer, its client) is one query each, not an N+1, and listing them in a
    ``select_related`` per admin would have to track every readonly field, link and ``__str__``.
    Lists stay strict: the changelist and the inlines build their own querysets, which keep the
    default mode (``FETCH_RAISE`` in the test suite) and join what they show (list_select_related).
    """

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None):
        # ModelAdmin.get_object, with the mode set on the queryset (Django sets a mode per
        # queryset, not per fetched instance).
        queryset = self.get_queryset(request).fetch_mode(models.FETCH_ONE)
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None


def audit_admin_change(
    request: HttpRequest, obj, form, *, action: str, article=None, formsets: Iterable = ()
) -> None:
    """One audit event for one save in the admin: each changed field's before and after (many-to-many
    fields as sorted keys) and the inline rows added, changed or deleted. Nothing changed: no event."""
    changes: dict[str, Any] = {}
    for name in form.changed_data:
        changes[name] = [_plain(form.initial.get(name)), _plain(form.cleaned_data.get(name))]
    for formset in formsets:
        rows = {
            "added": [_row(o) for o in getattr(formset, "new_objects", [])],
            "changed": [{"id": o.pk, "fields": list(f)} for o, f in getattr(formset, "changed_objects", [])],
            "deleted": [o.pk for o in getattr(formset, "deleted_objects", [])],
        }
        if any(rows.values()):
            changes[formset.prefix] = rows
    if not changes:
        return
    record(
        action,
        actor=request.user,
        target=obj,
        article=article,
        payload={"changes": changes, "via": "admin"},
        request_info=RequestInfo.from_request(request),
    )


def _plain(value):
    if isinstance(value, models.QuerySet | list | tuple | set):
        return sorted(_plain(v) for v in value)
    return getattr(value, "pk", value)


def _row(obj) -> dict[str, Any]:
    return {"id": obj.pk, **{f.attname: _plain(getattr(obj, f.attname)) for f in obj._meta.concrete_fields}}
