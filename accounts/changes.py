"""Accounts and role groups: every change to who may act (and so who may review or sign), audited.

Whether an account is active, staff or superuser, which role groups it is in, its own
permissions, and which permissions a group carries decide what the workflow lets it do
(``accounts.roles``): a reviewer is whoever holds ``articles.review_article``. Whatever door
the change comes through (the admin, a management command), it goes through a function here:
one transaction that locks the row, reads it as stored, applies what differs and writes exactly
one audit event, the fields and the memberships of one save together. A request that changes
nothing writes nothing. Accounts and groups are never deleted (deactivate an account; the audit
trail names it); passwords are never written to the trail.

Audit events (``audit.trail.record``; actor the person acting, "system" for a command without
one; ``changes`` is ``{field: [before, after]}``, groups as sorted names, permissions as sorted
``app_label.codename``):

- ``account.created``: target the user; username, changes (from null / ``[]``).
- ``account.updated``: target the user; username, changes (username, names, email, is_active,
  is_staff, is_superuser, dates, groups, user_permissions).
- ``group.created``: target the group; name, changes.
- ``group.updated``: target the group; name, changes (name, permissions).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission, User
from django.db import transaction

import core.audit_actions as audit_actions
from audit.changes import Changes, field_changes, plain, refuse_unknown, set_changes, validated
from audit.trail import RequestInfo, record
from core.actor import Actor
from core.errors import ContentInvalid

ACCOUNT_FIELDS = (
    "username",
    "first_name",
    "last_name",
    "email",
    "is_active",
    "is_staff",
    "is_superuser",
    "last_login",
    "date_joined",
)
GROUPS = "groups"
USER_PERMISSIONS = "user_permissions"
GROUP_PERMISSIONS = "permissions"


def _group_name(group: Group) -> str:
    return group.name


def _permission_labels(permissions: Iterable[Permission]) -> list[str]:
    # Read again with their app: a form's chosen rows may not have joined it.
    rows = Permission.objects.filter(pk__in=[p.pk for p in permissions]).select_related("content_type")
    return [f"{p.content_type.app_label}.{p.codename}" for p in rows]


def _identity(label: str) -> str:
    return label


def _user_changes(
    user: User, wanted: Mapping[str, Any]
) -> tuple[Changes, list[Group] | None, list[Permission] | None]:
    """Field changes applied to ``user``, and the new groups / permissions when they differ."""
    changes = field_changes(user, wanted, ACCOUNT_FIELDS)
    groups = list(wanted[GROUPS]) if GROUPS in wanted else None
    group_change = set_changes(user.groups.all() if user.pk else [], groups, _group_name)
    if group_change is not None:
        changes[GROUPS] = group_change
    permissions = list(wanted[USER_PERMISSIONS]) if USER_PERMISSIONS in wanted else None
    before = _permission_labels(user.user_permissions.all()) if user.pk else []
    after = None if permissions is None else _permission_labels(permissions)
    permission_change = set_changes(before, after, _identity)
    if permission_change is not None:
        changes[USER_PERMISSIONS] = permission_change
    return (
        changes,
        groups if group_change is not None else None,
        permissions if permission_change is not None else None,
    )


def create_account(
    user: User,
    *,
    groups: Iterable[Group] = (),
    user_permissions: Iterable[Permission] = (),
    by: Actor = None,
    request_info: RequestInfo | None = None,
) -> User:
    """Save a new (unsaved) account, its password already set, with its groups; ``account.created``."""
    if user.pk is not None:
        raise ContentInvalid("This account already exists; change it instead.")
    group_list, permission_list = list(groups), list(user_permissions)
    with transaction.atomic():
        validated(user, exclude=["password"])
        user.save()
        user.groups.set(group_list)
        user.user_permissions.set(permission_list)
        changes: Changes = {name: [None, plain(getattr(user, name))] for name in ACCOUNT_FIELDS}
        changes[GROUPS] = [[], sorted(g.name for g in group_list)]
        changes[USER_PERMISSIONS] = [[], sorted(_permission_labels(permission_list))]
        record(
            audit_actions.ACCOUNT_CREATED,
            actor=by,
            target=user,
            payload={"username": user.get_username(), "changes": changes},
            request_info=request_info,
        )
    return user


def update_account(
    user_id: int, wanted: Mapping[str, Any], *, by: Actor = None, request_info: RequestInfo | None = None
) -> Changes:
    """Change an account's fields, groups and own permissions as one event; ``{}`` if nothing differs.

    ``groups`` and ``user_permissions`` are the whole new sets.
    """
    refuse_unknown(wanted, (*ACCOUNT_FIELDS, GROUPS, USER_PERMISSIONS), "an account")
    with transaction.atomic():
        user = get_user_model().objects.select_for_update().get(pk=user_id)
        changes, groups, permissions = _user_changes(user, wanted)
        if not changes:
            return {}
        fields = [name for name in changes if name in ACCOUNT_FIELDS]
        if fields:
            validated(user, exclude=[f.name for f in user._meta.fields if f.name not in fields])
            user.save(update_fields=fields)
        if groups is not None:
            user.groups.set(groups)
        if permissions is not None:
            user.user_permissions.set(permissions)
        record(
            audit_actions.ACCOUNT_UPDATED,
            actor=by,
            target=user,
            payload={"username": user.get_username(), "changes": changes},
            request_info=request_info,
        )
    return changes


def create_group(
    group: Group,
    *,
    permissions: Iterable[Permission] = (),
    by: Actor = None,
    request_info: RequestInfo | None = None,
) -> Group:
    """Save a new (unsaved) group with its permissions; ``group.created``."""
    if group.pk is not None:
        raise ContentInvalid("This group already exists; change it instead.")
    permission_list = list(permissions)
    with transaction.atomic():
        validated(group)
        group.save()
        group.permissions.set(permission_list)
        changes = {
            "name": [None, group.name],
            GROUP_PERMISSIONS: [[], sorted(_permission_labels(permission_list))],
        }
        record(
            audit_actions.GROUP_CREATED,
            actor=by,
            target=group,
            payload={"name": group.name, "changes": changes},
            request_info=request_info,
        )
    return group


def update_group(
    group_id: int, wanted: Mapping[str, Any], *, by: Actor = None, request_info: RequestInfo | None = None
) -> Changes:
    """Rename a group or change its permissions (the whole new set) as one event; ``{}`` if none differ."""
    refuse_unknown(wanted, ("name", GROUP_PERMISSIONS), "a group")
    with transaction.atomic():
        group = Group.objects.select_for_update().get(pk=group_id)
        changes = field_changes(group, wanted, ["name"])
        permissions = list(wanted[GROUP_PERMISSIONS]) if GROUP_PERMISSIONS in wanted else None
        permission_change = set_changes(
            _permission_labels(group.permissions.all()),
            None if permissions is None else _permission_labels(permissions),
            _identity,
        )
        if permission_change is not None:
            changes[GROUP_PERMISSIONS] = permission_change
        if not changes:
            return {}
        if "name" in changes:
            validated(group)
            group.save(update_fields=["name"])
        if permissions is not None and permission_change is not None:
            group.permissions.set(permissions)
        record(
            audit_actions.GROUP_UPDATED,
            actor=by,
            target=group,
            payload={"name": group.name, "changes": changes},
            request_info=request_info,
        )
    return changes
