"""API tokens, created and revoked by managing editors. The key is shown once, on creation."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.db import transaction

import core.audit_actions as audit_actions
from accounts.roles import INTEGRATION_CLIENT
from audit.trail import RequestInfo, record
from core.admin import OneObjectFetchesLazily, SelectedRowsChecked
from core.roles import MANAGE_ARTICLES

from . import tokens
from .models import ApiToken


class ApiTokenForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["name", "user"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if "user" in self.fields:
            # Tokens made here are for integration clients (pipelines); people get their own
            # through POST /api/v1/auth/token/ with their password.
            self.fields["user"].queryset = (
                get_user_model().objects.filter(is_active=True, groups__name=INTEGRATION_CLIENT).distinct()
            )
            self.fields["user"].help_text = "An active user in the Integration client group."


@admin.register(ApiToken)
class ApiTokenAdmin(OneObjectFetchesLazily, SelectedRowsChecked, admin.ModelAdmin):
    form = ApiTokenForm
    list_display = [
        "name",
        "user",
        "prefix",
        "created_by",
        "created_at",
        "last_used_at",
        "expires_at",
        "revoked_at",
    ]
    list_filter = [("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["name", "prefix", "user__username"]
    list_select_related = ["user", "created_by"]
    actions = ["revoke"]

    def get_queryset(self, request):
        # What the change page reads too (readonly fields, links, the object's name), in the one query.
        return super().get_queryset(request).select_related("user", "created_by")

    def get_readonly_fields(self, request, obj=None):
        if obj is None:
            return []
        return [
            "name",
            "user",
            "prefix",
            "created_by",
            "created_at",
            "last_used_at",
            "expires_at",
            "revoked_at",
        ]

    def has_module_permission(self, request):
        return request.user.has_perm(MANAGE_ARTICLES)

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm(MANAGE_ARTICLES)

    def has_add_permission(self, request):
        return request.user.has_perm(MANAGE_ARTICLES)

    def has_change_permission(self, request, obj=None):
        # Only for the revoke action: every field is read-only once the token exists.
        return request.user.has_perm(MANAGE_ARTICLES)

    def has_delete_permission(self, request, obj=None):
        return False  # revoked tokens stay listed: who had access, and until when

    def save_model(self, request, obj, form, change):
        if change:
            return  # nothing about a token changes after it is made, but its revocation
        with transaction.atomic():
            key = obj.set_new_key()
            obj.created_by = request.user
            obj.save()
            record(audit_actions.API_TOKEN_CREATED, actor=request.user, target=obj,
                   payload=tokens.describe(obj), request_info=RequestInfo.from_request(request))  # fmt: skip
        messages.warning(
            request,
            f"The key of {obj.name!r} is {key} (copy it now: it is not stored and will not be shown again).",
        )

    @admin.action(description="Revoke the selected tokens")
    def revoke(self, request, queryset):
        revoked = 0
        info = RequestInfo.from_request(request)
        with transaction.atomic():
            for token in queryset.filter(revoked_at__isnull=True):
                revoked += tokens.revoke(token, by=request.user, request_info=info)
        self.message_user(request, f"Revoked {revoked} token(s).", messages.SUCCESS)
