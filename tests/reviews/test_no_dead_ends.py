"""No dead ends (issue 14, property 3): an editor can always get a withdrawn or returned
article back into review. Each test is a path the state machine can take."""

from __future__ import annotations

from articles.drafting import save_draft
from articles.models import Article, ArticleState
from reviews.workflow import Action, allowed_actions, open_working_draft, perform
from tests.factories import valid_content
from tests.reviews.helpers import ready_to_review, request_changes

S = ArticleState


def state_of(article) -> str:
    return Article.objects.get(pk=article.pk).state


def test_no_dead_end_after_revising_then_withdrawing(article, editor, managing, reviewer):
    """Changes requested, the editor opens version 2, then withdraws: "revise" used to hand back
    the open draft while the article stayed withdrawn, and nothing could submit it again."""
    request_changes(ready_to_review(article, reviewer, managing))
    draft = open_working_draft(article, editor)
    perform(article, Action.WITHDRAW, editor)
    assert state_of(article) == S.WITHDRAWN
    assert Action.REVISE in allowed_actions(Article.objects.get(pk=article.pk), editor)

    again = open_working_draft(Article.objects.get(pk=article.pk), editor)
    assert again.pk == draft.pk  # the draft already opened is carried on, not stranded
    assert state_of(article) == S.DRAFT
    save_draft(
        article, valid_content(change_summary="Answered."), expected_revision=again.revision, actor=editor
    )
    perform(article, Action.SUBMIT, editor)
    # Back in review: the reviewer who asked for changes is invited to version 2 at once.
    assert state_of(article) == S.UNDER_REVIEW
    assert list(Article.objects.get(pk=article.pk).versions.values_list("number", flat=True)) == [1, 2]


def test_discarding_the_carried_on_draft_returns_to_withdrawn(article, editor, managing, reviewer):
    request_changes(ready_to_review(article, reviewer, managing))
    open_working_draft(article, editor)
    perform(article, Action.WITHDRAW, editor)
    open_working_draft(Article.objects.get(pk=article.pk), editor)
    perform(article, Action.DISCARD, editor)
    assert state_of(article) == S.WITHDRAWN
    assert Action.REVISE in allowed_actions(Article.objects.get(pk=article.pk), editor)


def test_no_dead_end_after_return(article, editor, managing, reviewer):
    ready_to_review(article, reviewer, managing)
    perform(article, Action.RETURN, managing, reason="Needs the 2024 guideline.")
    draft = open_working_draft(Article.objects.get(pk=article.pk), editor)
    save_draft(
        article, valid_content(change_summary="Added it."), expected_revision=draft.revision, actor=editor
    )
    perform(article, Action.SUBMIT, editor)
    assert state_of(article) == S.SUBMITTED
