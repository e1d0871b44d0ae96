"""Keeping the board: every change to who may review, made by a managing editor or a command.

Board membership, credentials and their expiry, specialties, capacity and standing conflicts
decide who may review or sign (``reviews.board`` reads them). Whatever door the change comes
through (the admin, a management command, a script), it goes through a function here: one
transaction that locks the row, reads it as stored, applies what differs and writes exactly one
audit event with each changed field's ``[before, after]``. A request that changes nothing
writes nothing. A refusal raises a ``DomainError`` and writes nothing.

Rules kept here:

- A new member starts unverified: credentials are verified as a step of their own
  (:func:`verify_credentials`), by a managing editor, with an expiry date still to come.
- Verification vouches for the credentials text and its expiry date: changing either
  withdraws it, so a lapsed member cannot be revived by moving the date.
- A membership belongs to one person: its user cannot change once the member was assigned
  anything (their reviews and signatures point at the membership).
- Members and conflicts are never deleted (members leave the board by becoming inactive,
  conflicts end); the admin offers no delete.

Audit events (``audit.trail.record``; target as named, actor the person acting, "system" for
a command without one). Every payload carries ``member_id`` and ``member_user_id``; ``changes``
is ``{field: [before, after]}`` (rows as keys, dates as ISO text, specialties as sorted slugs):

- ``board.member_added``: target the BoardMember; changes (from null / ``[]``).
- ``board.member_updated``: target the BoardMember; changes, one event for the fields and the
  specialties of one save. Withdrawing a verification shows as changes of
  ``credentials_verified_at`` / ``credentials_verified_by`` in the same event.
- ``board.credentials_verified``: target the BoardMember; credentials, expire_on (one event per
  member verified).
- ``board.conflict_declared``: target the ConflictOfInterest; conflict_id, kind, article_id,
  author_id, topic, and, recorded by a managing editor, declared_on, ended_on.
  (Also written by ``reviews.board.declare_standing_conflict``, the member's own.)
- ``board.conflict_ended``: target the ConflictOfInterest; conflict_id, ended_on, changes
  (when a managing editor sets only the end date; the member's own is in ``reviews.board``).
- ``board.conflict_changed``: target the ConflictOfInterest; conflict_id, changes.

The member's own profile (bio, own conflicts) is ``reviews.board``'s; who may sign and how
many must is ``articles.review_policy`` (required approvals) and ``accounts.changes`` (accounts,
their roles and permissions).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

import core.audit_actions as audit_actions
from articles.models import Article, Specialty
from audit.changes import Changes, field_changes, plain, refuse_unknown, set_changes, validated
from audit.trail import RequestInfo, record
from core.actor import Actor, signed_in
from core.errors import ContentInvalid

from .board import conflict_subject_checked
from .models import BoardMember, ConflictKind, ConflictOfInterest

MEMBER_FIELDS = (
    "user",
    "display_name",
    "credentials",
    "bio",
    "is_active",
    "max_open_assignments",
    "credentials_expire_on",
)
SPECIALTIES = "specialties"
# What a verification vouches for: changing one of these withdraws it.
VERIFIED_FIELDS = ("credentials", "credentials_expire_on")
CONFLICT_FIELDS = ("kind", "article", "author", "topic", "details", "declared_on", "ended_on")
# Which field holds the subject of each kind of conflict; the others stay empty.
_SUBJECT_FIELD = {ConflictKind.ARTICLE: "article", ConflictKind.AUTHOR: "author", ConflictKind.TOPIC: "topic"}


def _slug(specialty: Specialty) -> str:
    return specialty.slug


def _member_payload(member: BoardMember, **extra: Any) -> dict[str, Any]:
    return {"member_id": member.pk, "member_user_id": member.user_id, **extra}


def add_board_member(
    member: BoardMember,
    *,
    specialties: Iterable[Specialty] = (),
    by: Actor = None,
    request_info: RequestInfo | None = None,
) -> BoardMember:
    """Save a new (unsaved) board member with their specialties; ``board.member_added``."""
    if member.pk is not None:
        raise ContentInvalid("This board member already exists; change it instead.")
    if member.credentials_verified_at is not None or member.credentials_verified_by_id is not None:
        raise ContentInvalid(
            "A new board member starts unverified: verify their credentials as a step of its own.",
            fields={"credentials_verified_at": ["Verify the credentials after adding the member."]},
        )
    specialties = list(specialties)
    with transaction.atomic():
        validated(member)
        member.save()
        member.specialties.set(specialties)
        changes: Changes = {
            name: [None, plain(getattr(member, member._meta.get_field(name).attname))]
            for name in MEMBER_FIELDS
        }
        changes[SPECIALTIES] = [[], sorted(_slug(s) for s in specialties)]
        record(
            audit_actions.BOARD_MEMBER_ADDED,
            actor=by,
            target=member,
            payload=_member_payload(member, changes=changes),
            request_info=request_info,
        )
    return member


def update_board_member(
    member_id: int,
    wanted: Mapping[str, Any],
    *,
    by: Actor = None,
    request_info: RequestInfo | None = None,
) -> Changes:
    """Change a member's fields and specialties (``wanted``: field -> new value) as one event.

    ``specialties`` is the whole new set. Returns the changes made; ``{}`` (and no event) when
    everything asked for was already so.
    """
    refuse_unknown(wanted, (*MEMBER_FIELDS, SPECIALTIES), "a board member")
    with transaction.atomic():
        member = BoardMember.objects.select_for_update().get(pk=member_id)
        if "user" in wanted and plain(wanted["user"]) != member.user_id and member.assignments.exists():
            raise ContentInvalid(
                "This membership has been assigned reviews, which stay with the person who did them: "
                "its user cannot change. Make the member inactive and add the other person as a new member.",
                fields={"user": ["Cannot change once the member was assigned a review."]},
            )
        changes = field_changes(member, wanted, MEMBER_FIELDS)
        new_specialties = list(wanted[SPECIALTIES]) if SPECIALTIES in wanted else None
        specialty_change = set_changes(member.specialties.all(), new_specialties, _slug)
        if specialty_change is not None:
            changes[SPECIALTIES] = specialty_change
        if not changes:
            return {}
        if member.credentials_verified_at is not None and set(VERIFIED_FIELDS) & set(changes):
            changes["credentials_verified_at"] = [plain(member.credentials_verified_at), None]
            changes["credentials_verified_by"] = [member.credentials_verified_by_id, None]
            member.credentials_verified_at = None
            member.credentials_verified_by_id = None
        fields = [name for name in changes if name != SPECIALTIES]
        if fields:
            validated(member, exclude=[f.name for f in member._meta.fields if f.name not in fields])
            member.save(update_fields=fields)
        if new_specialties is not None and specialty_change is not None:
            member.specialties.set(new_specialties)
        record(
            audit_actions.BOARD_MEMBER_UPDATED,
            actor=by,
            target=member,
            payload=_member_payload(member, changes=changes),
            request_info=request_info,
        )
    return changes


def verify_credentials(
    member_ids: Iterable[int], *, by: Actor, request_info: RequestInfo | None = None
) -> list[BoardMember]:
    """Record ``by`` and now as the verification of each member's credentials (one event each).

    Refused for all when any of them has no expiry date, or one already past: the date is part
    of what is verified.
    """
    today = timezone.localdate()
    with transaction.atomic():
        members = list(BoardMember.objects.select_for_update().filter(pk__in=list(member_ids)).order_by("pk"))
        undated = [m.display_name for m in members if m.credentials_expire_on is None]
        if undated:
            raise ContentInvalid(
                "Set an expiry date first for: " + ", ".join(undated) + ". Nothing was verified.",
                fields={"credentials_expire_on": ["Required to verify."]},
            )
        past = [
            m.display_name
            for m in members
            if m.credentials_expire_on is not None and m.credentials_expire_on < today
        ]
        if past:
            raise ContentInvalid(
                "The expiry date has already passed for: " + ", ".join(past) + ". Set the new expiry "
                "date first. Nothing was verified.",
                fields={"credentials_expire_on": ["Already passed."]},
            )
        now = timezone.now()
        for member in members:
            member.credentials_verified_by = signed_in(by)
            member.credentials_verified_at = now
            member.save(update_fields=["credentials_verified_by", "credentials_verified_at"])
            record(
                audit_actions.BOARD_CREDENTIALS_VERIFIED,
                actor=by,
                target=member,
                payload=_member_payload(
                    member, credentials=member.credentials, expire_on=member.credentials_expire_on
                ),
                request_info=request_info,
            )
    return members


# --- standing conflicts, recorded by a managing editor ----------------------------------------------


def _check_dates(declared_on: datetime.date | None, ended_on: datetime.date | None) -> None:
    if declared_on is not None and ended_on is not None and ended_on < declared_on:
        raise ContentInvalid(
            "A conflict of interest cannot end before it was declared.",
            fields={"ended_on": ["Before the declaration date."]},
        )


def record_conflict(
    member: BoardMember,
    *,
    kind: str,
    topic: str = "",
    details: str = "",
    article: Article | None = None,
    author: User | None = None,
    declared_on: datetime.date | None = None,
    ended_on: datetime.date | None = None,
    by: Actor = None,
    request_info: RequestInfo | None = None,
) -> ConflictOfInterest:
    """Record a standing conflict of interest on a member's profile; ``board.conflict_declared``."""
    topic = conflict_subject_checked(kind, topic=topic, article=article, author=author)
    declared_on = declared_on or timezone.localdate()
    _check_dates(declared_on, ended_on)
    with transaction.atomic():
        conflict = ConflictOfInterest(
            member_id=member.pk,
            kind=kind,
            article=article if kind == ConflictKind.ARTICLE else None,
            author=author if kind == ConflictKind.AUTHOR else None,
            topic=topic,
            details=(details or "").strip(),
            declared_on=declared_on,
            ended_on=ended_on,
        )
        validated(conflict)
        conflict.save()
        record(
            audit_actions.BOARD_CONFLICT_DECLARED,
            actor=by,
            target=conflict,
            article=conflict.article if kind == ConflictKind.ARTICLE else None,
            payload=_member_payload(
                member,
                conflict_id=conflict.pk,
                kind=kind,
                article_id=conflict.article_id,
                author_id=conflict.author_id,
                topic=topic,
                declared_on=declared_on,
                ended_on=ended_on,
            ),
            request_info=request_info,
        )
    return conflict


