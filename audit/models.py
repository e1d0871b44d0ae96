"""The append-only, hash-chained audit trail.

Every event carries the hash of the one before it, so rewriting any row breaks
the chain from there on (``manage.py verify_audit`` finds it). On PostgreSQL a
trigger (migration 0002) refuses UPDATE, DELETE and TRUNCATE; on every backend
the model and its queryset refuse them too.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, NoReturn

from django.conf import settings
from django.db import models

import core.audit_actions as audit_actions


class AuditTrailIsAppendOnly(Exception):
    """Raised by any attempt to change or remove an audit event."""

    def __init__(self, what: str = "changed") -> None:
        super().__init__(f"Audit events are append-only and cannot be {what}.")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("updated")

    def delete(self) -> NoReturn:
        raise AuditTrailIsAppendOnly("deleted")

    def bulk_update(
        self, objs: Iterable[AuditEvent], fields: Iterable[str], batch_size: int | None = None
    ) -> NoReturn:
        raise AuditTrailIsAppendOnly("updated")


class AuditChainHead(models.Model):
    """A single row holding the chain's tip; locking it serialises appends so no
    two events ever share a predecessor."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"audit chain at #{self.last_seq}"


class AuditEvent(models.Model):
    GENESIS_HASH = "0" * 64

    seq = models.BigIntegerField(unique=True, help_text="Position in the chain, from 1.")
    created_at = models.DateTimeField(db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150, help_text='Username at the time, or "system".')
    action = models.CharField(max_length=64, db_index=True)
    target_type = models.CharField(max_length=40)
    target_id = models.CharField(max_length=64)
    # Denormalised for filtering; no database constraint so that discarding a
    # never-submitted draft article leaves its audit rows untouched.
    article = models.ForeignKey(
        "articles.Article",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    state_before = models.CharField(max_length=32, blank=True)
    state_after = models.CharField(max_length=32, blank=True)
    payload = models.JSONField(default=dict, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)
    user_agent = models.CharField(max_length=300, blank=True)
    prev_hash = models.CharField(max_length=64, unique=True)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            models.Index(fields=["article", "seq"], name="audit_article_seq"),
            models.Index(fields=["actor", "seq"], name="audit_actor_seq"),
            models.Index(fields=["action", "seq"], name="audit_action_seq"),
            # The actor filter matches the label too (a user renamed since, "system").
            models.Index(fields=["actor_label", "seq"], name="audit_actor_label_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action} by {self.actor_label} on {self.target_type}:{self.target_id}"

    @property
    def description(self) -> str:
        """The sentence the audit pages show for this event, from its action's declaration."""
        return audit_actions.describe(
            self.action,
            actor=self.actor_label,
            target=f"{self.target_type} #{self.target_id}" if self.target_type else "",
            state_before=self.state_before,
            state_after=self.state_after,
            payload=self.payload if isinstance(self.payload, dict) else None,
        )

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("deleted")
