"""A worker killed (SIGKILL) between claiming a row and sending it, then restarted:
the message is delivered exactly once. Needs PostgreSQL and Redis."""

from __future__ import annotations

import datetime

import pytest

from notifications.kinds import Kind
from outbox import dispatch
from outbox.models import DeliveryStatus
from tests.factories import submit

from .conftest import email_of, notes_for
from .workers import Worker, emails_for, publishing_to_the_real_broker, wait_until

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def real_broker():
    with publishing_to_the_real_broker():
        yield


def test_a_worker_killed_mid_send_then_restarted_delivers_exactly_once(
    real_broker, draft, editor, managing, tmp_path
):
    mail_dir = tmp_path / "mail"
    slow = Worker(
        mail_dir,
        tmp_path / "slow.log",
        app="tests.notifications.slow_worker",
        env={"SLOW_SEND_SECONDS": "60"},
    )
    try:
        submit(draft, editor)
        delivery = email_of(notes_for(managing, Kind.ARTICLE_SUBMITTED).get())
        assert wait_until(lambda: _refreshed(delivery).status == DeliveryStatus.SENDING, timeout=20)
    finally:
        slow.kill()

    assert (_refreshed(delivery).status, delivery.attempts) == (DeliveryStatus.SENDING, 1)
    assert emails_for(mail_dir, delivery.pk) == 0

    restarted = Worker(mail_dir, tmp_path / "worker.log")
    try:
        # The sweeper's next run, once the row has sat mid-send past the threshold.
        assert dispatch.sweep(stuck_after=datetime.timedelta(0)) == [delivery.pk]
        assert wait_until(lambda: _refreshed(delivery).status == DeliveryStatus.SENT, timeout=20)
    finally:
        restarted.stop()

    assert (delivery.attempts, emails_for(mail_dir, delivery.pk)) == (2, 1)


def _refreshed(delivery):
    delivery.refresh_from_db()
    return delivery
