"""Assigning board members to submitted versions and the reviewer's answers."""

from __future__ import annotations

from articles.models import Article

from .models import AssignmentStatus, ReviewAssignment


def has_open_assignment(user, article: Article) -> bool:
    """True when ``user`` has accepted a review of the article's version under review."""
    return ReviewAssignment.objects.filter(
        article=article, reviewer__user=user, status=AssignmentStatus.ACCEPTED
    ).exists()
