"""The staff article page: the buttons are the workflow's allowed actions, and pressing one
calls ``reviews.workflow.perform``; a refusal is a message with a 4xx status, never a 500."""

from __future__ import annotations

from django.urls import reverse

from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from articles.models import Article, ArticleState
from audit.models import AuditEvent
from tests.desk.articles.desk_setup import client_for, messages_of
from tests.factories import approve_directly, make_article, make_user, valid_content


def page_url(article: Article) -> str:
    return reverse("desk:article", args=[article.slug])


def action_url(article: Article) -> str:
    return reverse("desk:action", args=[article.slug])


def state_of(article: Article) -> str:
    return Article.objects.values_list("state", flat=True).get(pk=article.pk)


def test_page_shows_state_versions_and_only_the_allowed_buttons(editor, draft_article):
    html = client_for(editor).get(page_url(draft_article)).content.decode()

    assert "Draft" in html and "Working draft (revision 1)" in html
    assert 'value="submit"' in html and 'value="discard"' in html
    for not_allowed in ("withdraw", "publish", "archive", "approve", "request_changes", "start_review"):
        assert f'value="{not_allowed}"' not in html


def test_submit_button_submits_through_the_workflow(editor, draft_article):
    response = client_for(editor).post(action_url(draft_article), {"action": "submit"})

    assert response.status_code == 302
    assert state_of(draft_article) == ArticleState.SUBMITTED
    assert AuditEvent.objects.filter(action="article.submit", article_id=draft_article.pk).exists()


def test_submit_warnings_are_shown_as_messages(editor):
    content = valid_content()
    content.sections[0].body = "The cervix can open too early in pregnancy [1]."  # [2] is never cited
    article = make_article(editor, content=content)

    response = client_for(editor).post(action_url(article), {"action": "submit"}, follow=True)

    assert state_of(article) == ArticleState.SUBMITTED
    assert "References nothing cites: [2]." in messages_of(response)


def test_submit_refused_by_the_content_check_is_a_400_with_the_reason(editor):
    content = valid_content()
    content.sections[0].body = "A claim citing a missing reference [9]."
    article = make_article(editor, content=content)

    response = client_for(editor).post(action_url(article), {"action": "submit"})

    assert response.status_code == 400
    assert any("cites references that do not exist: [9]" in m for m in messages_of(response))
    assert state_of(article) == ArticleState.DRAFT


def test_an_action_not_allowed_in_this_state_is_a_409_message(editor, draft_article):
    response = client_for(editor).post(action_url(draft_article), {"action": "withdraw"})

    assert response.status_code == 409
    assert any('Cannot "withdraw"' in m for m in messages_of(response))
    assert state_of(draft_article) == ArticleState.DRAFT


def test_an_action_for_another_role_is_a_403_message(editor, submitted_article):
    # Returning an article to its editor is a managing editor's decision.
    response = client_for(editor).post(action_url(submitted_article), {"action": "return", "reason": "x"})

    assert response.status_code == 403
    assert any("managing editor" in m for m in messages_of(response))
    assert state_of(submitted_article) == ArticleState.SUBMITTED


def test_approving_is_never_a_bare_button(submitted_article):
    # Even someone the workflow would let approve cannot do it here: it is a signed review.
    reviewer = make_user("both", EDITOR, REVIEWER, MANAGING_EDITOR)

    response = client_for(reviewer).post(action_url(submitted_article), {"action": "approve"})

    assert response.status_code == 400
    assert state_of(submitted_article) == ArticleState.SUBMITTED


def test_withdraw_button(editor, submitted_article):
    response = client_for(editor).post(action_url(submitted_article), {"action": "withdraw"})

    assert response.status_code == 302
    assert state_of(submitted_article) == ArticleState.WITHDRAWN


def test_publish_button_publishes_an_approved_article(editor, managing, submitted_article):
    approve_directly(submitted_article, make_user("rev", REVIEWER), managing)

    page = client_for(editor).get(page_url(submitted_article)).content.decode()
    assert 'value="publish"' in page
    response = client_for(editor).post(action_url(submitted_article), {"action": "publish"})

    assert response.status_code == 302
    article = Article.objects.select_related("published_version").get(pk=submitted_article.pk)
    assert article.state == ArticleState.PUBLISHED
    assert article.published_version.number == 1


def test_publish_without_enough_signed_approvals_is_refused(editor, submitted_article):
    Article.objects.filter(pk=submitted_article.pk).update(state=ArticleState.APPROVED)

    response = client_for(editor).post(action_url(submitted_article), {"action": "publish"})

    assert 400 <= response.status_code < 500
    assert any("signed approval" in m for m in messages_of(response))
    assert state_of(submitted_article) == ArticleState.APPROVED


def test_return_needs_a_reason(managing, submitted_article):
    client = client_for(managing)

    refused = client.post(action_url(submitted_article), {"action": "return", "reason": "  "})
    assert refused.status_code == 400
    assert state_of(submitted_article) == ArticleState.SUBMITTED

    done = client.post(action_url(submitted_article), {"action": "return", "reason": "Needs a 2024 source."})
    assert done.status_code == 302
    assert state_of(submitted_article) == ArticleState.CHANGES_REQUESTED
    event = AuditEvent.objects.filter(action="article.return").latest("seq")
    assert event.payload["reason"] == "Needs a 2024 source."


def test_reason_field_is_offered_for_actions_that_need_one(managing, submitted_article):
    html = client_for(managing).get(page_url(submitted_article)).content.decode()

    assert 'id="reason-reject"' in html and 'id="reason-return"' in html
    assert 'id="reason-withdraw"' not in html


def test_unknown_action_is_a_400(editor, draft_article):
    response = client_for(editor).post(action_url(draft_article), {"action": "explode"})

    assert response.status_code == 400
    assert state_of(draft_article) == ArticleState.DRAFT


def test_discarding_a_first_draft_deletes_it_and_returns_to_the_dashboard(editor, draft_article):
    response = client_for(editor).post(action_url(draft_article), {"action": "discard"})

    assert response.status_code == 302 and response["Location"] == reverse("desk:dashboard")
    assert not Article.objects.filter(pk=draft_article.pk).exists()


def test_actions_on_an_article_you_cannot_see_are_404(draft_article):
    other = make_user("other", EDITOR)

    response = client_for(other).post(action_url(draft_article), {"action": "discard"})

    assert response.status_code == 404
    assert Article.objects.filter(pk=draft_article.pk).exists()


def test_get_on_the_action_url_is_not_allowed(editor, draft_article):
    assert client_for(editor).get(action_url(draft_article)).status_code == 405
