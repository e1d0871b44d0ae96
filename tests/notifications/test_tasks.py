"""The periodic tasks beat runs, each calling the function that holds the rule.

Reviews' own periodic jobs are tested with them (tests/reviews/test_tasks.py), the outbox's
in tests/outbox/test_tasks.py."""

from __future__ import annotations

from django.conf import settings

from config.celery import app


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
        "audit.seal_log",
    }
    # What a worker does when it starts: import every app's tasks module (autodiscovery is lazy,
    # so in a test process only the modules some other test imported would be registered).
    app.loader.import_default_modules()
    assert scheduled <= set(app.tasks)
