"""Change requests at /desk/articles/<slug>/changes/: the reviewers' comments next to their
sections, each answered through ``reviews.decisions.answer_comment``, then resubmitting."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.models import Article, ArticleState
from reviews.models import CommentResponse, ResponseStatus, SectionComment
from tests.desk.articles.desk_setup import client_for, draft_post_data, messages_of
from tests.factories import make_article, make_specialty, submit
from tests.reviews.helpers import make_reviewer, ready_to_review, request_changes


@pytest.fixture
def changes_requested(editor, managing):
    """An article whose version 1 a reviewer sent back with one comment on its only section."""
    specialty = make_specialty()
    article = submit(make_article(editor, specialty), editor)
    member = make_reviewer("ana", specialty, display_name="Dr Ana Reyes")
    assignment = ready_to_review(article, member, managing)
    section = article.latest_version().sections.get()
    request_changes(
        assignment,
        comments="Mostly fine.",
        section_comments=[(section.pk, "open too early", "Say how early, and cite the guideline.")],
    )
    article = Article.objects.get(pk=article.pk)
    assert article.state == ArticleState.CHANGES_REQUESTED
    return article


def changes_url(article: Article) -> str:
    return reverse("desk:changes", args=[article.slug])


def answer_url(article: Article) -> tuple[str, SectionComment]:
    comment = SectionComment.objects.get(review__version__article=article)
    return reverse("desk:answer", args=[article.slug, comment.pk]), comment


def test_comments_are_shown_next_to_their_section(editor, changes_requested):
    response = client_for(editor).get(changes_url(changes_requested))

    assert response.status_code == 200
    html = response.content.decode()
    row_start = html.index('class="change-row change-row--commented"')
    row = html[row_start : html.index("</article>", row_start)]
    assert "What it is" in row  # the section …
    assert "Say how early, and cite the guideline." in row  # … and its comment, side by side
    assert "Dr Ana Reyes" in row
    assert "Mostly fine." in html  # the overall comment
    assert "1 comment still without an answer" in html


def test_citations_on_the_page_land_on_its_reference_list(editor, changes_requested):
    html = client_for(editor).get(changes_url(changes_requested)).content.decode()

    reference = changes_requested.latest_version().references.order_by("number").first()
    assert 'href="#ref-1"' in html  # the section's citation …
    assert f'<li id="ref-{reference.number}"' in html  # … has its target on the page
    assert reference.title in html


def test_answering_resolved_records_the_answer(editor, changes_requested):
    url, comment = answer_url(changes_requested)

    response = client_for(editor).post(url, {f"c{comment.pk}-status": ResponseStatus.RESOLVED})

    assert response.status_code == 302
    assert CommentResponse.objects.get(comment=comment).status == ResponseStatus.RESOLVED
    page = client_for(editor).get(changes_url(changes_requested)).content.decode()
    assert "without an answer" not in page
    assert "<strong>Resolved</strong>" in page


def test_not_changed_needs_a_reason(editor, changes_requested):
    url, comment = answer_url(changes_requested)
    client = client_for(editor)

    refused = client.post(url, {f"c{comment.pk}-status": ResponseStatus.NOT_CHANGED})
    assert refused.status_code == 400
    assert any("Say why the text was not changed" in m for m in messages_of(refused))
    assert not CommentResponse.objects.filter(comment=comment).exists()

    done = client.post(
        url,
        {f"c{comment.pk}-status": ResponseStatus.NOT_CHANGED, f"c{comment.pk}-reason": "Already stated."},
    )
    assert done.status_code == 302
    assert CommentResponse.objects.get(comment=comment).reason == "Already stated."


def test_a_comment_is_answered_once(editor, changes_requested):
    url, comment = answer_url(changes_requested)
    client = client_for(editor)
    client.post(url, {f"c{comment.pk}-status": ResponseStatus.RESOLVED})

    again = client.post(url, {f"c{comment.pk}-status": ResponseStatus.RESOLVED})

    assert again.status_code == 409
    assert any("already been answered" in m for m in messages_of(again))


def test_answer_without_a_choice_is_a_400(editor, changes_requested):
    url, comment = answer_url(changes_requested)

    assert client_for(editor).post(url, {}).status_code == 400
    assert not CommentResponse.objects.filter(comment=comment).exists()


def test_a_comment_of_another_article_is_404(editor, changes_requested):
    _, comment = answer_url(changes_requested)
    other = make_article(editor)

    response = client_for(editor).post(
        reverse("desk:answer", args=[other.slug, comment.pk]), {f"c{comment.pk}-status": "resolved"}
    )

    assert response.status_code == 404


def test_answer_then_revise_then_resubmit(editor, changes_requested):
    client = client_for(editor)
    url, comment = answer_url(changes_requested)
    client.post(url, {f"c{comment.pk}-status": ResponseStatus.RESOLVED})
    page = client.get(changes_url(changes_requested)).content.decode()
    assert "Start version 2" in page

    client.post(reverse("desk:action", args=[changes_requested.slug]), {"action": "revise"})
    data = draft_post_data(
        changes_requested,
        change_summary="Said how early, cited the guideline.",
        **{"patient-0-body": "The cervix can open too early, before 24 weeks [1]. A stitch can help [2]."},
    )
    assert client.post(reverse("desk:edit", args=[changes_requested.slug]), data).status_code == 302
    page = client.get(changes_url(changes_requested)).content.decode()
    assert "Resubmit version 2 for review" in page

    response = client.post(reverse("desk:action", args=[changes_requested.slug]), {"action": "submit"})

    assert response.status_code == 302
    article = Article.objects.get(pk=changes_requested.pk)
    # Back with the reviewers (the previous round's reviewers are re-invited at once).
    assert article.state in (ArticleState.SUBMITTED, ArticleState.UNDER_REVIEW)
    assert article.latest_version().number == 2 and article.latest_version().is_frozen


def test_no_review_yet_says_so(editor, draft_article):
    html = client_for(editor).get(changes_url(draft_article)).content.decode()

    assert "has not been submitted for review yet" in html
