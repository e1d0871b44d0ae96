"""Defects the review-promise state machine found, each pinned by a plain test named after the
property it broke (tests/properties/test_review_promise.py)."""

from __future__ import annotations

import contextlib

import pytest

from accounts.roles import MANAGING_EDITOR
from core.errors import DomainError
from tests.factories import make_specialty, make_user
from tests.reviews.helpers import make_reviewer


@pytest.mark.django_db
def test_person_counts_once_no_review_after_declaring_a_standing_conflict():
    """Property 2, found by the machine (seed 20261204, 50 x 40, properties 1,2,4): a member
    assigned to an article declared a standing conflict with its author, then approved it."""
    from accounts.roles import EDITOR
    from reviews.board import declare_standing_conflict
    from reviews.models import ConflictKind, Review
    from tests.factories import make_article, submit
    from tests.reviews.helpers import approve, ready_to_review

    specialty = make_specialty("obstetrics")
    editor = make_user("editor", EDITOR)
    managing = make_user("managing", MANAGING_EDITOR)
    member = make_reviewer("ana", specialty)
    article = submit(make_article(editor, specialty), editor)
    assignment = ready_to_review(article, member, managing)

    declare_standing_conflict(
        member.user, kind=ConflictKind.AUTHOR, author=editor, details="We co-wrote a book."
    )
    with contextlib.suppress(DomainError):  # refusing the review is one way to keep the promise
        approve(assignment)

    assert not Review.objects.filter(reviewer=member).exists()


@pytest.mark.django_db
def test_no_request_gets_a_500_discarding_a_draft_named_in_a_standing_conflict():
    """Property 5 (and 4), found by the machine's campaign (seed 3933015267, 150 x 50): a member
    declared a standing conflict with a never-submitted draft; discarding the draft raised
    ProtectedError (a 500 on the desk and the API) instead of a refusal or a clean discard."""
    from accounts.roles import EDITOR
    from articles.models import Article
    from reviews.board import declare_standing_conflict
    from reviews.models import ConflictKind
    from reviews.workflow import Action, perform
    from tests.factories import make_article

    specialty = make_specialty("obstetrics")
    editor = make_user("editor", EDITOR)
    member = make_reviewer("ben", specialty)
    article = make_article(editor, specialty)
    declare_standing_conflict(member.user, kind=ConflictKind.ARTICLE, article=article, details="My patient.")

    with pytest.raises(DomainError, match="cannot be discarded"):
        perform(article, Action.DISCARD, editor)
    assert Article.objects.filter(pk=article.pk).exists()  # kept, and it can still be submitted
