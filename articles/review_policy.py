"""How many must sign, and the settings of an article a managing editor keeps: every change audited.

A specialty's ``required_approvals`` (and ``review_interval_months``) and an article's own
``required_approvals`` decide how many distinct board members must approve before the text
goes out (``Article.approvals_needed``); an article's owner decides who edits it (its specialty is
versioned content, edited with the draft). Whatever door the change comes through (the admin, a management
command), it goes through a function here: one transaction that locks the row, reads it as
stored, applies what differs and writes exactly one audit event with each changed field's
``[before, after]``. A request that changes nothing writes nothing; a refusal raises a
``DomainError`` and writes nothing. Neither specialties nor articles are deleted here.

Audit events (``audit.trail.record``; actor the person acting, "system" for a command without
one; ``changes`` is ``{field: [before, after]}``, rows as keys, dates as ISO text):

- ``specialty.created``: target the Specialty; changes (from null).
- ``specialty.updated``: target the Specialty; changes (name, review_interval_months,
  required_approvals; the slug is fixed once created).
- ``article.settings_changed``: target and article the Article; changes (owner,
  required_approvals, where null means "the specialty's number").
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db import models, transaction

import core.audit_actions as audit_actions
from audit.changes import Changes, field_changes, refuse_unknown, validated
from audit.trail import RequestInfo, record
from core.actor import Actor
from core.errors import ContentInvalid

from .models import Article, Specialty

SPECIALTY_FIELDS = ("name", "review_interval_months", "required_approvals")
# Not the specialty nor the review dates: readers see those, so they change only with a reviewed
# version (the specialty is filed with each draft) or the publish that follows the board's approvals.
ARTICLE_SETTINGS = ("owner", "required_approvals")


def _only(row: models.Model, changed: Changes) -> list[str]:
    """The fields full_clean should leave alone: those not being changed."""
    return [f.name for f in row._meta.fields if f.name not in changed]


def add_specialty(
    specialty: Specialty, *, by: Actor = None, request_info: RequestInfo | None = None
) -> Specialty:
    """Save a new (unsaved) specialty; ``specialty.created``."""
    if specialty.pk is not None:
        raise ContentInvalid("This specialty already exists; change it instead.")
    with transaction.atomic():
        validated(specialty)
        specialty.save()
        changes = {name: [None, getattr(specialty, name)] for name in ("slug", *SPECIALTY_FIELDS)}
        record(
            audit_actions.SPECIALTY_CREATED,
            actor=by,
            target=specialty,
            payload={"specialty_id": specialty.pk, "changes": changes},
            request_info=request_info,
        )
    return specialty


def update_specialty(
    specialty_id: int, wanted: Mapping[str, Any], *, by: Actor = None, request_info: RequestInfo | None = None
) -> Changes:
    """Change a specialty's name, review interval or required approvals; ``{}`` if nothing differs."""
    refuse_unknown(wanted, SPECIALTY_FIELDS, "a specialty")
    with transaction.atomic():
        specialty = Specialty.objects.select_for_update().get(pk=specialty_id)
        changes = field_changes(specialty, wanted, SPECIALTY_FIELDS)
        if not changes:
            return {}
        validated(specialty, exclude=_only(specialty, changes))
        specialty.save(update_fields=list(changes))
        record(
            audit_actions.SPECIALTY_UPDATED,
            actor=by,
            target=specialty,
            payload={"specialty_id": specialty.pk, "slug": specialty.slug, "changes": changes},
            request_info=request_info,
        )
    return changes


def update_article_settings(
    article_id: int, wanted: Mapping[str, Any], *, by: Actor = None, request_info: RequestInfo | None = None
) -> Changes:
    """Change an article's owner or required approvals as one event.

    ``required_approvals`` is a number of at least 1, or None for the specialty's number.
    """
    refuse_unknown(wanted, ARTICLE_SETTINGS, "an article")
    if wanted.get("required_approvals") is not None and wanted["required_approvals"] < 1:
        raise ContentInvalid(
            "An article needs at least one approval; leave the number empty to use the specialty's.",
            fields={"required_approvals": ["At least 1, or empty."]},
        )
    with transaction.atomic():
        article = Article.objects.select_for_update().get(pk=article_id)
        changes = field_changes(article, wanted, ARTICLE_SETTINGS)
        if not changes:
            return {}
        validated(article, exclude=_only(article, changes))
        article.save(update_fields=[*changes, "updated_at"])
        record(
            audit_actions.ARTICLE_SETTINGS_CHANGED,
            actor=by,
            target=article,
            article=article,
            payload={"changes": changes, "slug": article.slug},
            request_info=request_info,
        )
    return changes
