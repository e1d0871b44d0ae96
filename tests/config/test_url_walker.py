"""Every URL of the project, asked by every role: who may see what, in one table.

The walker reads the project's URL patterns from ``django.urls.get_resolver()`` and fails, naming
the pattern, when one has no row below: a new view cannot be added without saying who may see it.
It lives beside ``config/urls.py``, the URLconf it walks. Each row fills the pattern from real
objects (``url_world.py``) and states the exact answer for each role: 200, a redirect (to the
login page, or elsewhere), 401 (API without credentials), 403, 404 (an object this person may not
know exists), 405 (a POST-only endpoint asked with GET). No answer may be a 500. URLs that change
something are also sent, with a POST (PUT for the API draft), by each role that must be refused:
the refusal code is asserted and the database must be exactly as before.

The Django admin's generated URLs (six per registered model) come from a smaller table: for each
model, what each staff role gets on its list, add, change, history and delete pages; everyone who
is not staff is sent to the admin's login page, whatever the URL.

The per-app tests (tests/api/test_permissions.py, tests/desk/reviews/test_access.py, ...) check
what each page does for the people allowed in; this one only checks who gets in.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
from django import urls
from django.conf import settings
from django.contrib import admin
from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db import transaction
from django.test import Client, override_settings
from django.test.client import ClientHandler
from django.urls import URLPattern, URLResolver, get_resolver, resolve, reverse
from django.urls.resolvers import RegexPattern

from api.models import ApiToken
from articles.models import Article, ArticleVersion
from audit.models import AuditEvent
from notifications.models import Notification
from reviews.models import BoardMember, CommentResponse, ConflictOfInterest, Review, ReviewAssignment
from site_content.models import Feedback
from tests import factories
from tests.api.helpers import ALL_CHECKED
from tests.config.url_world import ROLES, STAFF_ROLES, World, build_world
from tests.factories import PASSWORD
from webhooks.models import Endpoint, WebhookMessage

FAST_HASHERS = [
    "django.contrib.auth.hashers.MD5PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]


# --- what an answer may be ---------------------------------------------------------------------


class _Login:
    """302 to the site's login page, carrying the asked path as ``next``."""

    login_url = settings.LOGIN_URL

    def __repr__(self) -> str:
        return f"302 to {self.login_url}?next=…"


class _AdminLogin(_Login):
    login_url = "/admin/login/"


LOGIN = _Login()
ADMIN_LOGIN = _AdminLogin()


@dataclass(frozen=True)
class Redirect:
    """302 to exactly this path (not the login page): a page that sends people on."""

    to: str | Callable[[World], str]

    def target(self, world: World) -> str:
        return self.to(world) if callable(self.to) else self.to

    def __repr__(self) -> str:
        return f"302 to {self.to if isinstance(self.to, str) else '…'}"


Expected = int | _Login | Redirect
L, AL = LOGIN, ADMIN_LOGIN


@dataclass(frozen=True)
class Case:
    """One pattern filled one way, and what each role gets from it."""

    key: str  # the pattern's name, or its route when it has none
    path: Callable[[World], str]
    get: tuple[Expected, ...]  # one per role, in ROLES order
    variant: str = ""
    head: bool = False  # also asked with HEAD: the same answer, no body
    refused: dict[str, Expected] = field(default_factory=dict)  # role -> answer to an unsafe request
    method: str = "post"
    body: dict[str, Any] | Callable[[World], dict[str, Any]] | None = None
    json: bool = False

    @property
    def id(self) -> str:
        return f"{self.key}[{self.variant}]" if self.variant else self.key


def url(name: str, *args: Callable[[World], Any], query: str = "") -> Callable[[World], str]:
    """The path of a named pattern, its arguments read from the world."""
    return lambda w: reverse(name, args=[arg(w) for arg in args]) + query


def fixed(path: str) -> Callable[[World], str]:
    return lambda w: path


# Arguments, read from the world.
def DRAFT(w):
    return w.draft.slug


def UNDER_REVIEW(w):
    return w.under_review.slug


def CHANGES(w):
    return w.changes.slug


def APPROVED(w):
    return w.approved.slug


def PUBLISHED(w):
    return w.published.slug


def ASSIGNMENT(w):
    return w.pk("assignment")


def COMMENT(w):
    return w.pk("comment")


def NOTIFICATION(w):
    return w.pk("notification")


def MEMBER(w):
    return w.pk("reviews.boardmember")


def ENDPOINT(w):
    return w.pk("webhooks.endpoint")


def OTHER_CLIENTS_ENDPOINT(w):
    return w.pk("other_client_endpoint")


def WEBHOOK_DELIVERY(w):
    return w.pk("webhooks.webhookmessage")


def INTEGRATION_TOKEN(w):
    return w.pk("api.apitoken")


def ONE(w):
    return 1


def TWO(w):
    return 2


