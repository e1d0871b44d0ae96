from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest

from core.admin import OneObjectFetchesLazily, SelectedRowsChecked

from .models import AuditEvent


@admin.register(AuditEvent)
class AuditEventAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = [
        "seq",
        "created_at",
        "actor_label",
        "action",
        "target_type",
        "target_id",
        "state_before",
        "state_after",
    ]
    list_filter = ["action", "target_type"]
    search_fields = ["actor_label", "action", "target_id"]
    date_hierarchy = "created_at"
    list_select_related = ["actor"]
    readonly_fields = [f.name for f in AuditEvent._meta.fields]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: AuditEvent | None = None) -> bool:
        return False
