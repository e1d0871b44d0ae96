"""The in-app inbox, its emails, preferences and the reminder ladder.

A ``Notification`` is what a person sees in their inbox. Its email is one
``outbox.Delivery`` row on the ``email`` channel, tied to it by an
``EmailMessage``. Both are written in the transaction of the event that causes
them; Celery only delivers after commit.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
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


# The outbox channel this app sends on (registered by NotificationsConfig.ready()).
EMAIL_CHANNEL = "email"


class EmailMessage(models.Model):
    """The email side of an outbox row: the notification it sends, and the digest that carried it.

    Keyed by the row itself, as ``webhooks.WebhookMessage`` is, so the outbox stays generic.
    """

    delivery = models.OneToOneField(
        "outbox.Delivery", primary_key=True, on_delete=models.CASCADE, related_name="email"
    )
    notification = models.ForeignKey(Notification, on_delete=models.CASCADE, related_name="emails")
    # Another email message (its key is its outbox row's): the daily digest this one went out in.
    digest = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="digested",
        help_text="The digest that carried this message.",
    )

    class Meta:
        ordering = ["-delivery"]

    def __str__(self) -> str:
        return f"Email #{self.pk} of {loaded_str(self, 'notification')}"


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
        problems = rule_problems(self)
        if problems:
            raise ValidationError(problems)

    def save(self, *args, **kwargs):
        # Refused on every save, not only through forms: a rule that cannot fire is a silent bug.
        self.clean()
        super().save(*args, **kwargs)


def rule_problems(rule: ReminderRule) -> dict[str, list[str]]:
    """Why a rule could never fire (or never as meant); empty when it is fine.

    Checked: at least one occurrence; a repeating rule has a repeat interval;
    an invitation reminder falls after the invitation is sent (the invitation
    window is INVITATION_RESPONSE_DAYS, so an offset of minus that many days or
    earlier lands on or before the day the invitation goes out); the editor's
    revision phase has no reviewer to remind. It sits beside the model, below
    the ladder that runs the rules (``reminders``), because every save asks it.
    """
    problems: dict[str, list[str]] = {}
    if rule.max_times is None or rule.max_times < 1:
        problems.setdefault("max_times", []).append("A rule must fire at least once.")
    elif rule.max_times > 1 and not rule.repeat_every_days:
        problems.setdefault("repeat_every_days", []).append(
            "To send more than once, say how many days apart (at least 1)."
        )
    window = settings.VETTED.get("INVITATION_RESPONSE_DAYS", 2)
    if rule.phase == Phase.INVITATION and rule.offset_days is not None and rule.offset_days <= -window:
        problems.setdefault("offset_days", []).append(
            f"Invitations are answered within {window} day(s), so a reminder {-rule.offset_days} "
            "day(s) before the deadline would come on or before the day of the invitation itself. "
            f"Use an offset of {-window + 1} or later."
        )
    if rule.phase == Phase.REVISION and rule.recipient == RuleRecipient.REVIEWER:
        problems.setdefault("recipient", []).append(
            "While the editor revises there is no reviewer to remind; "
            "choose the editor or the managing editor."
        )
    return problems
