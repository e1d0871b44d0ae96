"""Every page and API endpoint that lists rows runs the same number of SQL queries however many
rows, sections, references or reviewers it shows.

Each case below is one listing: who looks at it, its URL, and how to add one more row to it
(an article, an assignment, an event, a notification; for an article page a new version with
more sections, references and reviewers). The test counts the queries of the listing with one
row, adds five more, counts again: the counts must be equal, and every added row must be on the
page (a filter that hid them would prove nothing). Together with the suite's FETCH_RAISE default
(tests/conftest.py), which fails any lazy fetch outright, an N+1 anywhere here fails a test.

Pages with a constant-query test of their own, kept beside the other tests of that page: the
article history, earlier-version, board and feed/sitemap pages (tests/articles/
test_public_queries.py) and the editor's article, versions, diff and changes pages
(tests/desk/articles/test_queries.py).
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest
from django.core.cache import cache
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from api.models import ApiToken
from articles.drafting import save_draft
from articles.models import Article, ArticleState
from notifications.kinds import Kind
from notifications.notify import Message, notify
from public.render_cache import local_pages
from reviews.models import BoardMember, ConflictKind, ConflictOfInterest, RereviewFlag
from reviews.workflow import open_working_draft
from tests.api.helpers import client_for as api_client_for
from tests.factories import (
    approve_directly,
    make_article,
    make_assignment,
    make_board_member,
    make_specialty,
    make_user,
    reread,
    submit,
    valid_content,
)
from tests.public.public_setup import publish_article, publish_new_version, rich_content

pytestmark = pytest.mark.django_db
MORE = 5  # rows added after the first count


@pytest.fixture(autouse=True)
def _fresh_cache():
    cache.clear()
    yield
    cache.clear()


@dataclass
class Scene:
    """The people every listing needs, and whatever a case keeps between its rows."""

    editor: Any
    managing: Any
    specialty: Any
    member: BoardMember  # the reviewer whose desk is listed
    signers: list = field(default_factory=list)  # reviewer users, one more per published version
    article: Article | None = None  # for listings of one article's parts

    def signer(self, n: int):
        while len(self.signers) <= n:
            user = make_user(f"signer{len(self.signers)}", REVIEWER)
            make_board_member(user, self.specialty, display_name=f"Dr Signer {len(self.signers)}")
            self.signers.append(user)
        return self.signers[n]


@pytest.fixture
def scene(db) -> Scene:
    specialty = make_specialty("obstetrics")
    member = make_board_member(make_user("desk-reviewer", REVIEWER), specialty, display_name="Dr Desk")
    return Scene(make_user("editor", EDITOR), make_user("managing", MANAGING_EDITOR), specialty, member)


@dataclass(frozen=True)
class Listing:
    viewer: str  # anonymous, editor, managing or reviewer
    api: bool
    url: str
    add_row: Callable[[Scene, int], str]  # adds row n; returns text that shows it is listed


LISTINGS: dict[str, Listing] = {}


def listing(name: str, viewer: str, url: str, *, api: bool = False):
    def register(add_row: Callable[[Scene, int], str]) -> Callable[[Scene, int], str]:
        LISTINGS[name] = Listing(viewer, api, url, add_row)
        return add_row

    return register


def _submitted(scene: Scene, title: str) -> Article:
    return submit(
        make_article(scene.editor, scene.specialty, content=valid_content(title=title)), scene.editor
    )


def _under_review(scene: Scene, title: str, *, due_at: datetime.datetime | None = None) -> Article:
    article = _submitted(scene, title)
    for n in range(2):
        fields = {"due_at": due_at} if due_at else {}
        make_assignment(
            article.latest_version(), scene.signer(n), scene.managing, status="accepted", **fields
        )
    Article.objects.filter(pk=article.pk).update(state=ArticleState.UNDER_REVIEW)
    return article


def _grown_content(n: int, title: str):
    """Version ``n`` of a growing article: more sections and references each time."""
    return rich_content(n + 1, 2 * n + 1, title=title, change_summary=f"Round {n}")


def _publish_growing(scene: Scene, n: int, slug: str) -> str:
    """Row 0 publishes the article; row n publishes version n+1, signed by n+1 reviewers."""
    signers = [scene.signer(i) for i in range(n + 1)]
    if n == 0:
        scene.article = publish_article(
            scene.editor, scene.managing, signers, content=_grown_content(0, "Growing"), slug=slug
        )
    else:
        scene.article = publish_new_version(
            scene.article, scene.editor, scene.managing, signers, _grown_content(n, "Growing")
        )
    return f"Study number {2 * n + 1}"


# --- the public site ------------------------------------------------------------------------------


@listing("article page", "anonymous", "/articles/growing/")
def _article_page(scene: Scene, n: int) -> str:
    return _publish_growing(scene, n, "growing")


@listing("article page, professional", "anonymous", "/articles/growing/?audience=professional")
def _article_page_professional(scene: Scene, n: int) -> str:
    return _publish_growing(scene, n, "growing")


@listing("public index", "anonymous", "/articles/")
def _public_index(scene: Scene, n: int) -> str:
    specialty = make_specialty(f"specialty-{n}")
    publish_article(
        scene.editor,
        scene.managing,
        [scene.signer(0)],
        content=rich_content(1, 1, title=f"Indexed {n}"),
        slug=f"indexed-{n}",
        specialty=specialty,
    )
    return f"Indexed {n}"


@listing(
    "public index, filtered", "anonymous", "/articles/?audience=patient&q=Indexed&updated_since=2000-01-01"
)
def _public_index_filtered(scene: Scene, n: int) -> str:
    return _public_index(scene, n)


# --- the staff desks ------------------------------------------------------------------------------


@listing("editor dashboard", "editor", "/desk/articles/")
def _dashboard(scene: Scene, n: int) -> str:
    article = make_article(scene.editor, scene.specialty, content=valid_content(title=f"Dashboard {n}"))
    if n % 2:
        submit(article, scene.editor)
    return f"Dashboard {n}"


@listing("editor dashboard, filtered", "editor", "/desk/articles/?specialty=obstetrics&state=draft")
def _dashboard_filtered(scene: Scene, n: int) -> str:
    return make_article(scene.editor, scene.specialty, content=valid_content(title=f"Drafted {n}")).title


@listing("queue: unassigned", "managing", "/desk/reviews/queue/?tab=unassigned")
def _queue_unassigned(scene: Scene, n: int) -> str:
    return _submitted(scene, f"Unassigned {n}").title


@listing("queue: in review", "managing", "/desk/reviews/queue/?tab=in_review")
def _queue_in_review(scene: Scene, n: int) -> str:
    return _under_review(scene, f"Reviewing {n}").title


@listing("queue: overdue", "managing", "/desk/reviews/queue/?tab=overdue")
def _queue_overdue(scene: Scene, n: int) -> str:
    return _under_review(scene, f"Late {n}", due_at=timezone.now() - datetime.timedelta(days=2)).title


@listing("queue: approved", "managing", "/desk/reviews/queue/?tab=approved")
def _queue_approved(scene: Scene, n: int) -> str:
    return approve_directly(_submitted(scene, f"Approved {n}"), scene.signer(0), scene.managing).title


@listing("queue: re-review due", "managing", "/desk/reviews/queue/?tab=rereview")
def _queue_rereview(scene: Scene, n: int) -> str:
    article = _submitted(scene, f"Due again {n}")
    version = article.latest_version()
    Article.objects.filter(pk=article.pk).update(
        state=ArticleState.PUBLISHED, published_version=version, next_review_due=timezone.localdate()
    )
    RereviewFlag.objects.create(
        article=article, version=version, reason="New trial", flagged_by=scene.managing
    )
    return article.title


@listing("reviewer desk", "reviewer", "/desk/reviews/")
def _reviewer_desk(scene: Scene, n: int) -> str:
    for status in ("invited", "accepted", "completed", "declined"):
        article = _submitted(scene, f"Desk {status} {n}")
        make_assignment(
            article.latest_version(),
            scene.member.user,
            scene.managing,
            status=status,
            conflict_declared_at=timezone.now(),
        )
    return f"Desk invited {n}"


@listing("audit list", "managing", "/desk/audit/")
def _audit_list(scene: Scene, n: int) -> str:
    return _submitted(scene, f"Audited {n}").slug


@listing("inbox", "editor", "/desk/inbox/")
def _inbox(scene: Scene, n: int) -> str:
    article = scene.article = scene.article or make_article(scene.editor, scene.specialty)
    notify(scene.editor, Message(Kind.CHANGES_REQUESTED, f"Notice {n}"), article=article)
    return f"Notice {n}"


# --- the API --------------------------------------------------------------------------------------


@listing("api: articles", "managing", "/api/v1/articles/", api=True)
def _api_articles(scene: Scene, n: int) -> str:
    return _submitted(scene, f"Api article {n}").slug


@listing("api: versions of an article", "editor", "/api/v1/articles/versioned/versions/", api=True)
def _api_versions(scene: Scene, n: int) -> str:
    title = f"Versioned round {n}"
    if n == 0:
        scene.article = make_article(
            scene.editor, scene.specialty, content=_grown_content(0, title), slug="versioned"
        )
        return title
    submit(scene.article, scene.editor)
    article = approve_directly(scene.article, scene.signer(0), scene.managing)
    draft = open_working_draft(article, scene.editor)
    save_draft(article, _grown_content(n, title), expected_revision=draft.revision, actor=scene.editor)
    scene.article = reread(article)
    return title


@listing("api: assignments of an article", "managing", "/api/v1/articles/assigned/assignments/", api=True)
def _api_article_assignments(scene: Scene, n: int) -> str:
    if scene.article is None:
        scene.article = submit(make_article(scene.editor, scene.specialty, slug="assigned"), scene.editor)
    make_assignment(scene.article.latest_version(), scene.signer(n), scene.managing, status="invited")
    return f"Dr Signer {n}"


@listing(
    "api: reviewer suggestions", "managing", "/api/v1/reviewers/suggestions/?article=suggested", api=True
)
def _api_suggestions(scene: Scene, n: int) -> str:
    if scene.article is None:
        scene.article = submit(make_article(scene.editor, scene.specialty, slug="suggested"), scene.editor)
    user = scene.signer(n)
    member = BoardMember.objects.get(user=user)
    ConflictOfInterest.objects.create(member=member, kind=ConflictKind.AUTHOR, author=scene.managing)
    ConflictOfInterest.objects.create(member=member, kind=ConflictKind.TOPIC, topic=f"Sponsor {n}")
    return f"Dr Signer {n}"


@listing("api: assignments", "reviewer", "/api/v1/assignments/", api=True)
def _api_assignments(scene: Scene, n: int) -> str:
    article = _submitted(scene, f"Assigned to me {n}")
    make_assignment(article.latest_version(), scene.member.user, scene.managing, status="accepted")
    return article.slug


@listing("api: audit", "managing", "/api/v1/audit/", api=True)
def _api_audit(scene: Scene, n: int) -> str:
    return _submitted(scene, f"Api audited {n}").slug


@listing("api: notifications", "editor", "/api/v1/notifications/", api=True)
def _api_notifications(scene: Scene, n: int) -> str:
    return _inbox(scene, n)


@listing("api: tokens", "managing", "/api/v1/auth/tokens/", api=True)
def _api_tokens(scene: Scene, n: int) -> str:
    owner = make_user(f"token-owner-{n}", EDITOR)
    token, _key = ApiToken.issue(user=owner, name=f"Pipeline token {n}", created_by=scene.managing)
    return token.name


@listing("api: public articles", "anonymous", "/api/v1/public/articles/", api=True)
def _api_public_articles(scene: Scene, n: int) -> str:
    return _public_index(scene, n)


@listing("api: public article", "anonymous", "/api/v1/public/articles/growing/", api=True)
def _api_public_article(scene: Scene, n: int) -> str:
    return _publish_growing(scene, n, "growing")


# --- the test ------------------------------------------------------------------------------------


def _client(scene: Scene, case: Listing):
    user = {
        "anonymous": None,
        "editor": scene.editor,
        "managing": scene.managing,
        "reviewer": scene.member.user,
    }[case.viewer]
    if case.api:
        return api_client_for(user)
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def _queries(client, url: str) -> tuple[int, str]:
    # Cold: public pages are cached (in the shared cache and in this process's memory), and a
    # cached page would run none.
    cache.clear()
    local_pages.clear()
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200, (url, response.status_code)
    return len(queries), response.content.decode()


@pytest.mark.parametrize("name", list(LISTINGS))
def test_queries_do_not_grow_with_rows(scene, name):
    case = LISTINGS[name]
    shown = [case.add_row(scene, 0)]
    client = _client(scene, case)
    url = case.url
    client.get(url)  # the first request of a session writes it; every later one costs the same
    with_one, _body = _queries(client, url)

    shown += [case.add_row(scene, n) for n in range(1, MORE + 1)]
    with_more, body = _queries(client, url)

    assert [text for text in shown if text not in body] == [], "added rows are not listed"
    assert with_more == with_one, f"{name}: {with_one} queries with one row, {with_more} with {MORE + 1}"
