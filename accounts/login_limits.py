"""Limits on password guessing, kept in Django's cache (Redis in production, so every web
process shares them; the process's memory on the embedded default).

Two limits, for two kinds of guessing:

- ``LoginRateLimiter``: failures per (client address, username) in a fixed window; the web
  login refuses that pair for the rest of the window. Someone else, elsewhere, still gets in.
- ``AccountLock``: failures per username from anywhere (many addresses guessing one account's
  password); the API's token exchange locks that username for a while. A success clears it.

Why our own rather than django-axes: axes brings its own models, migrations, authentication
backend and middleware, and records attempts in the database; these are two counters.
"""

from __future__ import annotations

import datetime
import hashlib
import math
import time
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache


def _digest(*parts: str) -> str:
    # Usernames and addresses typed by strangers never become cache keys verbatim.
    *rest, username = parts
    return hashlib.sha256("\n".join([*rest, username.strip().casefold()]).encode()).hexdigest()[:40]


LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60


class LoginRateLimiter:
    """Counts failed logins per (client address, username) in fixed windows.

    The window starts at the first failure and is not extended by later ones, so a
    locked-out person knows when they may try again. Keys are hashed: usernames and
    addresses typed by strangers never become cache keys verbatim. Failures racing at the
    very start of a window may be counted as one; every later failure is counted atomically.
    """

    def __init__(
        self,
        limit: int = LOGIN_FAILURE_LIMIT,
        window: int = LOGIN_FAILURE_WINDOW_SECONDS,
        *,
        prefix: str = "login-failures",
    ) -> None:
        self.limit = limit
        self.window = window
        self.prefix = prefix

    def _keys(self, address: str, username: str) -> tuple[str, str]:
        digest = _digest(address, username)
        return f"{self.prefix}:{digest}", f"{self.prefix}-since:{digest}"

    def _started(self, since_key: str) -> float | None:
        """When the current window opened, or None if there is none. The clock decides, not
        only the cache's expiry (which just frees the memory): on Redis the expiry follows
        the server's clock, and both must agree on when a window is over."""
        started: float | None = cache.get(since_key)
        if started is None or time.time() - started >= self.window:
            return None
        return started

    def is_blocked(self, address: str, username: str) -> bool:
        count_key, since_key = self._keys(address, username)
        if self._started(since_key) is None:
            return False
        return (cache.get(count_key) or 0) >= self.limit

    def retry_after(self, address: str, username: str) -> int:
        """Seconds until the current window ends (the whole window if unknown)."""
        started = self._started(self._keys(address, username)[1])
        if started is None:
            return self.window
        return max(1, math.ceil(started + self.window - time.time()))

    def record_failure(self, address: str, username: str) -> int:
        count_key, since_key = self._keys(address, username)
        if self._started(since_key) is None:
            cache.delete_many([count_key, since_key])  # a window that is over
            # add() writes only if absent: of two first failures at once, one opens the window.
            if cache.add(since_key, time.time(), timeout=self.window):
                cache.set(count_key, 1, timeout=self.window)
                return 1
        try:
            return cache.incr(count_key)
        except ValueError:  # the count expired or is not written yet
            cache.add(count_key, 1, timeout=self.window)
            return 1

    def reset(self, address: str, username: str) -> None:
        cache.delete_many(list(self._keys(address, username)))


@dataclass(frozen=True)
class AccountLockPolicy:
    failures: int  # this many failed passwords for one username ...
    window_seconds: int  # ... within this long (from the first of them) ...
    lock_seconds: int  # ... lock the username for this long

    @classmethod
    def for_api_login(cls) -> AccountLockPolicy:
        return cls(
            failures=int(settings.VETTED["API_LOGIN_LOCK_FAILURES"]),
            window_seconds=int(settings.VETTED["API_LOGIN_LOCK_WINDOW_MINUTES"] * 60),
            lock_seconds=int(settings.VETTED["API_LOGIN_LOCK_MINUTES"] * 60),
        )


class AccountLock:
    """Locks a username after too many failed passwords, whichever addresses they came from.

    Guessing spread over many addresses gets past a per-address limit; this one counts per
    account. The lock starts at the failure that reaches the limit and lasts the policy's
    ``lock_seconds`` whatever happens meanwhile (a right password included: checking it while
    locked would confirm a guess). ``failures`` 0 turns the lock off.
    """

    def __init__(self, policy: AccountLockPolicy, *, scope: str) -> None:
        self.policy = policy
        self.scope = scope
        self.failures = LoginRateLimiter(policy.failures, policy.window_seconds, prefix=f"{scope}-failures")

    def _lock_key(self, username: str) -> str:
        return f"{self.scope}-locked:{_digest(username)}"

    def locked_until(self, username: str) -> datetime.datetime | None:
        """When the lock on this username ends, or None if it is not locked."""
        until = cache.get(self._lock_key(username))
        if until is None or until <= time.time():
            return None
        return datetime.datetime.fromtimestamp(until, tz=datetime.UTC)

    def record_failure(self, username: str) -> datetime.datetime | None:
        """Count a failed password; returns when the lock ends if this failure locked the account."""
        if self.policy.failures <= 0:
            return None
        if self.failures.record_failure("", username) < self.policy.failures:
            return None
        until = math.ceil(time.time() + self.policy.lock_seconds)  # whole seconds: said to people
        cache.set(self._lock_key(username), until, timeout=self.policy.lock_seconds)
        self.failures.reset("", username)  # after the lock, a fresh allowance
        return datetime.datetime.fromtimestamp(until, tz=datetime.UTC)

    def reset(self, username: str) -> None:
        """A right password: the failures so far no longer count."""
        self.failures.reset("", username)
        cache.delete(self._lock_key(username))


def seconds_until(moment: datetime.datetime) -> int:
    """Whole seconds from now until ``moment``, at least 1 (for Retry-After)."""
    return max(1, math.ceil(moment.timestamp() - time.time()))
