from django.contrib import admin

from core.admin import OneObjectFetchesLazily, SelectedRowsChecked

from .models import Notification, NotificationPreference, ReminderRule, StaffProfile


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


@admin.register(NotificationPreference)
class NotificationPreferenceAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["user", "email_mode"]


@admin.register(StaffProfile)
class StaffProfileAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["user"]
    filter_horizontal = ["specialties"]
