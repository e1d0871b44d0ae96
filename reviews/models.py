"""The advisory board, review assignments and signed reviews."""

from __future__ import annotations

import datetime
from typing import Any, NoReturn

from django.conf import settings
from django.db import models
from django.utils import timezone

from articles.models import Article, ArticleVersion, Section, Specialty
from core.display import loaded, loaded_str


def _reviewer_name(row: ReviewAssignment | Review) -> str:
    """The reviewer's name when the row's query loaded them, else their key (core.display)."""
    member = loaded(row, "reviewer")
    return member.display_name if isinstance(member, BoardMember) else f"reviewer #{row.reviewer_id}"


class BoardMember(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="board_member"
    )
    display_name = models.CharField(max_length=150, help_text="As readers will see it, e.g. Dr Ana Reyes.")
    credentials = models.CharField(max_length=150, help_text="As readers will see them, e.g. MD, FACOG.")
    specialties = models.ManyToManyField(Specialty, related_name="board_members", blank=True)
    bio = models.TextField(blank=True)
    is_active = models.BooleanField(default=True)
    max_open_assignments = models.PositiveSmallIntegerField(
        default=3, help_text="The most reviews this member takes on at once."
    )
    credentials_verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    credentials_verified_at = models.DateTimeField(null=True, blank=True)
    credentials_expire_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["display_name"]

    def __str__(self) -> str:
        return f"{self.display_name}, {self.credentials}"

    def credentials_current(self, on: datetime.date | None = None) -> bool:
        today = on or timezone.localdate()
        return (
            self.credentials_verified_at is not None
            and self.credentials_expire_on is not None
            and self.credentials_expire_on >= today
        )


class ConflictKind(models.TextChoices):
    ARTICLE = "article", "An article"
    AUTHOR = "author", "An author or editor"
    TOPIC = "topic", "A topic or sponsor"


# The longest topic or sponsor a conflict names (the column's width; reviews.board refuses longer).
TOPIC_MAX_LENGTH = 300


