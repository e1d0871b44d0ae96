"""Who sees what through the API.

Object-level visibility mirrors the roles in ``articles.access``: a managing
editor sees every article, anyone else the articles they own (editors and
integration clients). Articles outside that are answered 404, not 403, so ids
and slugs cannot be probed. What a person may *do* is never decided here:
the domain functions refuse it with ``NotPermitted``.
"""

from __future__ import annotations

from django.http import Http404
from rest_framework.permissions import BasePermission

from articles.access import visible_articles
from articles.models import Article


def article_or_404(user, slug: str, *, for_update: bool = False) -> Article:
    queryset = visible_articles(user)
    if for_update:
        queryset = queryset.select_for_update(of=("self",))
    article = queryset.filter(slug=slug).first()
    if article is None:
        raise Http404("No article here, or it is not yours to see.")
    return article


class CanViewAudit(BasePermission):
    message = "Only managing editors see the audit trail."

    def has_permission(self, request, view) -> bool:
        return bool(request.user and request.user.has_perm("audit.view_auditevent"))
