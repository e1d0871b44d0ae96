"""What the public site needs beyond articles: the editorial policy text and readers'
feedback on an article."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone

from articles.models import Article, ArticleVersion
from core.display import loaded


class EditorialPolicy(models.Model):
    """One edition of the editorial policy. Editions are added, never edited, so
    the policy a reader saw on a given day can always be shown again."""

    body = models.TextField(help_text="Markdown. Start headings with # (shown below the page title).")
    change_note = models.CharField(
        max_length=300, blank=True, help_text="What changed in this edition (for the record)."
    )
    published_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-published_at", "-pk"]
        verbose_name = "editorial policy edition"
        verbose_name_plural = "editorial policy"

    def __str__(self) -> str:
        return f"Editorial policy of {timezone.localtime(self.published_at):%Y-%m-%d %H:%M}"

    @classmethod
    def current(cls) -> EditorialPolicy | None:
        """The edition in force: the latest one whose publication time has come."""
        return cls.objects.filter(published_at__lte=timezone.now()).first()


class FeedbackKind(models.TextChoices):
    QUESTION = "question", "A follow-up question"
    PROBLEM = "problem", "A problem with the article"


class FeedbackStatus(models.TextChoices):
    NEW = "new", "New"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    CORRECTED = "corrected", "Corrected"
    DISMISSED = "dismissed", "Dismissed"


class Feedback(models.Model):
    """A reader's question or problem report about the version they read."""

    article = models.ForeignKey(Article, on_delete=models.PROTECT, related_name="feedback")
    version = models.ForeignKey(ArticleVersion, on_delete=models.PROTECT, related_name="+")
    audience = models.CharField(max_length=16, blank=True, help_text="The audience version the reader read.")
    kind = models.CharField(max_length=16, choices=FeedbackKind.choices)
    message = models.TextField()
    email = models.EmailField(blank=True, help_text="Given by the reader to get an answer; optional.")
    status = models.CharField(max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.NEW)
    dismissal_reason = models.TextField(blank=True, help_text="Required when dismissing.")
    handled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    handled_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at"]
        verbose_name_plural = "feedback"
        indexes = [models.Index(fields=["status", "-created_at"], name="feedback_status_created")]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="dismissed") | ~Q(dismissal_reason=""),
                name="feedback_dismissal_needs_reason",
            )
        ]

    def __str__(self) -> str:
        article, version = loaded(self, "article"), loaded(self, "version")
        on = article.slug if isinstance(article, Article) else f"article #{self.article_id}"
        number = (
            f"v{version.number}" if isinstance(version, ArticleVersion) else f"version #{self.version_id}"
        )
        return f"{self.get_kind_display()} on {on} {number}"

    def clean(self) -> None:
        super().clean()
        if self.status == FeedbackStatus.DISMISSED and not self.dismissal_reason.strip():
            raise ValidationError({"dismissal_reason": "Say why this feedback is dismissed."})