def change_conflict(
    conflict_id: int, wanted: Mapping[str, Any], *, by: Actor = None, request_info: RequestInfo | None = None
) -> Changes:
    """Change a recorded conflict (its subject, dates or details) as one event; ``{}`` if nothing differs.

    Setting only the end date is ``board.conflict_ended``, as when the member ends it themselves.
    """
    refuse_unknown(wanted, CONFLICT_FIELDS, "a conflict of interest")
    wanted = {
        name: (value or "").strip() if name in ("topic", "details") else value
        for name, value in wanted.items()
    }
    with transaction.atomic():
        conflict = ConflictOfInterest.objects.select_for_update().select_related("member").get(pk=conflict_id)
        changes = field_changes(conflict, wanted, CONFLICT_FIELDS)
        if not changes:
            return {}
        conflict_subject_checked(
            conflict.kind, topic=conflict.topic, article=conflict.article_id, author=conflict.author_id
        )
        # Only the subject the kind names is kept, as when the member declares it.
        keep = _SUBJECT_FIELD[ConflictKind(conflict.kind)]
        cleared = {
            name: ("" if name == "topic" else None) for name in _SUBJECT_FIELD.values() if name != keep
        }
        changes.update(field_changes(conflict, cleared, cleared))
        _check_dates(conflict.declared_on, conflict.ended_on)
        validated(conflict)
        conflict.save(update_fields=list(changes))
        ended_only = set(changes) == {"ended_on"} and conflict.ended_on is not None
        member = conflict.member
        payload = _member_payload(member, conflict_id=conflict.pk, changes=changes)
        if ended_only:
            payload["ended_on"] = plain(conflict.ended_on)
        record(
            audit_actions.BOARD_CONFLICT_ENDED if ended_only else audit_actions.BOARD_CONFLICT_CHANGED,
            actor=by,
            target=conflict,
            payload=payload,
            request_info=request_info,
        )
    return changes
