"""Who someone is with respect to one article: the roles the workflow's checks are phrased in.

The editing roles (the article's editor, a managing editor) rest on permissions and ownership
alone (``articles.access.editing_roles_for``); the reviewer role needs an accepted assignment,
which is why this lives in ``reviews`` rather than ``articles``.
"""

from __future__ import annotations

from django.db.models import OuterRef, Subquery

from articles.access import editing_roles_for
from articles.models import Article, ArticleVersion
from core.actor import Actor, signed_in
from core.roles import REVIEW_ARTICLE, Role

from .models import AssignmentStatus, ReviewAssignment


def roles_for(user: Actor, article: Article) -> set[Role]:
    """Every role ``user`` holds on ``article`` now (``{Role.SYSTEM}`` for the system)."""
    roles = editing_roles_for(user, article)
    if (
        user is not None
        and user.is_authenticated
        and user.is_active
        and user.has_perm(REVIEW_ARTICLE)
        and has_open_assignment(user, article)
    ):
        roles.add(Role.REVIEWER)
    return roles


def has_open_assignment(user: Actor, article: Article) -> bool:
    """True when ``user`` has an accepted assignment on the article's current round.

    :func:`roles_for` grants the REVIEWER role on this, which is what lets a review's decision
    move the article (approve / request changes). The current round is the latest submitted
    version's: an assignment from an earlier round, a completed, declined or cancelled one never
    counts.
    """
    account = signed_in(user)
    if account is None:
        # Neither the system nor someone signed out is a reviewer (and neither is a user row
        # to filter by).
        return False
    current = (
        ArticleVersion.objects.filter(article=OuterRef("article"), frozen_at__isnull=False)
        .order_by("-number")
        .values("pk")[:1]
    )
    return ReviewAssignment.objects.filter(
        article=article,
        reviewer__user=account,
        status=AssignmentStatus.ACCEPTED,
        version=Subquery(current),
    ).exists()
