"""Publishing what the board approved: at a scheduled time, and the printable review record."""

from __future__ import annotations

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from articles.models import Article, ArticleState, Section
from audit.models import AuditEvent
from core.errors import NotPermitted
from reviews.assignments import accept_assignment, declare_conflict
from reviews.decisions import (
    ReviewRefused,
    answer_comment,
    cancel_scheduled_publication,
    publish_due,
    schedule_publication,
)
from reviews.models import PublicationSchedule, ReviewAssignment, ScheduleStatus
from reviews.record import review_record
from tests.reviews.helpers import approve, ready_to_review, request_changes, resubmit

SOON = datetime.timedelta(hours=2)


@pytest.fixture
def approved(article, reviewer, managing):
    approve(ready_to_review(article, reviewer, managing))
    return Article.objects.get(pk=article.pk)


def test_a_scheduled_article_is_published_when_its_time_comes(approved, editor):
    at = timezone.now() + SOON
    schedule_publication(approved, at, editor)

    assert publish_due(at - datetime.timedelta(minutes=1)) == []
    assert Article.objects.get(pk=approved.pk).state == ArticleState.APPROVED

    assert publish_due(at) == [approved.pk]
    article = Article.objects.get(pk=approved.pk)
    assert article.state == ArticleState.PUBLISHED
    assert article.published_version_id == article.latest_version().pk
    assert PublicationSchedule.objects.get().status == ScheduleStatus.PUBLISHED
    publish = AuditEvent.objects.get(action="article.publish")
    assert publish.actor is None and publish.actor_label == "system"
    assert publish_due(at + SOON) == []  # done once


def test_only_an_approved_article_can_be_scheduled(article, editor):
    with pytest.raises(ReviewRefused, match="approved"):
        schedule_publication(article, timezone.now() + SOON, editor)
    assert not PublicationSchedule.objects.exists()


def test_only_someone_who_may_publish_schedules(approved, reviewer):
    with pytest.raises(NotPermitted):
        schedule_publication(approved, timezone.now() + SOON, reviewer.user)


def test_the_system_publishes_on_schedule_but_never_schedules(approved):
    # Found by typing reviews/decisions.py: the system passed the permission check (it may
    # publish), then the insert failed on the schedule's required scheduled_by.
    with pytest.raises(NotPermitted):
        schedule_publication(approved, timezone.now() + SOON, None)
    assert not PublicationSchedule.objects.exists()


def test_a_cancelled_schedule_publishes_nothing(approved, managing):
    at = timezone.now() + SOON
    schedule_publication(approved, at, managing)
    cancel_scheduled_publication(approved, managing, reason="Waiting for the press date.")
    assert publish_due(at) == []
    assert Article.objects.get(pk=approved.pk).state == ArticleState.APPROVED
    assert AuditEvent.objects.filter(action="publication.schedule_cancelled").count() == 1


def test_a_tampered_text_fails_the_scheduled_publication_visibly(approved, editor):
    at = timezone.now() + SOON
    schedule_publication(approved, at, editor)
    with connection.cursor() as cursor:
        cursor.execute(
            "UPDATE articles_section SET body = body || ' Guaranteed.' WHERE version_id = %s",
            [approved.latest_version().pk],
        )

    assert publish_due(at) == []

    schedule = PublicationSchedule.objects.get()
    assert schedule.status == ScheduleStatus.FAILED
    assert "no longer matches" in schedule.outcome
    assert Article.objects.get(pk=approved.pk).state == ArticleState.APPROVED
    assert AuditEvent.objects.filter(action="publication.failed").count() == 1


# --- the review record ---------------------------------------------------------------------------


def test_the_review_record_holds_every_version_review_and_signature(article, reviewer, managing, editor):
    first = ready_to_review(article, reviewer, managing)
    section = Section.objects.get(version=first.version)
    changes = request_changes(first, section_comments=[(section.pk, "A stitch", "For whom?")])
    answer_comment(changes.section_comments.get(), editor, "resolved")
    article = resubmit(article, editor)
    second = ReviewAssignment.objects.get(round=2)
    accept_assignment(second, reviewer.user)
    declare_conflict(second, reviewer.user, category="none")
    signed = approve(second)

    text = review_record(article)

    assert "VERSION 1:" in text and "VERSION 2:" in text
    assert "Request changes" in text and "For whom?" in text and "Answer by editor" in text
    assert "SIGNATURE" in text
    assert "Printed name:  Dr Ana Reyes" in text
    assert "Credentials:   MD" in text
    assert signed.signature_meaning in text
    assert signed.signed_content_hash in text
    assert "WARNING" not in text
