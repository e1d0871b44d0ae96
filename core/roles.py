"""Who someone is with respect to an article, and the permissions those roles rest on.

The workflow's checks are all phrased in these roles (``reviews.roles.roles_for`` says which
a person has for one article); the roles in turn rest on the permissions below, which the role
groups of ``accounts.roles`` bundle.
"""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    EDITOR = "editor"  # the article's owner, allowed to draft
    MANAGING_EDITOR = "managing_editor"
    REVIEWER = "reviewer"  # a board member with an accepted assignment on the version under review
    SYSTEM = "system"  # scheduled jobs and other work no person triggers


# The article's editor or any managing editor: who edits a draft, withdraws, revises, discards.
EDITING_ROLES: frozenset[Role] = frozenset({Role.EDITOR, Role.MANAGING_EDITOR})


# The workflow's permissions, as ``user.has_perm`` takes them (``app_label.codename``). They are
# declared on ``articles.Article`` and stored in the database under that app label: neither part
# may change without a data migration.
PERMISSIONS_APP_LABEL = "articles"
DRAFT_ARTICLE = "articles.draft_article"  # start articles, edit and submit one's own drafts
PUBLISH_ARTICLE = "articles.publish_article"  # publish an approved article (with an editing role)
MANAGE_ARTICLES = "articles.manage_articles"  # every article: assign, decide, archive
REVIEW_ARTICLE = "articles.review_article"  # sign reviews as a board member


def split_permission(permission: str) -> tuple[str, str]:
    """``("articles", "draft_article")`` for ``"articles.draft_article"``: the two columns the
    permission is stored under (a ``Permission`` row's content type app label and codename)."""
    app_label, _, codename = permission.partition(".")
    return app_label, codename
