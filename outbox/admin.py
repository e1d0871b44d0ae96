"""The outbox in the admin: every row of every channel, and retrying the failed ones."""

from __future__ import annotations

from typing import Any

from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest

from core.admin import OneObjectFetchesLazily, SelectedRowsChecked

from . import dispatch
from .channels import CHANNELS, spec_for
from .models import Delivery, DeliveryStatus


@admin.register(Delivery)
class DeliveryAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = [
        "pk",
        "channel",
        "status",
        "recipient",
        "kind",
        "attempts",
        "created_at",
        "sent_at",
        "short_error",
    ]
    list_filter = ["status", "channel"]
    search_fields = ["address", "last_error", "dedupe_key"]
    date_hierarchy = "created_at"
    actions = ["retry_now"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def get_queryset(self, request: HttpRequest) -> QuerySet[Delivery]:
        # What each channel's description reads (its side table and beyond), joined in the one query.
        related = sorted({path for spec in CHANNELS.values() for path in spec.related})
        return super().get_queryset(request).select_related(*related)

    def get_search_fields(self, request: HttpRequest) -> list[str]:
        return [*self.search_fields, *sorted({field for spec in CHANNELS.values() for field in spec.search})]

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.display(description="recipient")
    def recipient(self, obj: Delivery) -> str:
        return spec_for(obj.channel).describe(obj).recipient if obj.channel in CHANNELS else "-"

    @admin.display(description="kind")
    def kind(self, obj: Delivery) -> str:
        return spec_for(obj.channel).describe(obj).kind if obj.channel in CHANNELS else "-"

    @admin.display(description="last error")
    def short_error(self, obj: Delivery) -> str:
        return obj.last_error[:80]

    @admin.action(description="Retry now (failed or waiting rows)", permissions=["change"])
    def retry_now(self, request: HttpRequest, queryset: QuerySet[Delivery]) -> Any:
        count = dispatch.retry(queryset)
        skipped = queryset.exclude(status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING]).count()
        self.message_user(request, f"{count} row(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} row(s) were not failed or waiting and were left alone.", messages.WARNING
            )
