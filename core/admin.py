"""What every admin of the project shares: the apps' admin modules build on it."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.utils import unquote
from django.core.exceptions import ValidationError
from django.db import models
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect

from core.errors import DomainError

if TYPE_CHECKING:
    # The mixins below are only ever mixed into a ``ModelAdmin``, before it in the bases: to the
    # type checker they are one, so ``super()`` and ``self.model`` are checked against it.
    _ModelAdmin = admin.ModelAdmin[Any]
else:
    _ModelAdmin = object


class OneObjectFetchesLazily(_ModelAdmin):
    """Change, history and delete pages read their one object with ``FETCH_ONE``.

    Those pages show one row and its names: following a few foreign keys of that one object
    (its article, its reviewer, its client) is one query each, not an N+1, and listing them in a
    ``select_related`` per admin would have to track every readonly field, link and ``__str__``.
    Lists stay strict: the changelist and the inlines build their own querysets, which keep the
    default mode (``FETCH_RAISE`` in the test suite) and join what they show (list_select_related).
    """

    def get_object(self, request: HttpRequest, object_id: str, from_field: str | None = None) -> Any:
        # ModelAdmin.get_object, with the mode set on the queryset (Django sets a mode per
        # queryset, not per fetched instance).
        queryset = self.get_queryset(request).fetch_mode(models.FETCH_ONE)
        model = queryset.model
        field = model._meta.pk if from_field is None else model._meta.get_field(from_field)
        try:
            return queryset.get(**{field.name: field.to_python(object_id)})
        except (model.DoesNotExist, ValidationError, ValueError):
            return None


class DomainErrorsAsMessages(_ModelAdmin):
    """Shows a ``DomainError`` raised by a view of this admin as an error message.

    The change view runs in a transaction, so by the time the error reaches
    here everything it wrote has been rolled back.
    """

    def changeform_view(
        self,
        request: HttpRequest,
        object_id: str | None = None,
        form_url: str = "",
        extra_context: dict[str, Any] | None = None,
    ) -> HttpResponse:
        try:
            if request.method == "POST" and object_id is not None:
                self.refuse_post(request, self.get_object(request, unquote(object_id)))
            return super().changeform_view(request, object_id, form_url, extra_context)
        except DomainError as exc:
            return self._error_response(request, exc)

    def changelist_view(
        self, request: HttpRequest, extra_context: dict[str, Any] | None = None
    ) -> HttpResponse:
        try:
            return super().changelist_view(request, extra_context)
        except DomainError as exc:
            return self._error_response(request, exc)

    def refuse_post(self, request: HttpRequest, obj: Any) -> None:
        """Raise a DomainError to refuse a change (or action) POSTed to ``obj``'s page."""

    def _error_response(self, request: HttpRequest, exc: DomainError) -> HttpResponse:
        self.message_user(request, exc.message, messages.ERROR)
        return HttpResponseRedirect(request.get_full_path())


def form_changes(form: forms.BaseForm) -> dict[str, Any]:
    """What a submitted admin form asks to change: each changed field's cleaned value.

    The domain function it goes to compares them with the row as stored and records what differs.
    """
    return {name: form.cleaned_data[name] for name in form.changed_data if name in form.cleaned_data}


class SelectedRowsChecked(_ModelAdmin):
    """An action sent a selection that is no row's id is refused with a message, not a 500.

    Django's admin filters ``pk__in=`` the ids it was sent; anything that is not an id of the
    model (an empty or a made-up value: only a hand-made request sends one) raised ``ValueError``
    there. Refused, the list is shown again with the message, as when nothing is selected. Every
    admin of the project has it (Django's own user and group admins too: ``accounts/admin.py``).
    """

    def response_action(
        self, request: HttpRequest, queryset: models.QuerySet[Any], *args: Any, **kwargs: Any
    ) -> HttpResponse | None:
        pk = self.model._meta.pk
        try:
            for value in request.POST.getlist(helpers.ACTION_CHECKBOX_NAME):
                pk.clean(value, None)  # an id of this model's type and range, or ValidationError
        except ValidationError:
            self.message_user(request, "The selection names rows that do not exist.", messages.WARNING)
            return None
        return super().response_action(request, queryset, *args, **kwargs)