# Rows of the same shape.
#                  anon owner other managing reviewer other_rev integration superuser
EVERYONE_200 = (200, 200, 200, 200, 200, 200, 200, 200)
SIGNED_IN_200 = (L, 200, 200, 200, 200, 200, 200, 200)
# The editor's desk: editors and managing editors, and an integration client (it drafts);
# an article is seen by its owner and managing editors, and is "not there" for other drafters.
DESK = (L, 200, 200, 200, 403, 403, 200, 200)
DESK_ARTICLE = (L, 200, 404, 200, 403, 403, 404, 200)
DESK_ARTICLE_REFUSED = {
    "anonymous": L,
    "other_editor": 404,
    "reviewer": 403,
    "other_reviewer": 403,
    "integration": 404,
}
# Managing editors' pages (the queue, assigning, the audit trail).
MANAGERS = (L, 403, 403, 200, 403, 403, 403, 200)
MANAGERS_POST_ONLY = (L, 403, 403, 405, 403, 403, 403, 405)
NOT_MANAGERS_REFUSED = {
    "anonymous": L,
    "owner": 403,
    "other_editor": 403,
    "reviewer": 403,
    "other_reviewer": 403,
    "integration": 403,
}
# A reviewer's own assignment; board members without it get 404, people without a board seat 403.
OWN_ASSIGNMENT = (L, 403, 403, 403, 200, 404, 403, 403)
OWN_ASSIGNMENT_REFUSED = {
    "anonymous": L,
    "owner": 403,
    "other_editor": 403,
    "managing": 403,
    "other_reviewer": 404,
    "integration": 403,
    "superuser": 403,  # has every permission, but no board seat: a signature is a person's
}
POST_ONLY = (405,) * 8
# The JSON API: 401 without credentials; an article is the owner's and managing editors' only.
API_SIGNED_IN = (401, 200, 200, 200, 200, 200, 200, 200)
API_POST_ONLY = (401, 405, 405, 405, 405, 405, 405, 405)
API_ARTICLE = (401, 200, 404, 200, 404, 404, 404, 200)
API_HIDDEN = {
    "anonymous": 401,
    "other_editor": 404,
    "reviewer": 404,
    "other_reviewer": 404,
    "integration": 404,
}
API_NOT_ASSIGNED = {
    "anonymous": 401,
    "owner": 403,
    "other_editor": 403,
    "managing": 403,
    "other_reviewer": 403,
    "integration": 403,
    "superuser": 403,
}
REASON = {"reason": "Out of scope for this site."}
# Webhook endpoints (webhooks.endpoints): managing editors do everything; an integration client
# reads its own endpoints and their deliveries (another client's is not there), changes nothing.
API_WEBHOOKS = (401, 403, 403, 200, 403, 403, 200, 200)
API_WEBHOOKS_REFUSED = {
    "anonymous": 401,
    "owner": 403,
    "other_editor": 403,
    "reviewer": 403,
    "other_reviewer": 403,
    "integration": 403,
}


