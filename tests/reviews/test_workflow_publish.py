"""Publishing checks the signed approvals itself, however the article reached "approved"."""

import pytest

from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from articles.models import Article, ArticleState
from audit.models import AuditEvent
from core.errors import ContentInvalid
from reviews.workflow import Action, perform
from tests.factories import approve_directly, make_article, make_user, sign_approval, submit


@pytest.fixture
def people(db):
    return {
        "editor": make_user("editor", EDITOR),
        "managing": make_user("managing", MANAGING_EDITOR),
        "reviewer": make_user("reviewer", REVIEWER),
        "reviewer2": make_user("reviewer2", REVIEWER),
    }


def submitted(people) -> Article:
    return submit(make_article(people["editor"]), people["editor"])


def test_publishing_without_any_signed_approval_is_refused(people):
    article = submitted(people)
    Article.objects.filter(pk=article.pk).update(state=ArticleState.APPROVED)  # as a buggy caller might
    events = AuditEvent.objects.count()

    with pytest.raises(ContentInvalid, match="0 signed approval"):
        perform(article, Action.PUBLISH, people["editor"])

    article.refresh_from_db()
    assert article.state == ArticleState.APPROVED
    assert article.published_version is None
    assert AuditEvent.objects.count() == events


def test_publishing_with_fewer_approvals_than_the_article_needs_is_refused(people):
    article = approve_directly(submitted(people), people["reviewer"], people["managing"])
    Article.objects.filter(pk=article.pk).update(required_approvals=2)

    with pytest.raises(ContentInvalid, match="2 are needed"):
        perform(article, Action.PUBLISH, people["editor"])

    assert Article.objects.get(pk=article.pk).state == ArticleState.APPROVED


def test_publishing_with_enough_approvals_swaps_what_readers_see(people):
    article = approve_directly(submitted(people), people["reviewer"], people["managing"])
    Article.objects.filter(pk=article.pk).update(required_approvals=2)
    sign_approval(article.latest_version(), people["reviewer2"], people["managing"])

    result = perform(article, Action.PUBLISH, people["editor"])

    article.refresh_from_db()
    assert result.state_after == ArticleState.PUBLISHED
    assert article.published_version_id == article.latest_version().pk
    event = AuditEvent.objects.get(article=article, action="article.publish")
    assert sorted(event.payload["reviewed_by"]) == ["Dr Reviewer", "Dr Reviewer2"]
