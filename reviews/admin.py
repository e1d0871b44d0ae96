"""Admin for the board (kept by managing editors) and read-only views of assignments and reviews.

Assignments and reviews change only through ``reviews.assignments`` and
``reviews.decisions`` (which check who acts and audit it), so the admin shows
them and never edits them.
"""

from __future__ import annotations

from django.contrib import admin, messages
from django.db import transaction
from django.utils import timezone

from audit.chain import RequestInfo, record
from config.admin import OneObjectFetchesLazily, audit_admin_change

from .models import BoardMember, ConflictOfInterest, PublicationSchedule, Review, ReviewAssignment

MANAGE = "articles.manage_articles"


class ManagingEditorsOnly:
    """Managing editors keep the board: the workflow's permission, not per-model ones."""

    def has_module_permission(self, request):
        return request.user.has_perm(MANAGE)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE)

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE)

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE)

    def has_delete_permission(self, request, obj=None):
        return False  # members leave the board (inactive); their reviews keep pointing at them


class ReadOnly(ManagingEditorsOnly):
    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class ConflictInline(ManagingEditorsOnly, admin.TabularInline):
    model = ConflictOfInterest
    extra = 0
    fields = ["kind", "article", "author", "topic", "details", "declared_on", "ended_on"]
    raw_id_fields = ["article", "author"]


@admin.register(BoardMember)
class BoardMemberAdmin(ManagingEditorsOnly, OneObjectFetchesLazily, admin.ModelAdmin):
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

    def save_related(self, request, form, formsets, change):
        # Who may review and sign is decided here (active, capacity, credentials, specialties,
        # standing conflicts): every save is one audit event, fields and conflict rows together.
        super().save_related(request, form, formsets, change)
        audit_admin_change(
            request,
            form.instance,
            form,
            action="board.member_changed" if change else "board.member_added",
            formsets=formsets,
        )

    @admin.action(description="Verify credentials (records you and now)")
    def verify_credentials(self, request, queryset):
        missing = [m.display_name for m in queryset if m.credentials_expire_on is None]
        if missing:
            self.message_user(
                request,
                "Set an expiry date first for: " + ", ".join(missing) + ". Nothing was verified.",
                messages.ERROR,
            )
            return
        now = timezone.now()
        with transaction.atomic():
            for member in queryset.select_for_update():
                member.credentials_verified_by = request.user
                member.credentials_verified_at = now
                member.save(update_fields=["credentials_verified_by", "credentials_verified_at"])
                record(
                    "board.credentials_verified",
                    actor=request.user,
                    target=member,
                    payload={
                        "member_id": member.pk,
                        "member_user_id": member.user_id,
                        "credentials": member.credentials,
                        "expire_on": member.credentials_expire_on,
                    },
                    request_info=RequestInfo.from_request(request),
                )
        self.message_user(request, f"Verified the credentials of {queryset.count()} member(s).")


@admin.register(ReviewAssignment)
class ReviewAssignmentAdmin(ReadOnly, OneObjectFetchesLazily, admin.ModelAdmin):
    list_display = ["article", "version", "round", "reviewer", "status", "respond_by", "due_at", "invited_at"]
    list_filter = ["status", "round", "extension_status", "conflict_category"]
    search_fields = ["article__title", "article__slug", "reviewer__display_name"]
    list_select_related = ["article", "version__article", "reviewer"]
    date_hierarchy = "invited_at"

    def get_queryset(self, request):
        # What the change page reads too (readonly fields, links, the object's name), in the one query.
        return (
            super()
            .get_queryset(request)
            .select_related("article", "version__article", "reviewer", "assigned_by")
        )


@admin.register(Review)
class ReviewAdmin(ReadOnly, OneObjectFetchesLazily, admin.ModelAdmin):
    list_display = ["version", "reviewer", "decision", "submitted_at", "signer_name", "signed_at"]
    list_filter = ["decision"]
    search_fields = ["version__article__title", "reviewer__display_name", "signer_name"]
    list_select_related = ["version__article", "reviewer"]
    date_hierarchy = "submitted_at"


@admin.register(PublicationSchedule)
class PublicationScheduleAdmin(ReadOnly, OneObjectFetchesLazily, admin.ModelAdmin):
    list_display = ["article", "version", "publish_at", "status", "scheduled_by", "finished_at"]
    list_filter = ["status"]
    list_select_related = ["article", "version__article", "scheduled_by"]
