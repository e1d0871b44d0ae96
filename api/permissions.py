"""Who sees what through the API.

Object-level visibility mirrors the roles in ``articles.access``: a managing
editor sees every article, anyone else the articles they own (editors and
integration clients). Articles outside that are answered 404, not 403, so ids
and slugs cannot be probed. What a person may *do* is never decided here:
the domain functions refuse it with ``NotPermitted``.
"""

from __future__ import annotations

from django.contrib.auth.models import User
from django.http import Http404
from rest_framework.exceptions import NotAuthenticated
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.views import APIView

from articles.access import visible_articles
from articles.models import Article
from core.actor import Person, signed_in


def signed_in_user(request: Request) -> User:
    """The account behind a request to a view that requires one (IsAuthenticated, every view but
    the public ones): what a foreign key to a person takes. A 401 otherwise, as that check gives."""
    user = signed_in(request.user)
    if user is None:
        raise NotAuthenticated()
    return user


def article_or_404(user: Person, slug: str, *, for_update: bool = False) -> Article:
    queryset = visible_articles(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    article = queryset.filter(slug=slug).first()
    if article is None:
        raise Http404("No article here, or it is not yours to see.")
    return article


class CanViewAudit(BasePermission):
    message = "Only managing editors see the audit trail."

    def has_permission(self, request: Request, view: APIView) -> bool:
        return bool(request.user and request.user.has_perm("audit.view_auditevent"))
