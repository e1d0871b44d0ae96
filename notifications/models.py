"""The notification outbox, the in-app inbox, preferences and the reminder ladder.

A ``Notification`` is what a person sees in their inbox. A ``Delivery`` is one
outbox row: one attempt-tracked message on one channel (email, or a webhook
to an integration client: a channel, not a second mechanism, which is why a
delivery may exist without a notification). Both are written in the transaction of the event that
causes them; Celery only delivers after commit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone

from core.display import loaded_str

from .kinds import Kind


class StaffProfile(models.Model):
    """Which specialties a managing editor looks after. None chosen: all of them."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="staff_profile"
    )
    specialties = models.ManyToManyField(
        "articles.Specialty",
        blank=True,
        related_name="+",
        help_text="Leave empty to be told about every specialty.",
    )

    def __str__(self) -> str:
        return f"Staff profile of {loaded_str(self, 'user')}"


class EmailMode(models.TextChoices):
    IMMEDIATE = "immediate", "Each notification as it happens"
    DAILY_DIGEST = "daily_digest", "One daily digest"


class NotificationPreference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email_mode = models.CharField(max_length=16, choices=EmailMode.choices, default=EmailMode.IMMEDIATE)
    muted_kinds = models.JSONField(
        default=list, blank=True, help_text="Kinds not to email. Essential kinds are emailed anyway."
    )

    def __str__(self) -> str:
        return f"Preferences of {loaded_str(self, 'user')}"

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        unknown = sorted(set(self.muted_kinds or []) - set(Kind.values))
        if unknown:
            raise ValidationError({"muted_kinds": f"Unknown kinds: {', '.join(unknown)}."})


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(max_length=40, choices=Kind.choices)
    article = models.ForeignKey(
        "articles.Article", null=True, blank=True, on_delete=models.SET_NULL, related_name="notifications"
    )
    # The audit event that caused it, if any. No constraint: audit rows are never deleted anyway.
    event = models.ForeignKey(
        "audit.AuditEvent",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    title = models.CharField(max_length=250)
    body = models.TextField(blank=True)
    url = models.CharField(max_length=500, blank=True, help_text="Site-relative link to the page to act on.")
    payload = models.JSONField(default=dict, blank=True)
    is_essential = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    # Reminders, digests and periodic notices: the same key can only ever be written once.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["recipient", "read_at"], name="notification_unread"),
            models.Index(fields=["recipient", "-created_at"], name="notification_inbox"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {loaded_str(self, 'recipient')}: {self.title}"

    def absolute_url(self) -> str:
        if not self.url or self.url.startswith(("http://", "https://")):
            return self.url
        return settings.SITE_URL.rstrip("/") + self.url


class Channel(models.TextChoices):
    EMAIL = "email", "Email"
    WEBHOOK = "webhook", "Webhook"  # sent by the webhooks app (webhooks/sending.py)


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed (gave up)"
    SKIPPED = "skipped", "Skipped (muted or no address)"
    HELD = "held", "Held for the daily digest"
    DIGESTED = "digested", "Sent in a daily digest"


class Delivery(models.Model):
    """One message on one channel: the outbox row a Celery task delivers."""

    channel = models.CharField(max_length=16, choices=Channel.choices, default=Channel.EMAIL)
    notification = models.ForeignKey(
        Notification, null=True, blank=True, on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "audit.AuditEvent",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    payload = models.JSONField(default=dict, blank=True, help_text="Channel-specific data.")
    status = models.CharField(
        max_length=16, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveIntegerField(default=0)
    last_error = models.TextField(blank=True)
    address = models.CharField(max_length=500, blank=True, help_text="Where it was last sent.")
    created_at = models.DateTimeField(default=timezone.now)
    next_attempt_at = models.DateTimeField(default=timezone.now)
    # When a task was last handed to the broker (null: it never reached it, the sweeper will).
    queued_at = models.DateTimeField(null=True, blank=True)
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digested",
        help_text="The digest that carried this message.",
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")]

    def __str__(self) -> str:
        return f"{self.get_channel_display()} #{self.pk} ({self.get_status_display()})"


class Phase(models.TextChoices):
    INVITATION = "invitation", "Answer the invitation (deadline: respond by)"
    REVIEW = "review", "Submit the review (deadline: review due)"
    REVISION = "revision", "Editor's revision (deadline: changes requested + revision days)"


class RuleRecipient(models.TextChoices):
    REVIEWER = "reviewer", "The reviewer"
    MANAGING_EDITOR = "managing_editor", "The managing editor (who assigned it, or of the specialty)"
    EDITOR = "editor", "The article's editor"


class ReminderRule(models.Model):
    """One rung of the reminder ladder, editable by managing editors in the admin.

    Fires on the calendar day ``deadline + offset_days`` (then every
    ``repeat_every_days``, at most ``max_times`` in all), for every open
    assignment (or article waiting for revision) in its phase.
    """

    name = models.CharField(max_length=120)
    phase = models.CharField(max_length=16, choices=Phase.choices)
    offset_days = models.SmallIntegerField(
        help_text="Days from the deadline: -2 two days before, 0 on the day, 3 three days late."
    )
    recipient = models.CharField(max_length=20, choices=RuleRecipient.choices)
    repeat_every_days = models.PositiveSmallIntegerField(
        default=0, help_text="Repeat every this many days (0: send once)."
    )
    max_times = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1)], help_text="At most this many reminders from this rule."
    )
    message = models.TextField(blank=True, help_text="Added to the reminder's text.")
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["phase", "offset_days", "pk"]
        constraints = [
            models.CheckConstraint(condition=models.Q(max_times__gte=1), name="reminder_rule_max_times_min_1")
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        from django.core.exceptions import ValidationError

        from .reminders import rule_problems

        problems = rule_problems(self)
        if problems:
            raise ValidationError(problems)

    def save(self, *args, **kwargs):
        # Refused on every save, not only through forms: a rule that cannot fire is a silent bug.
        self.clean()
        super().save(*args, **kwargs)


class RereviewFlag(models.Model):
    """A published article to re-review because evidence it cites has changed."""

    article = models.ForeignKey("articles.Article", on_delete=models.PROTECT, related_name="rereview_flags")
    version = models.ForeignKey(
        "articles.ArticleVersion",
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
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["article", "resolved_at"], name="rereview_flag_open")]

    def __str__(self) -> str:
        return f"Re-review {loaded_str(self, 'article')}: {self.reason[:60]}"

    @property
    def is_open(self) -> bool:
        return self.resolved_at is None
