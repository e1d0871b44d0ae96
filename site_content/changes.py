"""The editorial policy: new editions from managing editors, each one audited.

The editorial policy is the promise readers are given: changing it is a change that matters.
Each function is one transaction writing exactly one audit event.

Audit events (``audit.trail.record``; actor the person acting, "system" for a command without one):

- ``site.policy_edition_added``: target the new EditorialPolicy edition; edition_id, published_at,
  change_note, body_length, body_sha256 (earlier editions are kept as they were, never edited).
"""

from __future__ import annotations

import hashlib

from django.db import transaction

import core.audit_actions as audit_actions
from audit.changes import validated
from audit.trail import RequestInfo, record
from core.actor import Actor, signed_in
from core.errors import ContentInvalid

from .models import EditorialPolicy


def add_policy_edition(
    edition: EditorialPolicy, *, by: Actor = None, request_info: RequestInfo | None = None
) -> EditorialPolicy:
    """Save a new (unsaved) edition of the editorial policy, made by ``by``."""
    if edition.pk is not None:
        raise ContentInvalid("Editions of the editorial policy are added, never edited.")
    with transaction.atomic():
        edition.created_by = signed_in(by)
        validated(edition)
        edition.save()
        record(
            audit_actions.SITE_POLICY_EDITION_ADDED,
            actor=by,
            target=edition,
            payload={
                "edition_id": edition.pk,
                "published_at": edition.published_at,
                "change_note": edition.change_note,
                "body_length": len(edition.body),
                # Which text was promised, without copying it into the trail.
                "body_sha256": hashlib.sha256(edition.body.encode("utf-8")).hexdigest(),
            },
            request_info=request_info,
        )
    return edition
