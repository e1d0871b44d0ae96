"""What a notification is about. Users mute kinds; some kinds cannot be muted."""

from __future__ import annotations

from django.db import models


class Kind(models.TextChoices):
    ARTICLE_SUBMITTED = "article_submitted", "Article submitted for review"
    VERSION_RESUBMITTED = "version_resubmitted", "A version you reviewed was revised and resubmitted"
    ASSIGNMENT_INVITED = "assignment_invited", "Invitation to review"
    ASSIGNMENT_ACCEPTED = "assignment_accepted", "Invitation accepted"
    ASSIGNMENT_DECLINED = "assignment_declined", "Invitation declined"
    ASSIGNMENT_EXPIRED = "assignment_expired", "Invitation expired unanswered"
    ASSIGNMENT_CANCELLED = "assignment_cancelled", "Review assignment cancelled"
    EXTENSION_REQUESTED = "extension_requested", "Extension requested"
    EXTENSION_DECIDED = "extension_decided", "Extension granted or refused"
    CONFLICT_DECLARED = "conflict_declared", "Conflict of interest declared"
    CONFLICT_OVERRIDDEN = "conflict_overridden", "Conflict of interest overridden"
    REVIEW_SUBMITTED = "review_submitted", "Review submitted"
    ROUND_COMPLETE = "round_complete", "Review round complete"
    CHANGES_REQUESTED = "changes_requested", "Changes requested"
    REJECT_RECOMMENDED = "reject_recommended", "A reviewer recommends rejection"
    ARTICLE_REJECTED = "article_rejected", "Article rejected"
    ARTICLE_APPROVED = "article_approved", "Article approved"
    ARTICLE_PUBLISHED = "article_published", "Article published"
    SCHEDULED_PUBLICATION_DONE = "scheduled_publication_done", "Scheduled publication done"
    SCHEDULED_PUBLICATION_STOPPED = (
        "scheduled_publication_stopped",
        "Scheduled publication failed or cancelled",
    )
    COMMENT_ANSWERED = "comment_answered", "The editor answered your comment"
    REREVIEW_FLAGGED = "rereview_flagged", "Article flagged for re-review"
    REREVIEW_DUE = "rereview_due", "Periodic re-review due soon"
    REREVIEW_OVERDUE = "rereview_overdue", "Periodic re-review overdue"
    REMINDER_INVITATION = "reminder_invitation", "Reminder: answer an invitation"
    REMINDER_REVIEW = "reminder_review", "Reminder: submit a review"
    REMINDER_REVISION = "reminder_revision", "Reminder: revise an article"
    OVERDUE_ESCALATION = "overdue_escalation", "Escalation: something is overdue"
    OVERDUE_DIGEST = "overdue_digest", "Daily list of what is overdue"
    DAILY_DIGEST = "daily_digest", "Daily digest"
    WEBHOOK_DISABLED = "webhook_disabled", "A webhook endpoint was disabled after a day of failures"


# Always delivered, whatever the preferences: someone must act, or something is late.
# Reminders become essential once their deadline has passed (decided per notification).
ESSENTIAL_KINDS: frozenset[str] = frozenset(
    {
        Kind.ASSIGNMENT_INVITED,
        Kind.SCHEDULED_PUBLICATION_STOPPED,
        Kind.OVERDUE_ESCALATION,
        Kind.REREVIEW_OVERDUE,
        Kind.OVERDUE_DIGEST,
        Kind.DAILY_DIGEST,
        Kind.WEBHOOK_DISABLED,
    }
)

# The digest email itself is not an inbox item: its entries already are.
NOT_IN_INBOX: frozenset[str] = frozenset({Kind.DAILY_DIGEST})


def mutable_kinds() -> list[tuple[str, str]]:
    """The kinds a user may switch off (for preference forms)."""
    return [(value, label) for value, label in Kind.choices if value not in ESSENTIAL_KINDS]
