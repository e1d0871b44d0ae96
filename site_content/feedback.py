"""Readers' feedback: taking it in and working through it."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils import timezone

from articles.models import Article, ArticleVersion
from core.actor import Actor, signed_in

from .models import Feedback, FeedbackStatus

MESSAGE_MAX_LENGTH = 5000


def submit_feedback(
    *,
    article: Article | int,
    version: ArticleVersion | int,
    kind: str,
    message: str,
    email: str = "",
    audience: str = "",
) -> Feedback:
    """Store a reader's question or problem report as new feedback."""
    message = message.strip()
    if not message:
        raise ValidationError({"message": "Write your question or the problem you found."})
    if len(message) > MESSAGE_MAX_LENGTH:
        raise ValidationError({"message": f"Please keep it under {MESSAGE_MAX_LENGTH} characters."})
    feedback = Feedback(
        article_id=article if isinstance(article, int) else article.pk,
        version_id=version if isinstance(version, int) else version.pk,
        kind=kind,
        message=message,
        email=email.strip(),
        audience=audience,
    )
    feedback.full_clean()
    feedback.save()
    return feedback


def set_feedback_status(feedback: Feedback, status: str, *, by: Actor, reason: str = "") -> Feedback:
    """Move feedback along the queue; dismissing needs a reason readers' trust depends on."""
    if status not in FeedbackStatus.values:
        raise ValidationError({"status": f"Unknown status {status!r}."})
    feedback.status = status
    if status == FeedbackStatus.DISMISSED:
        feedback.dismissal_reason = reason.strip()
    feedback.handled_by = signed_in(by)
    feedback.handled_at = timezone.now()
    feedback.full_clean()
    feedback.save()
    return feedback