CASES: list[Case] = [
    # --- probes ---
    Case("healthz", fixed("/healthz"), EVERYONE_200, head=True),
    Case("readyz", fixed("/readyz"), EVERYONE_200, head=True),
    # --- accounts ---
    Case("accounts:login", url("accounts:login"), EVERYONE_200),
    Case("accounts:logout", url("accounts:logout"), POST_ONLY),
    Case(
        "accounts:start",
        url("accounts:start"),
        (
            Redirect("/accounts/login/"),
            Redirect("/desk/articles/"),
            Redirect("/desk/articles/"),
            Redirect("/desk/articles/"),
            Redirect("/desk/inbox/"),
            Redirect("/desk/inbox/"),
            Redirect("/desk/articles/"),
            Redirect("/desk/articles/"),
        ),
    ),
    # --- the editor's desk ---
    Case("desk:dashboard", url("desk:dashboard"), DESK),
    # Managing editors see every article but do not start one (no drafting permission).
    Case(
        "desk:new",
        url("desk:new"),
        (L, 200, 200, 403, 403, 403, 200, 200),
        refused={"anonymous": L, "managing": 403, "reviewer": 403, "other_reviewer": 403},
        body=lambda w: {"title": "A new article", "specialty": w.draft.specialty_id},
    ),
    Case("desk:article", url("desk:article", UNDER_REVIEW), DESK_ARTICLE),
    Case("desk:article", url("desk:article", DRAFT), DESK_ARTICLE, variant="draft"),
    Case(
        "desk:action",
        url("desk:action", UNDER_REVIEW),
        POST_ONLY,
        refused=DESK_ARTICLE_REFUSED,
        body={"action": "withdraw"},
    ),
    Case(
        "desk:edit",
        url("desk:edit", DRAFT),
        DESK_ARTICLE,
        refused=DESK_ARTICLE_REFUSED,
        body={"revision": "1", "title": "Taken over", "save": "1"},
    ),
    Case(
        "desk:preview",
        url("desk:preview", DRAFT),
        POST_ONLY,
        refused=DESK_ARTICLE_REFUSED,
        body={"body": "Some *text*."},
    ),
    Case("desk:versions", url("desk:versions", UNDER_REVIEW), DESK_ARTICLE),
    Case("desk:diff", url("desk:diff", PUBLISHED, query="?a=1&b=2"), DESK_ARTICLE),
    Case("desk:changes", url("desk:changes", CHANGES), DESK_ARTICLE),
    Case(
        "desk:answer",
        url("desk:answer", CHANGES, COMMENT),
        POST_ONLY,
        refused=DESK_ARTICLE_REFUSED,
        body={"status": "accepted", "reason": "Done."},
    ),
    # --- reviewing: the reviewer's desk ---
    Case("reviews:desk", url("reviews:desk"), (L, 403, 403, 403, 200, 200, 403, 403)),
    Case("reviews:assignment", url("reviews:assignment", ASSIGNMENT), OWN_ASSIGNMENT),
    Case(
        "reviews:accept",
        url("reviews:accept", ASSIGNMENT),
        (L, 403, 403, 403, 405, 405, 403, 403),
        refused=OWN_ASSIGNMENT_REFUSED,
    ),
    Case(
        "reviews:decline",
        url("reviews:decline", ASSIGNMENT),
        OWN_ASSIGNMENT,
        refused=OWN_ASSIGNMENT_REFUSED,
        body={"reason": "Away."},
    ),
    Case(
        "reviews:declare",
        url("reviews:declare", ASSIGNMENT),
        OWN_ASSIGNMENT,
        refused=OWN_ASSIGNMENT_REFUSED,
        body={"category": "none"},
    ),
    Case(
        "reviews:request-extension",
        url("reviews:request-extension", ASSIGNMENT),
        OWN_ASSIGNMENT,
        refused=OWN_ASSIGNMENT_REFUSED,
        body={"until": "2030-01-01T00:00", "reason": "Busy."},
    ),
    Case(
        "reviews:profile",
        url("reviews:profile"),
        (L, 403, 403, 403, 200, 200, 403, 403),
        refused={
            "anonymous": L,
            "owner": 403,
            "other_editor": 403,
            "managing": 403,
            "integration": 403,
            "superuser": 403,
        },
        body={"action": "bio", "bio": "Not a board member."},
    ),
    # --- reviewing: managing editors ---
    Case("reviews:queue", url("reviews:queue"), MANAGERS),
    Case("reviews:metrics", url("reviews:metrics"), MANAGERS),
    Case(
        "reviews:assign",
        url("reviews:assign", UNDER_REVIEW),
        MANAGERS,
        refused=NOT_MANAGERS_REFUSED,
        body={"member": "1"},
    ),
    Case("reviews:record", url("reviews:record", PUBLISHED), MANAGERS),
    Case(
        "reviews:cancel",
        url("reviews:cancel", ASSIGNMENT),
        MANAGERS_POST_ONLY,
        refused=NOT_MANAGERS_REFUSED,
        body=REASON,
    ),
    Case(
        "reviews:decide-extension",
        url("reviews:decide-extension", ASSIGNMENT),
        MANAGERS_POST_ONLY,
        refused=NOT_MANAGERS_REFUSED,
        body={"decision": "grant"},
    ),
    Case(
        "reviews:override",
        url("reviews:override", ASSIGNMENT),
        MANAGERS_POST_ONLY,
        refused=NOT_MANAGERS_REFUSED,
        body=REASON,
    ),
    # --- the audit trail ---
    Case("audit:events", url("audit:events"), MANAGERS),
    Case("audit:article-events", url("audit:article-events", UNDER_REVIEW), MANAGERS),
    # --- the inbox ---
    Case("inbox:list", url("inbox:list"), SIGNED_IN_200),
    Case(
        "inbox:read",
        url("inbox:read", NOTIFICATION),
        POST_ONLY,
        # Someone else's notification is left alone, with the same answer as a missing one.
        refused={
            "anonymous": L,
            **{
                role: Redirect("/desk/inbox/")
                for role in (
                    "other_editor",
                    "managing",
                    "reviewer",
                    "other_reviewer",
                    "integration",
                    "superuser",
                )
            },
        },
    ),
    Case("inbox:read-all", url("inbox:read-all"), POST_ONLY, refused={"anonymous": L}),
    # --- the public site ---
    Case("public:home", url("public:home"), (Redirect("/articles/"),) * 8, head=True),
    Case("public:index", url("public:index"), EVERYONE_200, head=True),
    Case("public:article", url("public:article", PUBLISHED), EVERYONE_200, head=True),
    Case("public:article", url("public:article", APPROVED), (404,) * 8, variant="unpublished", head=True),
    Case("public:history", url("public:history", PUBLISHED), EVERYONE_200, head=True),
    Case("public:history", url("public:history", DRAFT), (404,) * 8, variant="unpublished"),
    Case("public:version", url("public:version", PUBLISHED, ONE), EVERYONE_200, head=True),
    Case(
        "public:version",
        url("public:version", PUBLISHED, TWO),
        (Redirect("/articles/walk-published/"),) * 8,
        variant="current",
    ),
    Case("public:version", url("public:version", UNDER_REVIEW, ONE), (404,) * 8, variant="unpublished"),
    Case("public:feedback", url("public:feedback", PUBLISHED), EVERYONE_200, head=True),
    Case("public:feedback", url("public:feedback", DRAFT), (404,) * 8, variant="unpublished"),
    Case("public:verify", url("public:verify", PUBLISHED), EVERYONE_200, head=True),
    Case("public:verify", url("public:verify", APPROVED), (404,) * 8, variant="unpublished"),
    Case("public:verify-json", url("public:verify-json", PUBLISHED), EVERYONE_200, head=True),
    Case("public:verify-json", url("public:verify-json", DRAFT), (404,) * 8, variant="unpublished"),
    Case("public:board", url("public:board"), EVERYONE_200, head=True),
    Case("public:board-member", url("public:board-member", MEMBER), EVERYONE_200, head=True),
    Case("public:editorial-policy", url("public:editorial-policy"), EVERYONE_200, head=True),
    # The world seals nothing into the review log: there is no checkpoint to show yet.
    Case("public:checkpoint", url("public:checkpoint"), (404,) * 8, head=True),
    Case("public:checkpoint-at", fixed("/review-log/checkpoints/1"), (404,) * 8, head=True),
    Case("public:log-key", url("public:log-key"), EVERYONE_200, head=True),
    Case("public:feed", url("public:feed"), EVERYONE_200, head=True),
    Case("public:sitemap", url("public:sitemap"), EVERYONE_200, head=True),
    # --- the JSON API ---
    Case("api:token", url("api:token"), POST_ONLY),
    # Everyone lists their own tokens; the integration client's token is its own and managing editors'.
    Case("api:tokens", url("api:tokens"), API_SIGNED_IN),
    Case(
        "api:token-revoke",
        url("api:token-revoke", INTEGRATION_TOKEN),
        API_POST_ONLY,
        refused={
            "anonymous": 401,
            **dict.fromkeys(("owner", "other_editor", "reviewer", "other_reviewer"), 404),
        },
        body={},
        json=True,
    ),
    Case("api:articles", url("api:articles"), API_SIGNED_IN),
    Case(
        "api:batch",
        url("api:batch"),
        API_POST_ONLY,
        refused={"anonymous": 401},
        body={"drafts": []},
        json=True,
    ),
    Case("api:article", url("api:article", UNDER_REVIEW), API_ARTICLE),
    Case(
        "api:draft",
        url("api:draft", DRAFT),
        API_ARTICLE,
        refused=API_HIDDEN,
        method="put",
        body={"title": "Taken over", "revision": 1},
        json=True,
    ),
    Case(
        "api:article-submit",
        url("api:article-submit", DRAFT),
        API_POST_ONLY,
        # Managing editors (and so a superuser) never submit someone else's draft.
        refused={**API_HIDDEN, "managing": 403, "superuser": 403},
        body={},
        json=True,
    ),
    Case(
        "api:article-withdraw",
        url("api:article-withdraw", UNDER_REVIEW),
        API_POST_ONLY,
        refused=API_HIDDEN,
        body={},
        json=True,
    ),
    Case(
        "api:article-publish",
        url("api:article-publish", APPROVED),
        API_POST_ONLY,
        refused=API_HIDDEN,
        body={},
        json=True,
    ),
    Case(
        "api:article-archive",
        url("api:article-archive", PUBLISHED),
        API_POST_ONLY,
        refused={**API_HIDDEN, "owner": 403},
        body=REASON,
        json=True,
    ),
    Case(
        "api:article-reject",
        url("api:article-reject", UNDER_REVIEW),
        API_POST_ONLY,
        refused={**API_HIDDEN, "owner": 403},
        body=REASON,
        json=True,
    ),
    Case(
        "api:article-return",
        url("api:article-return", UNDER_REVIEW),
        API_POST_ONLY,
        refused={**API_HIDDEN, "owner": 403},
        body=REASON,
        json=True,
    ),
    Case(
        "api:article-discard",
        url("api:article-discard", DRAFT),
        API_POST_ONLY,
        refused=API_HIDDEN,
        body={},
        json=True,
    ),
    Case(
        "api:article-revise",
        url("api:article-revise", PUBLISHED),
        API_POST_ONLY,
        refused=API_HIDDEN,
        body={},
        json=True,
    ),
    Case("api:versions", url("api:versions", UNDER_REVIEW), API_ARTICLE),
    Case("api:version", url("api:version", UNDER_REVIEW, ONE), API_ARTICLE),
    Case("api:diff", url("api:diff", PUBLISHED, TWO, query="?against=1"), API_ARTICLE),
    Case(
        "api:article-assignments",
        url("api:article-assignments", UNDER_REVIEW),
        (401, 403, 404, 200, 404, 404, 404, 200),
        refused={**API_HIDDEN, "owner": 403},
        body={"reviewer": "walk-reviewer2"},
        json=True,
    ),
    Case(
        "api:suggestions",
        url("api:suggestions", query="?article=walk-under-review"),
        (401, 403, 404, 200, 404, 404, 404, 200),
    ),
    Case("api:assignments", url("api:assignments"), API_SIGNED_IN),
    # Someone else's assignment is 403 here, as is a missing one (the desk page answers 404 to both).
    Case("api:assignment", url("api:assignment", ASSIGNMENT), (401, 403, 403, 200, 200, 403, 403, 200)),
    Case(
        "api:accept",
        url("api:accept", ASSIGNMENT),
        API_POST_ONLY,
        refused=API_NOT_ASSIGNED,
        body={},
        json=True,
    ),
    Case(
        "api:decline",
        url("api:decline", ASSIGNMENT),
        API_POST_ONLY,
        refused=API_NOT_ASSIGNED,
        body={"reason": "Away."},
        json=True,
    ),
    Case(
        "api:conflict",
        url("api:conflict", ASSIGNMENT),
        API_POST_ONLY,
        refused=API_NOT_ASSIGNED,
        body={"category": "none"},
        json=True,
    ),
    Case(
        "api:review",
        url("api:review", ASSIGNMENT),
        API_POST_ONLY,
        refused=API_NOT_ASSIGNED,
        body={"decision": "approve", "comments": "Fine.", "checklist": ALL_CHECKED, "password": PASSWORD},
        json=True,
    ),
    Case("api:audit", url("api:audit"), (401, 403, 403, 200, 403, 403, 403, 200)),
    Case("api:notifications", url("api:notifications"), API_SIGNED_IN),
    Case("api:public-articles", url("api:public-articles"), EVERYONE_200, head=True),
    Case("api:public-article", url("api:public-article", PUBLISHED), EVERYONE_200, head=True),
    Case("api:public-article", url("api:public-article", DRAFT), (404,) * 8, variant="unpublished"),
    Case(
        "api:webhooks",
        url("api:webhooks"),
        API_WEBHOOKS,
        refused=API_WEBHOOKS_REFUSED,
        body={
            "client": "walk-bot",
            "url": "https://93.184.215.14/hooks/other",
            "kinds": ["article.published"],
        },
        json=True,
    ),
    Case(
        "api:webhook",
        url("api:webhook", ENDPOINT),
        API_WEBHOOKS,
        refused=API_WEBHOOKS_REFUSED,
        method="patch",
        body={"active": False},
        json=True,
    ),
    Case(
        "api:webhook",
        url("api:webhook", ENDPOINT),
        API_WEBHOOKS,
        variant="delete",
        refused=API_WEBHOOKS_REFUSED,
        method="delete",
    ),
    Case(
        "api:webhook",
        url("api:webhook", OTHER_CLIENTS_ENDPOINT),
        (401, 403, 403, 200, 403, 403, 404, 200),
        variant="another client's",
        refused={**API_WEBHOOKS_REFUSED, "integration": 404},
        method="patch",
        body={"active": False},
        json=True,
    ),
    Case("api:webhook-deliveries", url("api:webhook-deliveries", ENDPOINT), API_WEBHOOKS),
    Case(
        "api:webhook-deliveries",
        url("api:webhook-deliveries", OTHER_CLIENTS_ENDPOINT),
        (401, 403, 403, 200, 403, 403, 404, 200),
        variant="another client's",
    ),
    Case(
        "api:webhook-resend",
        url("api:webhook-resend", ENDPOINT, WEBHOOK_DELIVERY),
        API_POST_ONLY,
        refused=API_WEBHOOKS_REFUSED,
        body={},
        json=True,
    ),
    Case("api:schema", url("api:schema"), EVERYONE_200),
    Case("api:docs", url("api:docs"), EVERYONE_200),
    Case("api/", fixed("/api/v1/no-such-endpoint/"), (404,) * 8),
]