class ConflictOfInterest(models.Model):
    """A standing disclosure on a member's profile (public for approving reviewers)."""

    member = models.ForeignKey(BoardMember, on_delete=models.CASCADE, related_name="conflicts")
    kind = models.CharField(max_length=16, choices=ConflictKind.choices)
    article = models.ForeignKey(Article, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    topic = models.CharField(
        max_length=TOPIC_MAX_LENGTH, blank=True, help_text="Topic or sponsor, in free text."
    )
    details = models.TextField(blank=True)
    declared_on = models.DateField(default=timezone.localdate)
    ended_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["-declared_on"]

    def __str__(self) -> str:
        if self.article_id:
            subject = loaded_str(self, "article")
        elif self.author_id:
            subject = loaded_str(self, "author")
        else:
            subject = self.topic
        member = loaded(self, "member")
        name = member.display_name if isinstance(member, BoardMember) else f"member #{self.member_id}"
        return f"{name}: {self.get_kind_display()} ({subject})"


class AssignmentStatus(models.TextChoices):
    INVITED = "invited", "Invited"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    COMPLETED = "completed", "Completed"
    CANCELLED = "cancelled", "Cancelled"
    EXPIRED = "expired", "Expired"


OPEN_ASSIGNMENT_STATUSES = (AssignmentStatus.INVITED, AssignmentStatus.ACCEPTED)


class ConflictCategory(models.TextChoices):
    NONE = "none", "No conflict"
    FINANCIAL = "financial", "Financial"
    PERSONAL = "personal", "Personal"
    PROFESSIONAL = "professional", "Professional"
    OTHER = "other", "Other"


class ExtensionStatus(models.TextChoices):
    NONE = "", "None"
    REQUESTED = "requested", "Requested"
    GRANTED = "granted", "Granted"
    REFUSED = "refused", "Refused"


class ReviewAssignment(models.Model):
    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="assignments")
    version = models.ForeignKey(ArticleVersion, on_delete=models.PROTECT, related_name="assignments")
    round = models.PositiveSmallIntegerField(default=1)
    reviewer = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="assignments")
    assigned_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    replaces = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="replaced_by"
    )
    status = models.CharField(
        max_length=16, choices=AssignmentStatus.choices, default=AssignmentStatus.INVITED
    )

    invited_at = models.DateTimeField(default=timezone.now)
    respond_by = models.DateTimeField(help_text="Answer the invitation by.")
    accepted_at = models.DateTimeField(null=True, blank=True)
    declined_at = models.DateTimeField(null=True, blank=True)
    decline_reason = models.TextField(blank=True)
    suggested_alternative = models.CharField(max_length=200, blank=True)
    due_at = models.DateTimeField(null=True, blank=True, help_text="Submit the review by.")
    completed_at = models.DateTimeField(null=True, blank=True)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancel_reason = models.TextField(blank=True)
    expired_at = models.DateTimeField(null=True, blank=True)

    # The reviewer's conflict declaration for this assignment, made before opening the text.
    conflict_declared_at = models.DateTimeField(null=True, blank=True)
    conflict_category = models.CharField(max_length=16, choices=ConflictCategory.choices, blank=True)
    conflict_details = models.TextField(blank=True)
    conflict_override_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    conflict_override_reason = models.TextField(blank=True)
    conflict_override_at = models.DateTimeField(null=True, blank=True)

    extension_status = models.CharField(max_length=16, choices=ExtensionStatus.choices, blank=True)
    extension_requested_until = models.DateTimeField(null=True, blank=True)
    extension_reason = models.TextField(blank=True)
    extension_decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    extension_decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-invited_at"]
        indexes = [
            models.Index(fields=["reviewer", "status"], name="assignment_reviewer_status"),
            models.Index(fields=["article", "status"], name="assignment_article_status"),
            # The queue's tabs ask which articles have an open assignment, and which an overdue one
            # (accepted past due_at, invited past respond_by): these three answer from the index
            # alone, the article being their last column.
            models.Index(fields=["status", "due_at", "article"], name="assignment_status_due"),
            models.Index(fields=["status", "respond_by", "article"], name="assignment_status_respond_by"),
            models.Index(fields=["status", "article"], name="assignment_status_article"),
            # Lists of assignments, newest first (the API): the page read off the index instead of
            # sorting all 300,000 assignments (120 ms at 100,000 articles).
            models.Index(fields=["invited_at", "id"], name="assignment_invited"),
        ]

    def __str__(self) -> str:
        return f"{_reviewer_name(self)} on {loaded_str(self, 'version')} ({self.get_status_display()})"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_ASSIGNMENT_STATUSES

    @property
    def conflict_blocks(self) -> bool:
        """A declared conflict blocks the review until a managing editor overrides it."""
        return self.conflict_category not in ("", ConflictCategory.NONE) and self.conflict_override_at is None


class Decision(models.TextChoices):
    APPROVE = "approve", "Approve"
    REQUEST_CHANGES = "request_changes", "Request changes"
    RECOMMEND_REJECT = "recommend_reject", "Recommend rejection"


CHECKLIST_ITEMS: dict[str, str] = {
    "clinically_accurate": "Clinically accurate",
    "consistent_with_guidelines": "Consistent with current guidelines",
    "claims_supported": "Every claim supported by the cited references",
    "references_current": "References current and correctly described",
    "patient_plain_language": "Patient version in plain language",
    "no_undeclared_conflict": "No undeclared conflict of interest",
}


class ReviewQuerySet(models.QuerySet["Review"]):
    def update(self, **kwargs: Any) -> NoReturn:
        raise ReviewIsFinal()

    def delete(self) -> NoReturn:
        raise ReviewIsFinal()


class ReviewIsFinal(Exception):
    def __init__(self) -> None:
        super().__init__("A submitted review is final: add a later comment instead of changing it.")


