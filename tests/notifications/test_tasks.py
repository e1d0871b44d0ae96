"""The periodic tasks beat runs, each calling the function that holds the rule.

Reviews' own periodic jobs are tested with them (tests/reviews/test_tasks.py)."""

from __future__ import annotations

from django.conf import settings

from config.celery import app
from notifications import tasks
from notifications.kinds import Kind
from notifications.models import Delivery
from notifications.outbox import Message, notify


def test_every_task_in_the_beat_schedule_exists():
    scheduled = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert scheduled == {
        "notifications.sweep_outbox",
        "reviews.publish_scheduled",
        "notifications.send_reminders",
        "reviews.expire_invitations",
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