# --- the admin ---------------------------------------------------------------------------------

TO_ADMIN_INDEX = Redirect("/admin/")
HIDDEN = TO_ADMIN_INDEX  # the admin's answer for an object it does not show you: "doesn't exist"


def _staff(
    owner: Expected, other: Expected, managing: Expected, superuser: Expected, *, others: Expected = AL
) -> tuple[Expected, ...]:
    """An admin row: the four staff roles as given, everyone else (by default) to the admin's login page."""
    given = dict(zip(STAFF_ROLES, (owner, other, managing, superuser), strict=True))
    return tuple(given.get(role, others) for role in ROLES)


SUPERUSER_ONLY = _staff(403, 403, 403, 200)
ALL_STAFF = _staff(200, 200, 200, 200)
MANAGERS_ADMIN = _staff(403, 403, 200, 200)
NOBODY = _staff(403, 403, 403, 403)


@dataclass(frozen=True)
class AdminAccess:
    changelist: tuple[Expected, ...]
    add: tuple[Expected, ...]
    change: tuple[Expected, ...]  # the object's page: read-only for those who may only view
    history: tuple[Expected, ...]
    delete: tuple[Expected, ...]


def _superuser_only(add: tuple = SUPERUSER_ONLY, delete: tuple = SUPERUSER_ONLY) -> AdminAccess:
    return AdminAccess(SUPERUSER_ONLY, add, SUPERUSER_ONLY, SUPERUSER_ONLY, delete)


