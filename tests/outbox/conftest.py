"""A channel of the tests' own: the outbox is tested without any app's channel."""

from __future__ import annotations

from dataclasses import dataclass, field

import pytest

from outbox.channels import CHANNELS, Description, RetryPolicy, Undeliverable, register
from outbox.models import Delivery

CHANNEL = "test"


@dataclass
class ScriptedChannel:
    """Sends to ``payload["to"]``; fails with the next of ``failures`` first, if any."""

    policy: RetryPolicy = field(default_factory=lambda: RetryPolicy(max_attempts=3, base_delay_seconds=15))
    failures: list[Exception] = field(default_factory=list)
    sent: list[int] = field(default_factory=list)

    def send(self, delivery: Delivery) -> str:
        if self.failures:
            raise self.failures.pop(0)
        if not delivery.payload.get("to"):
            raise Undeliverable("Nobody to send it to.")
        self.sent.append(delivery.pk)
        return delivery.payload["to"]

    def describe(self, delivery: Delivery) -> Description:
        return Description(delivery.payload.get("to", "-"), "test message")


@pytest.fixture
def channel():
    scripted = ScriptedChannel()
    register(CHANNEL, scripted.send, lambda: scripted.policy, describe=scripted.describe)
    yield scripted
    del CHANNELS[CHANNEL]


def queued_row(**fields) -> Delivery:
    """A row as an app writes one (pending, due now, never queued), on the tests' channel."""
    return Delivery.objects.create(**{"channel": CHANNEL, "payload": {"to": "someone@example.org"}, **fields})
