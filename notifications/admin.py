from django.contrib import admin, messages
from django.core.exceptions import ObjectDoesNotExist

from core.admin import OneObjectFetchesLazily, SelectedRowsChecked

from . import outbox
from .models import (
    Delivery,
    DeliveryStatus,
    Notification,
    NotificationPreference,
    ReminderRule,
    RereviewFlag,
    StaffProfile,
)


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
    search_fields = ["notification__recipient__username", "notification__title", "last_error", "dedupe_key"]
    date_hierarchy = "created_at"
    list_select_related = ["notification__recipient", "webhook__endpoint"]
    actions = ["retry_now"]
    readonly_fields = [f.name for f in Delivery._meta.fields]

    def has_add_permission(self, request):
        return False

    @admin.display(description="recipient")
    def recipient(self, obj):
        if obj.notification_id:
            return obj.notification.recipient
        webhook = _webhook_of(obj)
        return webhook.endpoint.url if webhook else "-"

    @admin.display(description="kind")
    def kind(self, obj):
        if obj.notification_id:
            return obj.notification.kind
        webhook = _webhook_of(obj)
        return webhook.kind if webhook else "-"

    @admin.display(description="last error")
    def short_error(self, obj):
        return obj.last_error[:80]

    @admin.action(description="Retry now (failed or waiting rows)", permissions=["change"])
    def retry_now(self, request, queryset):
        count = outbox.retry(queryset)
        skipped = queryset.exclude(status__in=[DeliveryStatus.FAILED, DeliveryStatus.PENDING]).count()
        self.message_user(request, f"{count} row(s) queued again.", messages.SUCCESS)
        if skipped:
            self.message_user(
                request, f"{skipped} row(s) were not failed or waiting and were left alone.", messages.WARNING
            )


def _webhook_of(delivery: Delivery):
    """The webhook side of a ``webhook`` row (webhooks.WebhookMessage), or None."""
    try:
        return delivery.webhook
    except ObjectDoesNotExist:
        return None


@admin.register(Notification)
class NotificationAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["created_at", "recipient", "kind", "title", "is_essential", "read_at"]
    list_filter = ["kind", "is_essential"]
    search_fields = ["recipient__username", "title", "dedupe_key"]
    date_hierarchy = "created_at"
    list_select_related = ["recipient"]
    readonly_fields = [f.name for f in Notification._meta.fields]

    def has_add_permission(self, request):
        return False


@admin.register(ReminderRule)
class ReminderRuleAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["name", "phase", "offset_days", "recipient", "repeat_every_days", "max_times", "active"]
    list_filter = ["phase", "recipient", "active"]
    list_editable = ["active"]


@admin.register(RereviewFlag)
class RereviewFlagAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["article", "reason", "doi", "pmid", "flagged_by", "created_at", "resolved_at"]
    list_filter = ["resolved_at"]
    search_fields = ["article__title", "doi", "pmid", "title", "reason"]
    readonly_fields = ["article", "version", "flagged_by", "created_at"]


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["user", "email_mode"]


@admin.register(StaffProfile)
class StaffProfileAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["user"]
    filter_horizontal = ["specialties"]
