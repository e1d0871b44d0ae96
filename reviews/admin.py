"""Admin for the board (kept by managing editors) and read-only views of assignments and reviews.

Assignments and reviews change only through ``reviews.assignments`` and
``reviews.decisions`` (which check who acts and audit it), so the admin shows
them and never edits them. The board's members and their conflicts change only
through ``reviews.membership`` (one audit event per saved member or conflict).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.forms import BaseInlineFormSet
from django.http import HttpRequest

from audit.trail import RequestInfo
from core.admin import DomainErrorsAsMessages, OneObjectFetchesLazily, SelectedRowsChecked, form_changes
from core.errors import DomainError
from core.roles import MANAGE_ARTICLES as MANAGE

from . import membership
from .membership import (
    CONFLICT_FIELDS,
    add_board_member,
    change_conflict,
    record_conflict,
    update_board_member,
)
from .models import (
    BoardMember,
    ConflictOfInterest,
    PublicationSchedule,
    RereviewFlag,
    Review,
    ReviewAssignment,
)


class ManagingEditorsOnly:
    """Managing editors keep the board: the workflow's permission, not per-model ones."""

    # ``obj`` is any row: these admins and inlines each show one model, and none decides by the row.
    def has_module_permission(self, request: HttpRequest) -> bool:
        return request.user.has_perm(MANAGE)

    def has_view_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(MANAGE)

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(MANAGE)

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return request.user.has_perm(MANAGE)

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # members leave the board (inactive); their reviews keep pointing at them


class ReadOnly(ManagingEditorsOnly):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class ConflictInline(ManagingEditorsOnly, admin.TabularInline):
    model = ConflictOfInterest
    extra = 0
    fields = ["kind", "article", "author", "topic", "details", "declared_on", "ended_on"]
    raw_id_fields = ["article", "author"]


@admin.register(BoardMember)
class BoardMemberAdmin(
    DomainErrorsAsMessages, ManagingEditorsOnly, OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin
):
    list_display = [
        "display_name",
        "credentials",
        "is_active",
        "max_open_assignments",
        "credentials_verified_at",
        "credentials_expire_on",
    ]
    list_filter = ["is_active", "specialties"]
    search_fields = ["display_name", "credentials", "user__username", "user__email"]
    filter_horizontal = ["specialties"]
    raw_id_fields = ["user"]
    readonly_fields = ["credentials_verified_by", "credentials_verified_at"]
    inlines = [ConflictInline]
    actions = ["verify_credentials"]

    def get_readonly_fields(
        self, request: HttpRequest, obj: BoardMember | None = None
    ) -> list[str] | tuple[str, ...]:
        fields = list(self.readonly_fields)
        if obj is not None and obj.assignments.exists():
            fields.append("user")  # their reviews stay with the person who did them (reviews.membership)
        return fields

    def save_model(self, request: HttpRequest, obj: BoardMember, form: Any, change: Any) -> None:
        # A change is saved whole in save_related, fields and specialties together: one audit event
        # per save (the admin would save the specialties after the fields, as a second change).
        if not change:
            add_board_member(
                obj,
                specialties=form.cleaned_data.get("specialties", ()),
                by=request.user,
                request_info=RequestInfo.from_request(request),
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        info = RequestInfo.from_request(request)
        if change:
            update_board_member(form.instance.pk, form_changes(form), by=request.user, request_info=info)
        for formset in formsets:
            save_conflicts(request, form.instance, formset, info)

    @admin.action(description="Verify credentials (records you and now)")
    def verify_credentials(self, request: HttpRequest, queryset: QuerySet[BoardMember]) -> None:
        try:
            members = membership.verify_credentials(
                queryset.values_list("pk", flat=True),
                by=request.user,
                request_info=RequestInfo.from_request(request),
            )
        except DomainError as exc:
            self.message_user(request, exc.message, messages.ERROR)
            return
        self.message_user(request, f"Verified the credentials of {len(members)} member(s).")


def save_conflicts(
    request: HttpRequest, member: BoardMember, formset: BaseInlineFormSet[Any, Any, Any], info: RequestInfo
) -> None:
    """Each new or changed conflict row through ``reviews.membership``: one audit event per row.

    Sets what the admin's history message reads off a saved formset (``construct_change_message``).
    """
    formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
    for row in formset.forms:
        if not row.has_changed():
            continue  # an empty extra row, or one left as it was
        wanted = {name: row.cleaned_data.get(name) for name in CONFLICT_FIELDS}
        if row.instance.pk is None:
            formset.new_objects.append(record_conflict(member, **wanted, by=request.user, request_info=info))
        else:
            asked = {name: wanted[name] for name in row.changed_data if name in CONFLICT_FIELDS}
            if change_conflict(row.instance.pk, asked, by=request.user, request_info=info):
                formset.changed_objects.append((row.instance, row.changed_data))


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnly, OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["article", "version", "round", "reviewer", "status", "respond_by", "due_at", "invited_at"]
    list_filter = ["status", "round", "extension_status", "conflict_category"]
    search_fields = ["article__title", "article__slug", "reviewer__display_name"]
    list_select_related = ["article", "version__article", "reviewer"]
    date_hierarchy = "invited_at"

    def get_queryset(self, request: HttpRequest) -> QuerySet[ReviewAssignment]:
        # What the change page reads too (readonly fields, links, the object's name), in the one query.
        return (
            super()
            .get_queryset(request)
            .select_related("article", "version__article", "reviewer", "assigned_by")
        )


@admin.register(Review)
class ReviewAdmin(ReadOnly, OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["version", "reviewer", "decision", "submitted_at", "signer_name", "signed_at"]
    list_filter = ["decision"]
    search_fields = ["version__article__title", "reviewer__display_name", "signer_name"]
    list_select_related = ["version__article", "reviewer"]
    date_hierarchy = "submitted_at"


@admin.register(PublicationSchedule)
class PublicationScheduleAdmin(ReadOnly, OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["article", "version", "publish_at", "status", "scheduled_by", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["article", "version__article", "scheduled_by"]


@admin.register(RereviewFlag)
class RereviewFlagAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["article", "reason", "doi", "pmid", "flagged_by", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
    search_fields = ["article__title", "doi", "pmid", "title", "reason"]
    readonly_fields = ["article", "version", "flagged_by", "created_at"]