class Review(models.Model):
    """A submitted review; immutable. An approval carries an electronic signature."""

    assignment = models.OneToOneField(ReviewAssignment, on_delete=models.PROTECT, related_name="review")
    version = models.ForeignKey(ArticleVersion, on_delete=models.PROTECT, related_name="reviews")
    reviewer = models.ForeignKey(BoardMember, on_delete=models.PROTECT, related_name="reviews")
    decision = models.CharField(max_length=20, choices=Decision.choices)
    comments = models.TextField(blank=True)
    checklist = models.JSONField(default=dict)
    submitted_at = models.DateTimeField(default=timezone.now)

    # The signature (approvals only): who, with what credentials, when, meaning what, over which text.
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    signer_name = models.CharField(max_length=150, blank=True)
    signer_credentials = models.CharField(max_length=150, blank=True)
    signed_at = models.DateTimeField(null=True, blank=True)
    signature_meaning = models.CharField(max_length=300, blank=True)
    signed_content_hash = models.CharField(max_length=64, blank=True)

    objects = ReviewQuerySet.as_manager()

    class Meta:
        ordering = ["submitted_at"]
        indexes = [models.Index(fields=["version", "decision"], name="review_version_decision")]
        constraints = [
            # A person counts once: one board member, one review of a version, whatever the path.
            models.UniqueConstraint(fields=["version", "reviewer"], name="review_one_per_member_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.get_decision_display()} by {_reviewer_name(self)} on {loaded_str(self, 'version')}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        if not self._state.adding:
            raise ReviewIsFinal()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise ReviewIsFinal()


class SectionComment(models.Model):
    """A reviewer's comment anchored to a section (and optionally a quoted passage)."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="section_comments")
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="+")
    quote = models.TextField(blank=True)
    comment = models.TextField()

    class Meta:
        ordering = ["review", "section__audience", "section__position", "pk"]

    def __str__(self) -> str:
        section = loaded(self, "section")
        on = section.heading if isinstance(section, Section) else f"section #{self.section_id}"
        return f"On {on}: {self.comment[:60]}"


class ResponseStatus(models.TextChoices):
    RESOLVED = "resolved", "Resolved"
    NOT_CHANGED = "not_changed", "Not changed"


class CommentResponse(models.Model):
    """The editor's answer to one section comment (kept apart: the review itself is final)."""

    comment = models.OneToOneField(SectionComment, on_delete=models.PROTECT, related_name="response")
    status = models.CharField(max_length=16, choices=ResponseStatus.choices)
    reason = models.TextField(blank=True)
    responded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    responded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.get_status_display()}: {self.comment}"


class ReviewNote(models.Model):
    """A later comment a reviewer adds to a submitted review; the decision stays as it was."""

    review = models.ForeignKey(Review, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at"]

    def __str__(self) -> str:
        return self.text[:60]


class ScheduleStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    PUBLISHED = "published", "Published"
    CANCELLED = "cancelled", "Cancelled"
    FAILED = "failed", "Failed"


class PublicationSchedule(models.Model):
    """An approved version to be published at a set time by the periodic task.

    One row per article: scheduling again replaces the pending time (the audit
    trail keeps every change). Kept out of ``Article`` because only this
    reviewing step knows about it.
    """

    article = models.OneToOneField(Article, on_delete=models.PROTECT, related_name="publication_schedule")
    version = models.ForeignKey(ArticleVersion, on_delete=models.PROTECT, related_name="+")
    publish_at = models.DateTimeField()
    scheduled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    scheduled_at = models.DateTimeField(default=timezone.now)
    status = models.CharField(max_length=16, choices=ScheduleStatus.choices, default=ScheduleStatus.PENDING)
    finished_at = models.DateTimeField(null=True, blank=True)
    outcome = models.TextField(blank=True, help_text="Why it was cancelled or failed.")

    class Meta:
        indexes = [models.Index(fields=["status", "publish_at"], name="schedule_status_due")]

    def __str__(self) -> str:
        version = loaded(self, "version")
        number = (
            f"v{version.number}" if isinstance(version, ArticleVersion) else f"version #{self.version_id}"
        )
        return f"{loaded_str(self, 'article')} {number} at {self.publish_at:%Y-%m-%d %H:%M}"


class RereviewFlag(models.Model):
    """A published article to re-review because evidence it cites has changed."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="rereview_flags")
    version = models.ForeignKey(
        ArticleVersion,
        on_delete=models.PROTECT,
        related_name="+",
        help_text="The version that cites it.",
    )
    reason = models.TextField()
    doi = models.CharField(max_length=200, blank=True)
    pmid = models.CharField(max_length=12, blank=True)
    title = models.CharField(max_length=500, blank=True)
    flagged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    resolved_at = models.DateTimeField(null=True, blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        # The notifications app created the table before re-review came home to reviews
        # (reviews 0007): the rows stay where they are, under their first name.
        db_table = "notifications_rereviewflag"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["article", "resolved_at"], name="rereview_flag_open")]

    def __str__(self) -> str:
        return f"Re-review {loaded_str(self, 'article')}: {self.reason[:60]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
