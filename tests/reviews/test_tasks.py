"""Reviews' periodic jobs, run as the Celery tasks beat schedules by name."""

from __future__ import annotations

import datetime

import time_machine
from django.utils import timezone

from articles.models import Article
from notifications.kinds import Kind
from notifications.models import Notification
from reviews import tasks
from reviews.assignments import assign_reviewer
from reviews.decisions import schedule_publication
from reviews.models import AssignmentStatus
from tests.reviews.helpers import approve, ready_to_review


def notes_for(user, kind: str):
    """What ``user`` was told of this kind (the notifications app reacts to the audit events)."""
    return Notification.objects.filter(recipient=user, kind=kind)


def test_scheduled_publication_publishes_and_tells_the_editor(article, managing, reviewer, editor):
    approve(ready_to_review(article, reviewer, managing))
    schedule_publication(
        Article.objects.get(pk=article.pk), timezone.now() + datetime.timedelta(hours=1), editor
    )

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert tasks.publish_scheduled.apply().get() == [article.pk]

    assert Article.objects.get(pk=article.pk).state == "published"
    assert notes_for(editor, Kind.SCHEDULED_PUBLICATION_DONE).count() == 1


def test_invitation_expiry_expires_and_tells_the_managing_editor(article, managing, reviewer):
    assignment = assign_reviewer(article, reviewer, managing)

    with time_machine.travel(assignment.respond_by + datetime.timedelta(minutes=1)):
        assert tasks.expire_invitations.apply().get() == 1

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.EXPIRED
    assert notes_for(managing, Kind.ASSIGNMENT_EXPIRED).count() == 1
