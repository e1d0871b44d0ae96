"""API tokens and stored answers to idempotent requests."""

from __future__ import annotations

import datetime
import hashlib
import secrets

from django.conf import settings
from django.contrib.auth.models import User
from django.db import models
from django.utils import timezone

KEY_PREFIX_LENGTH = 8


def token_lifetime() -> datetime.timedelta | None:
    """How long a token works after it is made (``VETTED["API_TOKEN_DAYS"]``); None: until revoked."""
    days = float(settings.VETTED.get("API_TOKEN_DAYS", 0))
    return datetime.timedelta(days=days) if days > 0 else None


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def unrevoked(self) -> ApiTokenQuerySet:
        """Not revoked, and the owner's account is active (expired ones included: see ``expired``)."""
        return self.filter(revoked_at__isnull=True, user__is_active=True)

    def active(self) -> ApiTokenQuerySet:
        """The tokens that work now."""
        queryset = self.unrevoked()
        lifetime = token_lifetime()
        if lifetime is not None:
            queryset = queryset.filter(created_at__gt=timezone.now() - lifetime)
        return queryset


class ApiToken(models.Model):
    """A bearer key for one client. Only its SHA-256 is stored: the key itself is shown once.

    A leaked database therefore gives nobody a working key, and the visible
    prefix is enough to tell tokens apart in the admin and in logs.
    """

    name = models.CharField(max_length=100, help_text="Which client or pipeline uses it.")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    prefix = models.CharField(max_length=KEY_PREFIX_LENGTH, editable=False)
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def expires_at(self) -> datetime.datetime | None:
        """When it stops working by age (``VETTED["API_TOKEN_DAYS"]`` after it was made); None: never."""
        lifetime = token_lifetime()
        return self.created_at + lifetime if lifetime is not None else None

    def has_expired(self, now: datetime.datetime | None = None) -> bool:
        expires_at = self.expires_at
        return expires_at is not None and (now or timezone.now()) >= expires_at

    @property
    def is_active(self) -> bool:
        """Not revoked and not expired (the owner's account being active is the owner's to check)."""
        return self.revoked_at is None and not self.has_expired()

    def set_new_key(self) -> str:
        """Give the token a fresh key; returns it (the only time the key exists in clear)."""
        key = secrets.token_urlsafe(32)
        self.prefix = key[:KEY_PREFIX_LENGTH]
        self.key_hash = hash_key(key)
        return key

    @classmethod
    def issue(cls, *, user: User, name: str, created_by: User | None = None) -> tuple[ApiToken, str]:
        token = cls(user=user, name=name[:100], created_by=created_by)
        key = token.set_new_key()
        token.save()
        return token, key

    def revoke(self) -> bool:
        """Revoke it now; False if it already was."""
        updated = ApiToken.objects.filter(pk=self.pk, revoked_at__isnull=True).update(
            revoked_at=timezone.now()
        )
        self.refresh_from_db(fields=["revoked_at"])
        return bool(updated)


# How long an Idempotency-Key may be (api.batch.check_key says so to the client).
IDEMPOTENCY_KEY_LENGTH = 200


class IdempotencyRecord(models.Model):
    """The answer given to a request sent with an ``Idempotency-Key``, replayed on a retry.

    Keys are per caller: two clients choosing the same key never see each
    other's answers. The fingerprint is of the request body, so reusing a key
    for a different request is refused rather than answered with the old result.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=IDEMPOTENCY_KEY_LENGTH)
    endpoint = models.CharField(max_length=100)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response = models.JSONField()
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "endpoint", "key"], name="idempotency_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.endpoint} {self.key}"
