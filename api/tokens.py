"""The rules about API tokens: how long they work, who sees and revokes which, and what ends them.

A token stops working when it is revoked (by its owner, by a managing editor, or because the
owner's password changed or the account was deactivated), when its owner is inactive, and
``VETTED["API_TOKEN_DAYS"]`` after it was made. Every revocation is one audit event: tokens
decide who can act. The admin, the API and the user signals all come here.
"""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import QuerySet
from django.db.models.signals import post_save, pre_save

from articles.errors import NotPermitted
from audit.chain import RequestInfo, record

from .models import ApiToken

MANAGE = "articles.manage_articles"


class RevocationReason:
    BY_OWNER = "revoked_by_owner"
    BY_MANAGING_EDITOR = "revoked_by_managing_editor"
    PASSWORD_CHANGED = "password_changed"
    ACCOUNT_DEACTIVATED = "account_deactivated"


def can_manage_tokens(user) -> bool:
    return bool(user and user.is_authenticated and user.is_active and user.has_perm(MANAGE))


def visible_tokens(user) -> QuerySet[ApiToken]:
    """Every token for a managing editor; everyone else's own."""
    tokens = ApiToken.objects.select_related("user", "created_by")
    return tokens if can_manage_tokens(user) else tokens.filter(user=user)


def describe(token: ApiToken) -> dict:
    """What the audit trail says about a token: never its key (nor its hash)."""
    return {"name": token.name, "prefix": token.prefix, "user_id": token.user_id}


def revoke(token: ApiToken, *, by, request_info: RequestInfo | None = None) -> bool:
    """Revoke a token: its owner may, a managing editor may revoke anyone's. False if it already was."""
    if by is None or not by.is_authenticated or (by.pk != token.user_id and not can_manage_tokens(by)):
        raise NotPermitted("Only a token's owner or a managing editor can revoke it.")
    reason = RevocationReason.BY_OWNER if by.pk == token.user_id else RevocationReason.BY_MANAGING_EDITOR
    return _revoke_audited(token, reason=reason, actor=by, request_info=request_info)


def revoke_all_of(user, *, reason: str) -> int:
    """Revoke every token of ``user`` still in force (their password changed, or the account closed)."""
    revoked = 0
    with transaction.atomic():
        for token in ApiToken.objects.filter(user=user, revoked_at__isnull=True).order_by("pk"):
            revoked += _revoke_audited(token, reason=reason, actor=None)
    return revoked


def _revoke_audited(token: ApiToken, *, reason: str, actor, request_info: RequestInfo | None = None) -> bool:
    with transaction.atomic():
        if not token.revoke():
            return False
        record(
            "api_token.revoked",
            actor=actor,
            target=token,
            payload={**describe(token), "reason": reason},
            request_info=request_info,
        )
    return True


# --- the owner's password or account changed ----------------------------------------------------

_WATCHED = frozenset({"password", "is_active"})
_PENDING = "_vetted_api_token_revocation"


def _is_rehash(user, update_fields) -> bool:
    # At login, Django's check_password() re-hashes a right password with the current hasher and
    # saves the password field alone, after clearing the raw password that set_password() keeps
    # (AbstractBaseUser._password). Same password, new hash: nobody's access changes. A hash
    # assigned directly and saved the same way looks alike and is not caught.
    return update_fields is not None and set(update_fields) == {"password"} and user._password is None


def _note_access_change(sender, instance, raw: bool, update_fields, **kwargs) -> None:
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


def _revoke_after_access_change(sender, instance, raw: bool, **kwargs) -> None:
    reason = instance.__dict__.pop(_PENDING, None)
    if reason is not None and not raw:
        revoke_all_of(instance, reason=reason)


def connect_signals() -> None:
    user_model = get_user_model()
    pre_save.connect(_note_access_change, sender=user_model, dispatch_uid="api-tokens-note-access-change")
    post_save.connect(_revoke_after_access_change, sender=user_model, dispatch_uid="api-tokens-revoke")