def _managers_read_only() -> AdminAccess:
    return AdminAccess(MANAGERS_ADMIN, NOBODY, MANAGERS_ADMIN, MANAGERS_ADMIN, NOBODY)


# Model label -> who gets what. The object opened is the world's (``url_world.World.objects``):
# for articles and versions, the owner's draft, which another editor must not find.
ADMIN_MODELS: dict[str, AdminAccess] = {
    # Deactivated, never deleted: the audit trail names them (accounts/admin.py).
    "auth.group": _superuser_only(delete=NOBODY),
    "auth.user": _superuser_only(delete=NOBODY),
    "audit.auditevent": _managers_read_only(),
    "articles.specialty": AdminAccess(ALL_STAFF, MANAGERS_ADMIN, ALL_STAFF, ALL_STAFF, NOBODY),
    "articles.article": AdminAccess(
        ALL_STAFF,
        NOBODY,
        _staff(200, HIDDEN, 200, 200),
        _staff(200, HIDDEN, 200, 200),
        NOBODY,
    ),
    "articles.articleversion": AdminAccess(
        ALL_STAFF,
        NOBODY,
        _staff(200, HIDDEN, 200, 200),
        _staff(200, HIDDEN, 200, 200),
        NOBODY,
    ),
    "reviews.boardmember": AdminAccess(
        MANAGERS_ADMIN, MANAGERS_ADMIN, MANAGERS_ADMIN, MANAGERS_ADMIN, NOBODY
    ),
    "reviews.reviewassignment": _managers_read_only(),
    "reviews.review": _managers_read_only(),
    "reviews.publicationschedule": _managers_read_only(),
    # Managing editors read re-review flags and resolve one by hand (accounts/roles.py).
    "reviews.rereviewflag": AdminAccess(
        MANAGERS_ADMIN, SUPERUSER_ONLY, MANAGERS_ADMIN, MANAGERS_ADMIN, SUPERUSER_ONLY
    ),
    # Managing editors run the outbox (accounts/roles.py) and the reminder ladder (notifications/apps.py).
    "outbox.delivery": AdminAccess(MANAGERS_ADMIN, NOBODY, MANAGERS_ADMIN, MANAGERS_ADMIN, SUPERUSER_ONLY),
    "notifications.notification": _superuser_only(add=NOBODY),
    "notifications.reminderrule": AdminAccess(*(MANAGERS_ADMIN,) * 5),
    "notifications.notificationpreference": _superuser_only(),
    "notifications.staffprofile": AdminAccess(*(MANAGERS_ADMIN,) * 4, SUPERUSER_ONLY),
    "site_content.editorialpolicy": AdminAccess(
        MANAGERS_ADMIN, MANAGERS_ADMIN, MANAGERS_ADMIN, MANAGERS_ADMIN, NOBODY
    ),
    "site_content.feedback": AdminAccess(ALL_STAFF, NOBODY, ALL_STAFF, ALL_STAFF, NOBODY),
    "api.apitoken": AdminAccess(MANAGERS_ADMIN, MANAGERS_ADMIN, MANAGERS_ADMIN, MANAGERS_ADMIN, NOBODY),
    # Managing editors keep the endpoints; a delivery is re-sent (an action), never added or deleted.
    "webhooks.endpoint": AdminAccess(*(MANAGERS_ADMIN,) * 5),
    "webhooks.webhookmessage": AdminAccess(MANAGERS_ADMIN, NOBODY, MANAGERS_ADMIN, MANAGERS_ADMIN, NOBODY),
}

