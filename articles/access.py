"""Who may see and edit an article, from ownership and permissions alone (the roles and
permission names are ``core.roles``'). The reviewer role needs an assignment, so the full
``roles_for`` is ``reviews.roles``'; drafting needs only the editing roles, answered here."""

from __future__ import annotations

from django.db.models import QuerySet

from core.actor import Actor, Person
from core.roles import DRAFT_ARTICLE, EDITING_ROLES, MANAGE_ARTICLES, Role

from .models import Article


def editing_roles_for(user: Actor, article: Article) -> set[Role]:
    """The roles ``user`` holds on ``article`` without any review assignment: the article's
    editor, a managing editor (``{Role.SYSTEM}`` for the system, nothing for the anonymous)."""
    if user is None:
        return {Role.SYSTEM}
    if not user.is_authenticated or not user.is_active:
        return set()
    roles: set[Role] = set()
    if article.owner_id == user.pk and user.has_perm(DRAFT_ARTICLE):
        roles.add(Role.EDITOR)
    if user.has_perm(MANAGE_ARTICLES):
        roles.add(Role.MANAGING_EDITOR)
    return roles


def can_create_articles(user: Person) -> bool:
    """Editors and integration clients start articles; managing editors assign and decide."""
    return user.has_perm(DRAFT_ARTICLE)


def can_edit_draft(user: Actor, article: Article) -> bool:
    return bool(editing_roles_for(user, article) & EDITING_ROLES)


def visible_articles(user: Person, articles: QuerySet[Article] | None = None) -> QuerySet[Article]:
    """The articles a staff page, the admin or the API may show this person: every one for a
    managing editor, their own for anyone else (editors, integration clients).

    ``articles`` is the queryset to narrow (the admin's own); by default, every article."""
    if articles is None:
        articles = Article.objects.select_related("specialty", "owner", "published_version")
    if not user.is_authenticated or not user.is_active:
        return articles.none()
    if user.has_perm(MANAGE_ARTICLES):
        return articles
    return articles.filter(owner=user)
