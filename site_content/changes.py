"""The site's switches and the editorial policy: changes from managing editors, each one audited.

A site switch decides what readers are shown (``show_pending_versions`` shows a version still
under review, under a caution banner), and the editorial policy is the promise readers are
given: changing either is a change that matters. Each function is one transaction writing
exactly one audit event; a save that changes nothing writes none.

Audit events (``audit.chain.record``; actor the person acting, "system" for a command without one):

- ``site.settings_changed``: target the SiteSettings row; changes ``{field: [before, after]}``.
- ``site.policy_edition_added``: target the new EditorialPolicy edition; edition_id, published_at,
  change_note, body_length, body_sha256 (earlier editions are kept as they were, never edited).
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from typing import Any

from django.db import transaction

from articles.errors import ContentInvalid
from audit.chain import RequestInfo, record
from audit.changes import Changes, field_changes, refuse_unknown, validated

from .models import EditorialPolicy, SiteSettings


def _switches() -> list[str]:
    # Every switch the model has: a new one is audited without a change here.
    return [
        f.name
        for f in SiteSettings._meta.concrete_fields
        if f.editable and not f.primary_key and f.name != "updated_at"
    ]


def update_site_settings(
    wanted: Mapping[str, Any], *, by=None, request_info: RequestInfo | None = None
) -> Changes:
    """Set the site's switches (``wanted``: name -> value); ``{}`` and no event if all already are."""
    switches = _switches()
    refuse_unknown(wanted, switches, "the site settings")
    with transaction.atomic():
        SiteSettings.objects.get_or_create(pk=SiteSettings.SINGLETON_PK)
        site_settings = SiteSettings.objects.select_for_update().get(pk=SiteSettings.SINGLETON_PK)
        changes = field_changes(site_settings, wanted, switches)
        if not changes:
            return {}
        validated(site_settings, exclude=[f.name for f in SiteSettings._meta.fields if f.name not in changes])
        site_settings.save(update_fields=[*changes, "updated_at"])
        record(
            "site.settings_changed",
            actor=by,
            target=site_settings,
            payload={"changes": changes},
            request_info=request_info,
        )
    return changes


def add_policy_edition(
    edition: EditorialPolicy, *, by=None, request_info: RequestInfo | None = None
) -> EditorialPolicy:
    """Save a new (unsaved) edition of the editorial policy, made by ``by``."""
    if edition.pk is not None:
        raise ContentInvalid("Editions of the editorial policy are added, never edited.")
    with transaction.atomic():
        edition.created_by = by if by is not None and by.is_authenticated else None
        validated(edition)
        edition.save()
        record(
            "site.policy_edition_added",
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
