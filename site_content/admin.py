from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db.models import QuerySet
from django.http import HttpRequest

from audit.trail import RequestInfo
from core.admin import OneObjectFetchesLazily, SelectedRowsChecked

from .changes import add_policy_edition
from .feedback import set_feedback_status
from .models import EditorialPolicy, Feedback

# An edition's fields; every one of them is read-only once the edition is saved.
EDITION_FIELDS = ("body", "change_note", "published_at", "created_by")


@admin.register(EditorialPolicy)
class EditorialPolicyAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    """Managing editors add a new edition; earlier editions stay as they were published."""

    list_display = ["published_at", "change_note", "created_by"]
    fields = EDITION_FIELDS
    readonly_fields = ["created_by"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: EditorialPolicy | None = None
    ) -> list[str] | tuple[str, ...]:
        if obj is not None:
            return EDITION_FIELDS
        return self.readonly_fields

    def get_changeform_initial_data(self, request: HttpRequest) -> dict[str, Any]:
        # Start the new edition from the current text: editors change it, not retype it.
        initial = super().get_changeform_initial_data(request)
        latest = EditorialPolicy.objects.first()
        if latest is not None:
            initial.setdefault("body", latest.body)
        return initial

    def save_model(self, request: HttpRequest, obj: EditorialPolicy, form: Any, change: Any) -> None:
        if not change:
            add_policy_edition(obj, by=request.user, request_info=RequestInfo.from_request(request))

    def has_delete_permission(self, request: HttpRequest, obj: EditorialPolicy | None = None) -> bool:
        return False


@admin.register(Feedback)
class FeedbackAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    """The queue editors work through: new → acknowledged → corrected, or dismissed with a reason."""

    list_display = ["created_at", "article", "version_number", "kind", "status", "audience"]
    list_filter = ["status", "kind", "audience"]
    search_fields = ["article__title", "article__slug", "message", "email"]
    list_select_related = ["article", "version"]
    date_hierarchy = "created_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[Feedback]:
        # What the change page reads too (readonly fields, links, the object's name), in the one query.
        return super().get_queryset(request).select_related("article", "version__article", "handled_by")

    fields = [
        "article",
        "version",
        "audience",
        "kind",
        "message",
        "email",
        "created_at",
        "status",
        "dismissal_reason",
        "handled_by",
        "handled_at",
    ]
    readonly_fields = [
        "article",
        "version",
        "audience",
        "kind",
        "message",
        "email",
        "created_at",
        "handled_by",
        "handled_at",
    ]

    @admin.display(description="version", ordering="version__number")
    def version_number(self, obj: Feedback) -> int:
        return obj.version.number

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False  # feedback comes from readers only

    def has_delete_permission(self, request: HttpRequest, obj: Feedback | None = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Feedback, form: Any, change: Any) -> None:
        if {"status", "dismissal_reason"} & set(form.changed_data):
            set_feedback_status(obj, obj.status, by=request.user, reason=obj.dismissal_reason)
        else:
            super().save_model(request, obj, form, change)