# App label -> who gets its index page (404 when no model of it is yours).
ADMIN_APPS: dict[str, tuple[Expected, ...]] = {
    "auth": _staff(404, 404, 404, 200),
    "audit": _staff(404, 404, 200, 200),
    "outbox": _staff(404, 404, 200, 200),
    "articles": ALL_STAFF,
    "reviews": _staff(404, 404, 200, 200),
    "notifications": _staff(404, 404, 200, 200),
    "site_content": ALL_STAFF,
    "api": _staff(404, 404, 200, 200),
    "webhooks": _staff(404, 404, 200, 200),
}


def _admin_object(label: str, kind: str, world: World) -> str:
    app, model = label.split(".")
    return reverse(f"admin:{app}_{model}_{kind}", args=[world.pk(label)])


def _admin_cases() -> list[Case]:
    cases = [
        Case("admin:index", url("admin:index"), ALL_STAFF),
        # Signed in without staff status: the form again, saying this account may not enter.
        Case("admin:login", url("admin:login"), _staff(*(TO_ADMIN_INDEX,) * 4, others=200)),
        # Logging out is a POST; someone not signed in to the admin is sent to its index.
        Case("admin:logout", url("admin:logout"), _staff(405, 405, 405, 405, others=TO_ADMIN_INDEX)),
        Case("admin:password_change", url("admin:password_change"), ALL_STAFF),
        Case("admin:password_change_done", url("admin:password_change_done"), ALL_STAFF),
        # Lists the users an article's owner may be: for whoever may view users in the admin.
        Case(
            "admin:autocomplete",
            url("admin:autocomplete", query="?app_label=articles&model_name=article&field_name=owner"),
            SUPERUSER_ONLY,
        ),
        Case("admin:jsi18n", url("admin:jsi18n"), ALL_STAFF),
        # No model has a public URL of its own (get_absolute_url): nothing to go to.
        Case(
            "admin:view_on_site",
            lambda w: reverse(
                "admin:view_on_site", args=[ContentType.objects.get_for_model(Article).pk, w.draft.pk]
            ),
            _staff(404, 404, 404, 404),
        ),
        Case(
            "admin:auth_user_password_change",
            lambda w: reverse("admin:auth_user_password_change", args=[w.users["owner"].pk]),
            SUPERUSER_ONLY,
        ),
        Case("admin/(?P<url>.*)$", fixed("/admin/no-such-page/"), _staff(404, 404, 404, 404)),
    ]
    for app_label, expected in ADMIN_APPS.items():
        cases.append(
            Case(
                "admin:app_list", url("admin:app_list", lambda w, a=app_label: a), expected, variant=app_label
            )
        )
    # The admin's object-level rule, also for changes: an editor's POSTs never reach another
    # editor's article (an action finds nothing selected; a version's page finds no version).
    non_staff_refused = {role: AL for role in ROLES if role not in STAFF_ROLES}
    cases += [
        Case(
            "admin:articles_article_changelist",
            url("admin:articles_article_changelist"),
            ADMIN_MODELS["articles.article"].changelist,
            variant="action",
            refused={**non_staff_refused, "other_editor": Redirect("/admin/articles/article/")},
            body=lambda w: {"action": "workflow_withdraw", "_selected_action": [w.under_review.pk]},
        ),
        Case(
            "admin:articles_articleversion_change",
            lambda w: _admin_object("articles.articleversion", "change", w),
            ADMIN_MODELS["articles.articleversion"].change,
            variant="save",
            refused={**non_staff_refused, "other_editor": HIDDEN},
            body={"title": "Taken over", "expected_revision": "1"},
        ),
    ]
    for label, access in ADMIN_MODELS.items():
        app, model = label.split(".")
        cases += [
            Case(
                f"admin:{app}_{model}_changelist", url(f"admin:{app}_{model}_changelist"), access.changelist
            ),
            Case(f"admin:{app}_{model}_add", url(f"admin:{app}_{model}_add"), access.add),
            *[
                Case(
                    f"admin:{app}_{model}_{kind}",
                    lambda w, label=label, kind=kind: _admin_object(label, kind, w),
                    getattr(access, kind),
                )
                for kind in ("change", "history", "delete")
            ],
            # The object's bare address, kept for old links: on to its page, for any staff member.
            Case(
                f"admin/{app}/{model}/<path:object_id>/",
                lambda w, label=label: _admin_object(label, "change", w).removesuffix("change/"),
                _staff(*[Redirect(lambda w, label=label: _admin_object(label, "change", w))] * 4),
            ),
        ]
    return cases


