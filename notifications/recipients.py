"""Who is who for an article: the people notifications and reminders go to."""

from __future__ import annotations

from collections.abc import Iterable

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission, User
from django.db.models import Q, QuerySet

from articles.models import Article, ArticleVersion, Specialty
from core.roles import MANAGE_ARTICLES, split_permission
from reviews.models import AssignmentStatus, ReviewAssignment

from .models import StaffProfile


def managing_editors() -> QuerySet[User]:
    """Active users holding the manage permission, through a group or directly.

    Superusers are not included just for being superusers: the admin account
    would otherwise receive every message in the system.
    """
    User = get_user_model()
    app_label, codename = split_permission(MANAGE_ARTICLES)
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
    if perm is None:
        return User.objects.none()
    holders = User.objects.filter(Q(groups__permissions=perm) | Q(user_permissions=perm)).values("pk")
    return User.objects.filter(is_active=True, pk__in=holders)


def managing_editors_for(specialty: Specialty | int) -> QuerySet[User]:
    """Managing editors of a specialty: those who chose it, and those who chose none (all)."""
    specialty_id = specialty.pk if isinstance(specialty, Specialty) else specialty
    limited = StaffProfile.objects.filter(specialties__isnull=False).values("user_id")
    covering = StaffProfile.objects.filter(specialties__pk=specialty_id).values("user_id")
    return managing_editors().filter(Q(pk__in=covering) | ~Q(pk__in=limited))


def specialties_of(user: User) -> list[int] | None:
    """The specialty ids a managing editor looks after, or None for all of them."""
    ids = list(StaffProfile.objects.filter(user=user).values_list("specialties__pk", flat=True))
    ids = [i for i in ids if i is not None]
    return ids or None


def reviewers_of_version(version: ArticleVersion | None) -> list[User]:
    """Board members who took on the review of this version (accepted or done)."""
    if version is None:
        return []
    rows = ReviewAssignment.objects.filter(
        version=version, status__in=[AssignmentStatus.ACCEPTED, AssignmentStatus.COMPLETED]
    ).select_related("reviewer__user")
    return _unique_users(a.reviewer.user for a in rows)


def previous_round_reviewers(article: Article, before_version: int) -> list[User]:
    """Who completed a review of the latest earlier version that was reviewed."""
    done = ReviewAssignment.objects.filter(
        article=article, status=AssignmentStatus.COMPLETED, version__number__lt=before_version
    )
    last = done.order_by("-version__number").values_list("version__number", flat=True).first()
    if last is None:
        return []
    return _unique_users(
        a.reviewer.user for a in done.filter(version__number=last).select_related("reviewer__user")
    )


def _unique_users(users: Iterable[User]) -> list[User]:
    seen: dict[int, User] = {}
    for user in users:
        seen.setdefault(user.pk, user)
    return list(seen.values())
