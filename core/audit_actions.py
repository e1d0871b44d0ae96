"""Every audit action, declared once: its stored name, a short label and a message for readers.

In the spirit of Wagtail's ``log_actions``. Code that writes an event (``audit.trail.record``)
and code that reacts to one (notifications, webhooks, queries over the trail) both name the
action by the constant declared here, so a search for ``ARTICLE_PUBLISH`` finds the emitter and
every listener. The constants are plain ``str``: what the database stores is exactly the dotted
name, unchanged from before the registry existed, and an event read back compares equal to it.

``audit.trail.record`` refuses a name that is not declared here (:func:`require_declared`), so a
typo fails loudly instead of quietly starting a new action nobody listens to.

Messages are ``str.format`` templates over the event: ``{actor}`` (the actor's label, "system"
without one), ``{target}`` (``type #id``), ``{state_before}``, ``{state_after}``, and the keys
of the event's payload. A key an older event lacks reads as "?" (:func:`describe`).
"""

from __future__ import annotations

import difflib
import re
import string
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class AuditAction:
    name: str
    label: str
    message: str


# Lower-case dotted words, as every stored action has always been ("article.request_changes").
_NAME = re.compile(r"[a-z][a-z0-9_]*(\.[a-z][a-z0-9_]*)+")
# What a message may refer to besides payload keys.
EVENT_FIELDS = frozenset({"actor", "target", "state_before", "state_after"})

_REGISTRY: dict[str, AuditAction] = {}


def register(name: str, label: str, message: str) -> str:
    """Declare an action; returns its name, the constant code writes and listens for."""
    if not _NAME.fullmatch(name):
        raise ValueError(
            f"Audit action names are lower-case dotted words, like 'article.publish'; not {name!r}."
        )
    if name in _REGISTRY:
        raise ValueError(f"The audit action {name!r} is declared twice.")
    if not label.strip() or not message.strip():
        raise ValueError(f"The audit action {name!r} needs a label and a message.")
    _REGISTRY[name] = AuditAction(name, label, message)
    return name


def declared() -> list[AuditAction]:
    """Every declared action, in declaration order."""
    return list(_REGISTRY.values())


def is_declared(name: str) -> bool:
    return name in _REGISTRY


def get(name: str) -> AuditAction:
    """The declaration of ``name``; raises ``ValueError`` for a name never declared."""
    require_declared(name)
    return _REGISTRY[name]


def require_declared(name: Any) -> None:
    """Raise ``ValueError`` unless ``name`` is a declared action (with the nearest names, for a typo)."""
    if isinstance(name, str) and name in _REGISTRY:
        return
    near = difflib.get_close_matches(str(name), _REGISTRY, n=3)
    hint = f" Did you mean {', '.join(near)}?" if near else ""
    raise ValueError(f"{name!r} is not a declared audit action (core.audit_actions).{hint}")


def placeholders(message: str) -> set[str]:
    """The names a message template refers to."""
    return {field for _, field, _, _ in string.Formatter().parse(message) if field}


class _Values(dict):
    def __missing__(self, key: str) -> str:
        return "?"


def describe(
    name: str,
    *,
    actor: str = "system",
    target: str = "",
    state_before: str = "",
    state_after: str = "",
    payload: Mapping[str, Any] | None = None,
) -> str:
    """The reader-facing sentence for one event; the bare name for an action not declared here
    (events written by tests or tools the registry does not know)."""
    action = _REGISTRY.get(name)
    if action is None:
        return name
    values = _Values(payload or {})
    values.update(actor=actor, target=target, state_before=state_before, state_after=state_after)
    return action.message.format_map(values)


# --- articles and their versions ------------------------------------------------------------------

ARTICLE_CREATED = register("article.created", "Created", "{actor} created the article (version 1)")
ARTICLE_IMPORTED = register(
    "article.imported", "Imported", "The article's earlier history was imported, in state {state_after}"
)
ARTICLE_SETTINGS_CHANGED = register(
    "article.settings_changed", "Settings changed", "{actor} changed the article's review settings"
)
DRAFT_SAVED = register("draft.saved", "Draft saved", "{actor} saved the draft of version {version}")
VERSION_OPENED = register(
    "version.opened", "Version opened", "{actor} opened version {version} to answer the requested changes"
)

# The workflow's transitions (reviews.workflow.Action); reviews.workflow maps each to its action.
ARTICLE_SUBMIT = register("article.submit", "Submitted", "{actor} submitted version {version} for review")
ARTICLE_WITHDRAW = register("article.withdraw", "Withdrawn", "{actor} withdrew version {version}")
ARTICLE_START_REVIEW = register(
    "article.start_review", "Review started", "{actor} started the review of version {version}"
)
ARTICLE_REQUEST_CHANGES = register(
    "article.request_changes", "Changes requested", "{actor} requested changes to version {version}"
)
ARTICLE_APPROVE = register("article.approve", "Approved", "{actor} approved version {version}")
ARTICLE_REJECT = register("article.reject", "Rejected", "{actor} rejected version {version}: {reason}")
ARTICLE_RETURN = register(
    "article.return", "Returned to the editor", "{actor} returned version {version} to the editor: {reason}"
)
ARTICLE_PUBLISH = register("article.publish", "Published", "{actor} published version {version}")
ARTICLE_ARCHIVE = register("article.archive", "Archived", "{actor} archived the article: {reason}")
ARTICLE_REVISE = register("article.revise", "New version started", "{actor} started version {version}")
ARTICLE_DISCARD = register(
    "article.discard", "Draft discarded", "{actor} discarded the draft of version {version}"
)

ARTICLE_REREVIEW_FLAGGED = register(
    "article.rereview_flagged",
    "Re-review flagged",
    "{actor} flagged version {version} for re-review ({reference}): {reason}",
)