CASES += _admin_cases()


# --- the walk ----------------------------------------------------------------------------------


def _join(prefix: str, route: str) -> str:
    # As Django's resolver joins routes: a regex's leading ^ is dropped below the top level.
    return prefix + (route[1:] if prefix and route.startswith("^") else route)


def walk(resolver: URLResolver, prefix: str = "", namespace: str = "") -> list[str]:
    """Every pattern of the URLconf, as its name (``namespace:name``), or its route when unnamed."""
    keys = []
    for pattern in resolver.url_patterns:
        route = _join(prefix, str(pattern.pattern))
        if isinstance(pattern, URLResolver):
            inner = namespace
            if pattern.namespace:
                inner = f"{namespace}:{pattern.namespace}" if namespace else pattern.namespace
            keys += walk(pattern, route, inner)
        elif isinstance(pattern, URLPattern):
            if pattern.name:
                keys.append(f"{namespace}:{pattern.name}" if namespace else pattern.name)
            else:
                keys.append(route)
    return keys


def test_every_url_pattern_says_who_may_see_it():
    walked = walk(get_resolver())
    assert len(walked) == len(set(walked)), "two patterns share a name: the table cannot tell them apart"
    covered = {case.key for case in CASES}
    missing = [key for key in walked if key not in covered]
    assert not missing, (
        "URL patterns with no row in the walker's table (tests/config/test_url_walker.py):\n"
        + "\n".join(missing)
    )
    stale = sorted(covered - set(walked))
    assert not stale, "rows for URL patterns that no longer exist:\n" + "\n".join(stale)


def test_the_walk_finds_nested_and_unnamed_patterns():
    def view(request):
        raise AssertionError("never called")

    inner = ([urls.path("<int:pk>/", view, name="detail"), urls.path("raw/", view)], "inner")
    resolver = URLResolver(
        RegexPattern(r"^/"), [urls.path("top/", view, name="top"), urls.path("in/", urls.include(inner))]
    )

    assert walk(resolver) == ["top", "inner:detail", "in/raw/"]


def test_every_model_in_the_admin_has_a_row():
    registered = {model._meta.label_lower for model in admin.site._registry}
    assert registered == set(ADMIN_MODELS), "registered models and ADMIN_MODELS differ"
    assert {m._meta.app_label for m in admin.site._registry} == set(ADMIN_APPS)


