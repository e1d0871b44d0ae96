"""The outbox's Celery tasks, and the names they keep from when they were notifications'."""

from __future__ import annotations

from django.conf import settings

from config.celery import app
from outbox import tasks

from .conftest import queued_row


def test_the_tasks_keep_their_names_so_messages_queued_before_a_release_still_run():
    assert (tasks.deliver.name, tasks.sweep_outbox.name) == (
        "notifications.deliver",
        "notifications.sweep_outbox",
    )
    assert app.tasks["notifications.deliver"].run is tasks.deliver.run  # this very function
    assert settings.CELERY_BEAT_SCHEDULE["outbox-sweeper"]["task"] == tasks.sweep_outbox.name


def test_delivery_is_acknowledged_only_after_it_ran():
    # A worker killed mid-task leaves the message to be redelivered, not lost.
    assert tasks.deliver.acks_late and tasks.deliver.reject_on_worker_lost


def test_the_sweeper_task_requeues_what_never_reached_the_broker(db, channel):
    queued_row(queued_at=None)

    assert tasks.sweep_outbox.apply().get() == 1