# --- review assignments ---------------------------------------------------------------------------

ASSIGNMENT_INVITED = register(
    "assignment.invited",
    "Reviewer invited",
    "{actor} invited a reviewer for version {version}, round {round}",
)
ASSIGNMENT_ACCEPTED = register(
    "assignment.accepted", "Invitation accepted", "{actor} accepted to review version {version}"
)
ASSIGNMENT_DECLINED = register(
    "assignment.declined", "Invitation declined", "{actor} declined to review version {version}"
)
ASSIGNMENT_EXPIRED = register(
    "assignment.expired",
    "Invitation expired",
    "The invitation to review version {version} expired unanswered",
)
ASSIGNMENT_EXTENSION_REQUESTED = register(
    "assignment.extension_requested", "Extension requested", "{actor} asked for more time to review"
)
ASSIGNMENT_EXTENSION_GRANTED = register(
    "assignment.extension_granted", "Extension granted", "{actor} granted the reviewer more time"
)
ASSIGNMENT_EXTENSION_REFUSED = register(
    "assignment.extension_refused", "Extension refused", "{actor} refused the reviewer more time"
)
ASSIGNMENT_CANCELLED = register(
    "assignment.cancelled", "Assignment cancelled", "{actor} cancelled the review of version {version}"
)
ASSIGNMENT_CONFLICT_DECLARED = register(
    "assignment.conflict_declared",
    "Conflict declaration",
    "{actor} declared conflicts of interest: {category}",
)
ASSIGNMENT_CONFLICT_OVERRIDDEN = register(
    "assignment.conflict_overridden",
    "Conflict overridden",
    "{actor} overrode the reviewer's declared conflict",
)

# --- reviews and publication ------------------------------------------------------------------------

REVIEW_SUBMITTED = register(
    "review.submitted", "Review submitted", "{actor} submitted a review of version {version}: {decision}"
)
REVIEW_SIGNED = register(
    "review.signed", "Review signed", "{actor} signed a review of version {version}: {decision}"
)
REVIEW_NOTE_ADDED = register("review.note_added", "Review note added", "{actor} added a note to their review")
REVIEW_ROUND_COMPLETE = register(
    "review.round_complete",
    "Review round complete",
    "Every review of round {round} (version {version}) is in",
)
COMMENT_ANSWERED = register("comment.answered", "Comment answered", "{actor} answered a reviewer's comment")
PUBLICATION_SCHEDULED = register(
    "publication.scheduled", "Publication scheduled", "{actor} scheduled version {version} for {publish_at}"
)
PUBLICATION_SCHEDULE_CANCELLED = register(
    "publication.schedule_cancelled",
    "Scheduled publication cancelled",
    "The scheduled publication of version {version} was cancelled: {reason}",
)
PUBLICATION_FAILED = register(
    "publication.failed",
    "Scheduled publication failed",
    "The scheduled publication of version {version} failed: {reason}",
)

# --- the board -----------------------------------------------------------------------------------------

BOARD_MEMBER_ADDED = register(
    "board.member_added", "Board member added", "{actor} added {target} to the board"
)
BOARD_MEMBER_UPDATED = register("board.member_updated", "Board member updated", "{actor} updated {target}")
BOARD_CREDENTIALS_VERIFIED = register(
    "board.credentials_verified", "Credentials verified", "{actor} verified the credentials of {target}"
)
BOARD_BIO_UPDATED = register(
    "board.bio_updated", "Biography updated", "{actor} updated their board biography"
)
BOARD_CONFLICT_DECLARED = register(
    "board.conflict_declared", "Standing conflict declared", "{actor} declared a standing conflict ({kind})"
)
BOARD_CONFLICT_CHANGED = register(
    "board.conflict_changed", "Standing conflict changed", "{actor} changed a standing conflict"
)
BOARD_CONFLICT_ENDED = register(
    "board.conflict_ended", "Standing conflict ended", "{actor} ended a standing conflict"
)

# --- site content and review policy --------------------------------------------------------------------

SPECIALTY_CREATED = register(
    "specialty.created", "Specialty created", "{actor} created the specialty {target}"
)
SPECIALTY_UPDATED = register("specialty.updated", "Specialty updated", "{actor} updated the specialty {slug}")
SITE_POLICY_EDITION_ADDED = register(
    "site.policy_edition_added", "Policy edition added", "{actor} added a policy edition: {change_note}"
)

# --- accounts, tokens and webhooks -------------------------------------------------------------------------

ACCOUNT_CREATED = register("account.created", "Account created", "{actor} created the account {username}")
ACCOUNT_UPDATED = register("account.updated", "Account updated", "{actor} updated the account {username}")
GROUP_CREATED = register("group.created", "Group created", "{actor} created the group {name}")
GROUP_UPDATED = register("group.updated", "Group updated", "{actor} updated the group {name}")
API_TOKEN_CREATED = register(
    "api_token.created", "API token created", "{actor} created an API token ({target})"
)
API_TOKEN_REVOKED = register(
    "api_token.revoked", "API token revoked", "{actor} revoked an API token ({target}): {reason}"
)
WEBHOOK_CREATED = register("webhook.created", "Webhook created", "{actor} created the webhook {target}")
WEBHOOK_CHANGED = register("webhook.changed", "Webhook changed", "{actor} changed the webhook {target}")
WEBHOOK_DELETED = register("webhook.deleted", "Webhook deleted", "{actor} deleted the webhook {target}")
WEBHOOK_RESENT = register("webhook.resent", "Webhook resent", "{actor} resent webhook message {webhook_id}")
WEBHOOK_DISABLED = register(
    "webhook.disabled",
    "Webhook disabled",
    "The webhook {target} was disabled after failing since {failing_since}",
)
