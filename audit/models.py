"""The append-only audit trail and the review log (a Merkle tree) that commits to it.

Each event is written with its own leaf hash (``audit.entries``), linked to no other event, so
writers never wait for each other. The sealer (``audit.log``) then appends committed events to
the log in a fixed order: ``LogLeaf`` gives each its position, ``LogNode`` keeps the hash of every
complete subtree, and a ``Checkpoint`` signs the tree's size and root hash. Events written before
the log also carry the old hash chain (``prev_hash``/``hash``), still checked by ``verify_audit``.

On PostgreSQL a trigger refuses UPDATE, DELETE and TRUNCATE on all four tables (migrations 0002
and 0005); on every backend the models and their querysets refuse them too.
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
    """The tip of the old hash chain (events before the log); never written since, read by
    ``verify_audit`` to notice old events missing from the chain's end."""

    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="")

    def __str__(self) -> str:
        return f"audit chain at #{self.last_seq}"


class AuditEvent(models.Model):
    GENESIS_HASH = "0" * 64

    # Equal to the id for events written since the log; for older ones, their place in the chain
    # (the order of writing either way, which is what the trail pages sort by).
    seq = models.BigIntegerField(unique=True, help_text="The event's number, in the order written.")
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
    # Events of the old hash chain only (null since the log): the link and the chain hash.
    prev_hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    hash = models.CharField(max_length=64, unique=True, null=True, blank=True)
    # The writing transaction's id on PostgreSQL (0 on SQLite and for chained events): the
    # sealer's order is (xact, id), see audit.log.
    xact = models.BigIntegerField(default=0)
    # Hashed with the IP address and browser into the entry's "request" (audit.entries).
    request_salt = models.CharField(max_length=32, blank=True, default="")
    # The entry's RFC 6962 leaf hash (hex), fixed when written; empty for chained events, whose
    # leaf the sealer computes.
    leaf_hash = models.CharField(max_length=64, blank=True, default="")

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["seq"]
        indexes = [
            # The sealer reads the next events in the log's order.
            models.Index(fields=["xact", "seq"], name="audit_log_order"),
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


class AppendOnlyQuerySet[M: models.Model](models.QuerySet[M]):
    """The log's tables: rows are added, never changed or removed."""

    def update(self, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("updated")

    def delete(self) -> NoReturn:
        raise AuditTrailIsAppendOnly("deleted")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise AuditTrailIsAppendOnly("changed")
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise AuditTrailIsAppendOnly("deleted")


class LogLeaf(AppendOnlyModel):
    """An event's position in the log (from 0) and its leaf hash, as the sealer appended it."""

    index = models.BigIntegerField(primary_key=True)
    event = models.OneToOneField(AuditEvent, on_delete=models.PROTECT, related_name="leaf")
    hash = models.BinaryField(max_length=32)

    objects = AppendOnlyQuerySet["LogLeaf"].as_manager()

    class Meta:
        ordering = ["index"]

    def __str__(self) -> str:
        return f"leaf {self.index}"


class LogNode(AppendOnlyModel):
    """The hash of a complete subtree: leaves [index * 2^level, (index + 1) * 2^level).

    Written once, when its last leaf is sealed, and never again (a complete subtree never
    changes); any proof needs at most two of them per level. Level 0 is ``LogLeaf``.
    """

    pk = models.CompositePrimaryKey("level", "index")
    level = models.PositiveSmallIntegerField()
    index = models.BigIntegerField()
    hash = models.BinaryField(max_length=32)

    objects = AppendOnlyQuerySet["LogNode"].as_manager()

    def __str__(self) -> str:
        return f"node {self.level}/{self.index}"


class Checkpoint(AppendOnlyModel):
    """A signed statement of the log's size and root hash (C2SP tlog-checkpoint, signed note)."""

    size = models.BigIntegerField(primary_key=True)
    root_hash = models.BinaryField(max_length=32)
    created_at = models.DateTimeField()
    note = models.TextField(help_text="The checkpoint as published: text and signature lines.")

    objects = AppendOnlyQuerySet["Checkpoint"].as_manager()

    class Meta:
        ordering = ["-size"]
        get_latest_by = "size"

    def __str__(self) -> str:
        return f"checkpoint at {self.size} entries"


class VerifiedTree(AppendOnlyModel):
    """A tree ``verify_audit`` checked in full up to this size: where its next run starts."""

    size = models.BigIntegerField()
    root_hash = models.BinaryField(max_length=32)
    verified_at = models.DateTimeField()
    full = models.BooleanField(help_text="Checked from the first entry, not from an earlier check.")

    objects = AppendOnlyQuerySet["VerifiedTree"].as_manager()

    class Meta:
        ordering = ["-verified_at", "-pk"]

    def __str__(self) -> str:
        return f"verified at {self.size} entries"
