"""A real Celery worker on Redis delivers a webhook to a real receiver.

Run with DATABASE_URL (PostgreSQL) and REDIS_URL set; skipped otherwise.
"""

from __future__ import annotations

import pytest

from outbox.models import DeliveryStatus
from reviews.workflow import Action, perform
from tests.notifications.workers import Worker, publishing_to_the_real_broker, wait_until
from webhooks.models import WebhookMessage

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def worker(tmp_path):
    with publishing_to_the_real_broker():
        started = Worker(
            tmp_path / "mail", tmp_path / "worker.log", env={"WEBHOOKS_ALLOW_PRIVATE_ADDRESSES": "1"}
        )
        yield started
        started.stop()


def test_a_worker_delivers_the_transitions_webhook_signed(worker, article, bot, endpoint, receiver):
    perform(article, Action.SUBMIT, bot)  # commits: the task goes to Redis, the worker sends it

    assert wait_until(lambda: len(receiver.received) == 1, timeout=30), worker.log_path.read_text()[-3000:]
    [got] = receiver.received
    assert got.signature_valid, got.verify_error
    message = WebhookMessage.objects.get()
    assert got.headers["webhook-id"] == message.webhook_id
    sent = WebhookMessage.objects.filter(pk=message.pk, delivery__status=DeliveryStatus.SENT)
    assert wait_until(sent.exists, timeout=10)
    assert message.attempts.get().status_code == 200
