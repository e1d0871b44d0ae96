"""Endpoints (the secret shown once, on creation) and deliveries with their attempts."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from audit.trail import RequestInfo
from core.admin import OneObjectFetchesLazily, SelectedRowsChecked
from core.errors import DomainError

from . import endpoints
from .models import Attempt, Endpoint, EventKind, WebhookMessage


class EndpointForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(choices=EventKind.choices, widget=forms.CheckboxSelectMultiple)

    class Meta:
        model = Endpoint
        fields = ["client", "url", "kinds", "active", "description"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "client" in self.fields:
            self.fields["client"].queryset = endpoints.integration_clients()
            self.fields["client"].help_text = "An active user in the Integration client group."

    def clean_url(self) -> str:
        try:
            return endpoints.check_url(self.cleaned_data.get("url", ""))
        except DomainError as exc:
            raise ValidationError(exc.message) from None


@admin.register(Endpoint)
class EndpointAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    form = EndpointForm
    list_display = ["url", "client", "active", "failing_since", "disabled_at", "created_at"]
    list_filter = ["active"]
    search_fields = ["url", "client__username", "description"]
    list_select_related = ["client"]
    readonly_fields = ["created_by", "created_at", "failing_since", "disabled_at", "disabled_reason"]

    def get_readonly_fields(self, request, obj=None):
        # The client is chosen once: its endpoints hear about its own articles.
        return [*self.readonly_fields, "client"] if obj is not None else self.readonly_fields

    def save_model(self, request, obj, form, change):
        info = RequestInfo.from_request(request)
        data = form.cleaned_data
        if change:
            # The stored row, not ``obj`` (the form already wrote its values onto it): switching it
            # back on must be seen as a change.
            endpoints.update(
                Endpoint.objects.get(pk=obj.pk),
                by=request.user,
                request_info=info,
                url=data["url"],
                kinds=data["kinds"],
                active=data["active"],
                description=data["description"],
            )
            return
        endpoint, secret = endpoints.register(
            client=data["client"],
            url=data["url"],
            kinds=data["kinds"],
            active=data["active"],
            description=data["description"],
            by=request.user,
            request_info=info,
        )
        obj.pk = endpoint.pk
        messages.warning(
            request,
            f"The signing secret of {endpoint.url} is {secret} (copy it to the client now: "
            "it will not be shown again).",
        )

    def delete_model(self, request, obj):
        endpoints.delete(obj, by=request.user, request_info=RequestInfo.from_request(request))

    def delete_queryset(self, request, queryset):
        for endpoint in queryset:
            self.delete_model(request, endpoint)


class AttemptInline(admin.TabularInline):
    model = Attempt
    extra = 0
    can_delete = False
    fields = ["at", "status_code", "latency_ms", "address", "error", "response_start", "succeeded"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(WebhookMessage)
class WebhookMessageAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    list_display = ["webhook_id", "kind", "endpoint", "article", "status", "attempt_count", "created_at"]
    list_filter = ["kind", "delivery__status"]
    search_fields = ["webhook_id", "endpoint__url", "article__slug"]
    list_select_related = ["delivery", "endpoint__client", "article"]  # the endpoint is named with its client
    readonly_fields = ["webhook_id", "kind", "endpoint", "article", "delivery", "created_at", "body"]
    fields = readonly_fields
    inlines = [AttemptInline]
    actions = ["resend"]

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the log of what was sent stays; deleting the endpoint removes it

    @admin.display(description="status")
    def status(self, obj):
        return obj.delivery.get_status_display()

    @admin.display(description="attempts")
    def attempt_count(self, obj):
        return obj.delivery.attempts

    @admin.display(description="body")
    def body(self, obj):
        return obj.delivery.payload.get("body", {})

    @admin.action(description="Re-send now (same webhook-id)", permissions=["change"])
    def resend(self, request, queryset):
        done, refused = 0, []
        for message in queryset.select_related("endpoint", "delivery"):
            try:
                endpoints.resend(message, by=request.user, request_info=RequestInfo.from_request(request))
                done += 1
            except DomainError as exc:
                refused.append(f"{message.webhook_id}: {exc.message}")
        if done:
            self.message_user(request, f"{done} delivery(ies) queued again.", messages.SUCCESS)
        for reason in refused:
            self.message_user(request, reason, messages.WARNING)
