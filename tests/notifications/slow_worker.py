"""The Celery app with an email sender that pauses before sending, so that a test
can kill the worker between claiming a row and sending it. Used only by tests:
``celery -A tests.notifications.slow_worker worker``."""

import os
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from config.celery import app  # noqa: E402
from notifications.models import EMAIL_CHANNEL  # noqa: E402
from outbox import channels  # noqa: E402

_real = channels.CHANNELS[EMAIL_CHANNEL]


def _slow_send(delivery):
    time.sleep(float(os.environ.get("SLOW_SEND_SECONDS", "60")))
    return _real.send(delivery)


channels.register(EMAIL_CHANNEL, _slow_send, _real.policy)

__all__ = ["app"]
