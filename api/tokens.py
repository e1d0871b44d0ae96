"""The rules about API tokens: how long they work, who sees and revokes which, and what ends them.

A token stops working when it is revoked (by its owner, by a managing editor, or because the
owner's password changed or the account was deactivated), when its owner is inactive, and
``VETTED["API_TOKEN_DAYS"]`` after it was made. Every revocation is one audit event: tokens
decide who can act. The admin, the API and the user signals all come here.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_save, pre_save

import core.audit_actions as audit_actions
from audit.trail import RequestInfo, record
from core.actor import Actor, signed_in
from core.errors import NotPermitted
from core.roles import MANAGE_ARTICLES

from .models import ApiToken


class RevocationReason:
    BY_OWNER = "revoked_by_owner"
    BY_MANAGING_EDITOR = "revoked_by_managing_editor"
    PASSWORD_CHANGED = "password_changed"
    ACCOUNT_DEACTIVATED = "account_deactivated"


def can_manage_tokens(user: Actor) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(MANAGE_ARTICLES))


def visible_tokens(user: Actor) -> QuerySet[ApiToken]:
    """Every token for a managing editor; everyone else's own (none for someone not signed in)."""
    tokens = ApiToken.objects.select_related("user", "created_by")
    person = signed_in(user)
    if person is None:
        return tokens.none()
    return tokens if can_manage_tokens(person) else tokens.filter(user=person)


def describe(token: ApiToken) -> dict[str, Any]:
    """What the audit trail says about a token: never its key (nor its hash)."""
    return {"name": token.name, "prefix": token.prefix, "user_id": token.user_id}


def revoke(token: ApiToken, *, by: Actor, request_info: RequestInfo | None = None) -> bool:
    """Revoke a token: its owner may, a managing editor may revoke anyone's. False if it already was."""
    if by is None or not by.is_authenticated or (by.pk != token.user_id and not can_manage_tokens(by)):
        raise NotPermitted("Only a token's owner or a managing editor can revoke it.")
    reason = RevocationReason.BY_OWNER if by.pk == token.user_id else RevocationReason.BY_MANAGING_EDITOR
    return _revoke_audited(token, reason=reason, actor=by, request_info=request_info)


def revoke_all_of(user: User, *, reason: str) -> int:
    """Revoke every token of ``user`` still in force (their password changed, or the account closed)."""
    revoked = 0
    with transaction.atomic():
        for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("pk"):
            revoked += _revoke_audited(token, reason=reason, actor=None)
    return revoked


def _revoke_audited(
    token: ApiToken, *, reason: str, actor: Actor, request_info: RequestInfo | None = None
) -> bool:
    with transaction.atomic():
        if not token.revoke():
            return False
        record(
            audit_actions.API_TOKEN_REVOKED,
            actor=actor,
            target=token,
            payload={**describe(token), "reason": reason},
            request_info=request_info,
        )
    return True


# --- the owner's password or account changed ----------------------------------------------------

_WATCHED = frozenset({"password", "is_active"})
_PENDING = "_vetted_api_token_revocation"


def _is_rehash(user: User, update_fields: Iterable[str] | None) -> bool:
    # At login, Django's check_password() re-hashes a right password with the current hasher and
    # saves the password field alone, after clearing the raw password that set_password() keeps
    # (AbstractBaseUser._password). Same password, new hash: nobody's access changes. A hash
    # assigned directly and saved the same way looks alike and is not caught. (_password is private
    # to Django, so django-stubs leaves it out.)
    raw_password_kept = user._password is not None  # type: ignore[attr-defined]
    return update_fields is not None and set(update_fields) == {"password"} and not raw_password_kept


def _note_access_change(
    sender: type[User], instance: User, raw: bool, update_fields: Iterable[str] | None, **kwargs: Any
) -> None:
    if raw or instance.pk is None:
        return
    watched = _WATCHED if update_fields is None else _WATCHED & set(update_fields)
    if not watched:
        return  # e.g. last_login, written at every login
    before = sender._default_manager.filter(pk=instance.pk).values(*watched).first()
    if before is None:
        return
    reason = None
    if "is_active" in watched and before["is_active"] and not instance.is_active:
        reason = RevocationReason.ACCOUNT_DEACTIVATED
    elif (
        "password" in watched
        and before["password"] != instance.password
        and not _is_rehash(instance, update_fields)
    ):
        reason = RevocationReason.PASSWORD_CHANGED
    if reason is not None:
        setattr(instance, _PENDING, reason)


def _revoke_after_access_change(sender: type[User], instance: User, raw: bool, **kwargs: Any) -> None:
    reason = instance.__dict__.pop(_PENDING, None)
    if reason is not None and not raw:
        revoke_all_of(instance, reason=reason)


def connect_signals() -> None:
    user_model = get_user_model()
    pre_save.connect(_note_access_change, sender=user_model, dispatch_uid="api-tokens-note-access-change")
    post_save.connect(_revoke_after_access_change, sender=user_model, dispatch_uid="api-tokens-revoke")
