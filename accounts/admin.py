"""Accounts and role groups in the admin, saved through ``accounts.changes`` so every change is audited.

Django's own user and group admins save the fields, then the memberships and permissions, with
no audit; these replace them. One save writes one event (fields and memberships together), a
save that changes nothing writes none, and nothing is deleted here: an account is deactivated,
and the audit trail keeps naming it.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import GroupAdmin, UserAdmin
from django.contrib.auth.models import Group, User
from django.http import HttpRequest

from audit.trail import RequestInfo
from core.admin import DomainErrorsAsMessages, OneObjectFetchesLazily, SelectedRowsChecked, form_changes

from .changes import create_account, create_group, update_account, update_group

admin.site.unregister(User)
admin.site.unregister(Group)


@admin.register(User)
class AccountAdmin(DomainErrorsAsMessages, OneObjectFetchesLazily, SelectedRowsChecked, UserAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: User | None = None) -> bool:
        return False  # deactivate instead: reviews, signatures and the audit trail name the account

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: Any) -> None:
        # A change is saved whole in save_related, with the groups and permissions: one event.
        if not change:
            create_account(
                obj,
                groups=form.cleaned_data.get("groups", ()),
                user_permissions=form.cleaned_data.get("user_permissions", ()),
                by=request.user,
                request_info=RequestInfo.from_request(request),
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        if change:
            wanted = form_changes(form)
            wanted.pop("password", None)  # shown read-only; changed on its own page
            update_account(
                form.instance.pk, wanted, by=request.user, request_info=RequestInfo.from_request(request)
            )


@admin.register(Group)
class RoleGroupAdmin(DomainErrorsAsMessages, OneObjectFetchesLazily, SelectedRowsChecked, GroupAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Group | None = None) -> bool:
        return False  # deleting a group would silently take its members' permissions away

    def save_model(self, request: HttpRequest, obj: Group, form: Any, change: Any) -> None:
        if not change:
            create_group(
                obj,
                permissions=form.cleaned_data.get("permissions", ()),
                by=request.user,
                request_info=RequestInfo.from_request(request),
            )

    def save_related(self, request: HttpRequest, form: Any, formsets: Any, change: Any) -> None:
        if change:
            update_group(
                form.instance.pk,
                form_changes(form),
                by=request.user,
                request_info=RequestInfo.from_request(request),
            )
