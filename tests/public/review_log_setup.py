"""A published article whose approvals went through the signing path, so the review log holds
their ``review.signed`` events (the shortcut of ``public_setup`` writes none).

Shared by tests/public/test_verify_review.py and tests/audit/test_verify_proof.py.
"""

from __future__ import annotations

from articles.models import Article
from reviews.workflow import Action, perform
from tests.factories import make_article, reread, submit
from tests.reviews.helpers import approve, make_reviewer, ready_to_review

ANA = ("ana", "Dr Ana Reyes", "MD, FACOG")
BEN = ("ben", "Dr Ben Osei", "MBChB")


def publish_signed(editor, managing, *reviewers: tuple[str, str, str], **article_fields) -> Article:
    """A new article approved by ``reviewers`` ((username, display name, credentials) each) through
    the signing path, then published by the managing editor. Nothing sealed yet."""
    article = submit(make_article(editor, **article_fields), editor)
    Article.objects.filter(pk=article.pk).update(required_approvals=len(reviewers))
    members = [
        make_reviewer(username, article.specialty, display_name=name, credentials=credentials)
        for username, name, credentials in reviewers
    ]
    assignments = [ready_to_review(article, member, managing) for member in members]
    for assignment in assignments:
        approve(assignment)
    perform(reread(article), Action.PUBLISH, managing)
    return reread(article)


def verify_json(client, article: Article) -> dict:
    """The article's verify.json, as a reader downloads it."""
    response = client.get(f"/articles/{article.slug}/verify.json")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()
