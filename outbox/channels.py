"""The channels an outbox row can go out on, each with its sender and retry policy.

A channel is a function that sends one ``Delivery`` and returns the address it
went to, raising on failure. Each app registers its own from its
``AppConfig.ready()`` (``notifications``: ``email``; ``webhooks``: ``webhook``):
the outbox, the task, the sweeper and the admin stay the same.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from .models import Delivery


class Undeliverable(Exception):
    """A failure that retrying cannot fix (no address, nothing to send): fail at once."""


@dataclass(frozen=True)
class RetryPolicy:
    max_attempts: int
    base_delay_seconds: float
    # Waits up to this long are a Celery countdown; longer ones come from the sweeper
    # (a Redis broker redelivers ETA tasks that outlive its visibility timeout).
    max_countdown_seconds: float = 60.0
    max_delay_seconds: float = 3600.0

    def delay_after(self, attempts: int) -> float:
        """Exponential backoff: base, 2 * base, 4 * base... after the 1st, 2nd, 3rd failure."""
        return min(self.base_delay_seconds * 2.0 ** max(attempts - 1, 0), self.max_delay_seconds)


@dataclass(frozen=True)
class Description:
    """What the admin's list shows of a row: who or what it goes to, and what kind of message."""

    recipient: str
    kind: str


def _undescribed(_delivery: Delivery) -> Description:
    return Description("-", "-")


@dataclass(frozen=True)
class ChannelSpec:
    send: Callable[[Delivery], str]
    # Called at each use, so that policies read from settings follow the settings.
    policy: Callable[[], RetryPolicy]
    # For the admin's list: the relations ``describe`` follows (joined, never fetched row by row),
    # and the fields its search box also looks in.
    describe: Callable[[Delivery], Description] = _undescribed
    related: tuple[str, ...] = ()
    search: tuple[str, ...] = ()


CHANNELS: dict[str, ChannelSpec] = {}


def register(
    channel: str,
    send: Callable[[Delivery], str],
    policy: Callable[[], RetryPolicy],
    *,
    describe: Callable[[Delivery], Description] = _undescribed,
    related: tuple[str, ...] = (),
    search: tuple[str, ...] = (),
) -> None:
    CHANNELS[channel] = ChannelSpec(send, policy, describe, related, search)


def spec_for(channel: str) -> ChannelSpec:
    try:
        return CHANNELS[channel]
    except KeyError:
        raise Undeliverable(f"No sender is registered for channel {channel!r}.") from None
