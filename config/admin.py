"""What every admin of the project shares (imported by the apps' admin modules; config is no app)."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest


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
