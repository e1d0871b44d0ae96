"""The periodic tasks beat runs, each calling the function that holds the rule."""

from __future__ import annotations

import datetime

import time_machine
from django.conf import settings
from django.utils import timezone

from articles.models import Article
from config.celery import app
from notifications import tasks
from notifications.kinds import Kind
from notifications.models import Delivery
from notifications.outbox import Message, notify
from reviews.decisions import schedule_publication
from reviews.models import AssignmentStatus

from .conftest import approve, invite, notes_for, ready_to_review


def test_every_task_in_the_beat_schedule_exists():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "notifications.sweep_outbox",
        "notifications.publish_scheduled",
        "notifications.send_reminders",
        "notifications.expire_invitations",
        "notifications.check_rereview_due",
        "notifications.send_digests",
        "webhooks.disable_failing_endpoints",
    }
    assert scheduled <= set(app.tasks)


def test_delivery_is_acknowledged_only_after_it_ran():
    # A worker killed mid-task leaves the message to be redelivered, not lost.
    assert tasks.deliver.acks_late and tasks.deliver.reject_on_worker_lost


def test_the_sweeper_task_requeues_what_never_reached_the_broker(managing):
    note = notify(managing, Message(Kind.ARTICLE_SUBMITTED, "Hello"))
    Delivery.objects.filter(notification=note).update(queued_at=None)

    assert tasks.sweep_outbox.apply().get() == 1


def test_scheduled_publication_publishes_and_tells_the_editor(submitted, managing, reviewer, editor):
    approve(ready_to_review(submitted, reviewer, managing))
    schedule_publication(
        Article.objects.get(pk=submitted.pk), timezone.now() + datetime.timedelta(hours=1), editor
    )

    with time_machine.travel(timezone.now() + datetime.timedelta(hours=2)):
        assert tasks.publish_scheduled.apply().get() == [submitted.pk]

    assert Article.objects.get(pk=submitted.pk).state == "published"
    assert notes_for(editor, Kind.SCHEDULED_PUBLICATION_DONE).count() == 1


def test_invitation_expiry_expires_and_tells_the_managing_editor(submitted, managing, reviewer):
    assignment = invite(submitted, reviewer, managing)

    with time_machine.travel(assignment.respond_by + datetime.timedelta(minutes=1)):
        assert tasks.expire_invitations.apply().get() == 1

    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.EXPIRED
    assert notes_for(managing, Kind.ASSIGNMENT_EXPIRED).count() == 1