# --- asking ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def _module_world(django_db_setup, django_db_blocker):
    # Built once per module inside a transaction rolled back at the end; each test runs in a
    # savepoint of it (the ``db`` fixture), so whatever one request changes is gone for the next.
    factories._password_hash()
    with django_db_blocker.unblock(), override_settings(PASSWORD_HASHERS=FAST_HASHERS), transaction.atomic():
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_module_world, db, settings) -> World:
    settings.PASSWORD_HASHERS = FAST_HASHERS
    # Throttle counters and cached public pages live in the cache: every request starts afresh.
    cache.clear()
    yield _module_world
    cache.clear()


@functools.cache
def _handler() -> ClientHandler:
    # Each new Client loads the middleware again, and WhiteNoise then scans the static files
    # (about 30 ms a client); the handler keeps no state between requests, so one serves all.
    return ClientHandler(enforce_csrf_checks=False)


def client_as(world: World, role: str, path: str) -> Client:
    client = Client()
    client.handler = _handler()
    user = world.users[role]
    if user is not None:
        client.force_login(user)
        if role == "integration" and path.startswith("/api/"):
            # An integration client calls the API with its token, as in production.
            _token, key = ApiToken.issue(user=user, name="walker request")
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def _path(case: Case, world: World) -> str:
    path = case.path(world)
    match = resolve(path.split("?")[0])
    key = match.view_name if match.url_name else match.route
    assert key == case.key, f"{path} reaches {key}, not the pattern of this row ({case.key})"
    return path


def check(response, expected: Expected, world: World, path: str, what: str) -> None:
    assert response.status_code != 500, f"{what}: 500"
    if isinstance(expected, _Login):
        assert response.status_code == 302, f"{what}: expected {expected!r}, got {response.status_code}"
        location = response["Location"]
        assert location.split("?")[0] == expected.login_url, (
            f"{what}: redirected to {location}, not the login page"
        )
        assert parse_qs(urlsplit(location).query).get("next") == [path], (
            f"{what}: the login page is not told to come back here ({location})"
        )
    elif isinstance(expected, Redirect):
        assert response.status_code == 302, f"{what}: expected {expected!r}, got {response.status_code}"
        assert response["Location"] == expected.target(world), f"{what}: redirected to {response['Location']}"
    else:
        assert response.status_code == expected, (
            f"{what}: expected {expected}, got {response.status_code}: {response.content[:200]!r}"
        )


def _params(cases: list[Case], select: Callable[[Case], list[tuple[str, Expected]]]):
    return [
        pytest.param(case, role, want, id=f"{case.id}-{role}")
        for case in cases
        for role, want in select(case)
    ]


@pytest.mark.parametrize(
    ("case", "role", "expected"), _params(CASES, lambda c: list(zip(ROLES, c.get, strict=True)))
)
def test_get(world, case, role, expected):
    path = _path(case, world)
    response = client_as(world, role, path).get(path)
    check(response, expected, world, path, f"GET {path} as {role}")


@pytest.mark.parametrize(
    ("case", "role", "expected"),
    _params([c for c in CASES if c.head], lambda c: list(zip(ROLES, c.get, strict=True))),
)
def test_head(world, case, role, expected):
    path = _path(case, world)
    response = client_as(world, role, path).head(path)
    check(response, expected, world, path, f"HEAD {path} as {role}")
    assert response.content == b"", f"HEAD {path} as {role} sent a body"


def snapshot() -> dict[str, Any]:
    """Enough of the database to see any change a refused request might have made."""
    return {
        "audit events": AuditEvent.objects.count(),
        "articles": list(
            Article.objects.order_by("pk").values_list("pk", "state", "updated_at", "published_version")
        ),
        "versions": list(
            ArticleVersion.objects.order_by("pk").values_list("pk", "revision", "title", "frozen_at")
        ),
        "assignments": list(
            ReviewAssignment.objects.order_by("pk").values_list(
                "pk", "status", "conflict_declared_at", "extension_status", "due_at"
            )
        ),
        "reviews": Review.objects.count(),
        "answers": CommentResponse.objects.count(),
        "members": list(BoardMember.objects.order_by("pk").values_list("pk", "bio")),
        "conflicts": ConflictOfInterest.objects.count(),
        "notifications": list(Notification.objects.order_by("pk").values_list("pk", "read_at")),
        "feedback": Feedback.objects.count(),
        "webhook endpoints": list(
            Endpoint.objects.order_by("pk").values_list("pk", "url", "kinds", "active")
        ),
        "webhook deliveries": list(
            WebhookMessage.objects.order_by("pk").values_list("pk", "delivery__status", "delivery__queued_at")
        ),
    }


@pytest.mark.parametrize(
    ("case", "role", "expected"),
    _params([c for c in CASES if c.refused], lambda c: list(c.refused.items())),
)
def test_refused(world, case, role, expected):
    path = _path(case, world)
    client = client_as(world, role, path)
    before = snapshot()
    send = getattr(client, case.method)
    body = (case.body(world) if callable(case.body) else case.body) or {}
    response = send(path, body, **({"content_type": "application/json"} if case.json else {}))
    check(response, expected, world, path, f"{case.method.upper()} {path} as {role}")
    assert snapshot() == before, (
        f"{case.method.upper()} {path} as {role} was refused but changed the database"
    )
