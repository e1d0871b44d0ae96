"""A real Celery worker process, a real Redis: delivery end to end, and its faults.

Run with DATABASE_URL (PostgreSQL) and REDIS_URL set; skipped otherwise.
"""

from __future__ import annotations

import pytest
from django.db import transaction

from articles.models import Article, ArticleState
from notifications.kinds import Kind
from notifications.notify import Message, notify
from outbox import dispatch, tasks
from outbox.models import Delivery, DeliveryStatus
from tests.factories import submit

from .conftest import email_of, notes_for
from .workers import Worker, broker_at, emails_for, publishing_to_the_real_broker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def worker(django_db_setup, django_db_blocker, tmp_path_factory):
    mail_dir = tmp_path_factory.mktemp("mail")
    with publishing_to_the_real_broker():
        started = Worker(mail_dir, tmp_path_factory.mktemp("log") / "worker.log")
        yield started
        started.stop()


def status_of(delivery: Delivery) -> str:
    delivery.refresh_from_db()
    return delivery.status


def test_a_transition_is_emailed_by_the_worker_within_seconds(worker, draft, editor, managing):
    submit(draft, editor)

    delivery = email_of(notes_for(managing, Kind.ARTICLE_SUBMITTED).get())
    assert wait_until(lambda: status_of(delivery) == DeliveryStatus.SENT, timeout=20)
    assert emails_for(worker.mail_dir, delivery.pk) == 1


def test_the_same_task_delivered_twice_sends_one_email(worker, managing, editor):
    with transaction.atomic():
        delivery = email_of(notify(managing, Message(Kind.ARTICLE_SUBMITTED, "Twice")))
    tasks.deliver.delay(delivery.pk)
    tasks.deliver.delay(delivery.pk)
    # One worker takes tasks in order: once this later row is sent, the copies above have run.
    with transaction.atomic():
        later = email_of(notify(editor, Message(Kind.CHANGES_REQUESTED, "Later")))
    assert wait_until(lambda: status_of(later) == DeliveryStatus.SENT, timeout=20)

    assert status_of(delivery) == DeliveryStatus.SENT
    assert (delivery.attempts, emails_for(worker.mail_dir, delivery.pk)) == (1, 1)


def test_redis_down_at_the_transition_still_commits_and_the_sweeper_delivers_when_it_is_back(
    worker, draft, editor, managing
):
    with broker_at("redis://127.0.0.1:1/0"):
        submit(draft, editor)  # no exception: the web request would succeed

    assert Article.objects.get(pk=draft.pk).state == ArticleState.SUBMITTED
    delivery = email_of(notes_for(managing, Kind.ARTICLE_SUBMITTED).get())
    assert (delivery.status, delivery.queued_at) == (DeliveryStatus.PENDING, None)

    assert dispatch.sweep() == [delivery.pk]  # the next sweep, with Redis back

    assert wait_until(lambda: status_of(delivery) == DeliveryStatus.SENT, timeout=20)
    assert emails_for(worker.mail_dir, delivery.pk) == 1
