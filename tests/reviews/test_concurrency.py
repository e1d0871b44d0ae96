"""Two reviewers sign the deciding approvals at the same moment, each on their own
connection: the quorum is counted once, so exactly one of them approves the article."""

from __future__ import annotations

import threading

import pytest
from django.db import connection

from articles.models import Article, ArticleState
from audit.models import AuditEvent
from audit.verify import verify as verify_trail
from reviews.models import AssignmentStatus, Review, ReviewAssignment
from tests.reviews.helpers import approve, ready_to_review


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_simultaneous_deciding_approvals_approve_exactly_once(article, reviewer, reviewer2, managing):
    Article.objects.filter(pk=article.pk).update(required_approvals=2)
    assignments = [ready_to_review(article, member, managing) for member in (reviewer, reviewer2)]
    barrier = threading.Barrier(len(assignments))
    errors: list[BaseException] = []

    def sign(assignment):
        try:
            barrier.wait(timeout=10)
            approve(assignment)
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sign, args=(a,)) for a in assignments]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert Review.objects.count() == 2
    assert set(ReviewAssignment.objects.values_list("status", flat=True)) == {AssignmentStatus.COMPLETED}
    assert Article.objects.get(pk=article.pk).state == ArticleState.APPROVED
    assert AuditEvent.objects.filter(action="article.approve").count() == 1
    assert AuditEvent.objects.filter(action="review.round_complete").count() == 1
    assert verify_trail().ok
