"""Logging in and out of the staff site, with a limit on password guessing.

Why a small limiter of our own rather than django-axes: axes brings its own models,
migrations, authentication backend and middleware, and records attempts in the
database. All we need is "5 failed logins for one username from one address in 15
minutes, then refuse for the rest of that window", which is a counter in Django's
cache. The cache is Redis in production, shared by every web process, so the limit
holds however many processes serve the site; on the embedded default it is the
process's local memory.
"""

from __future__ import annotations

import hashlib
import math
import time

from django.contrib.auth.views import LoginView
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

LOGIN_FAILURE_LIMIT = 5
LOGIN_FAILURE_WINDOW_SECONDS = 15 * 60


class LoginRateLimiter:
    """Counts failed logins per (client address, username) in fixed windows.

    The window starts at the first failure and is not extended by later ones, so a
    locked-out person knows when they may try again. Keys are hashed: usernames and
    addresses typed by strangers never become cache keys verbatim. Failures racing at the
    very start of a window may be counted as one; every later failure is counted atomically.
    """

    def __init__(self, limit: int = LOGIN_FAILURE_LIMIT, window: int = LOGIN_FAILURE_WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window

    def _keys(self, address: str, username: str) -> tuple[str, str]:
        digest = hashlib.sha256(f"{address}\n{username.strip().casefold()}".encode()).hexdigest()[:40]
        return f"login-failures:{digest}", f"login-failures-since:{digest}"

    def _started(self, since_key: str) -> float | None:
        """When the current window opened, or None if there is none. The clock decides, not
        only the cache's expiry (which just frees the memory): on Redis the expiry follows
        the server's clock, and both must agree on when a window is over."""
        started = cache.get(since_key)
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


def client_address(request: HttpRequest) -> str:
    # REMOTE_ADDR only: X-Forwarded-For is whatever the client wants it to be unless a
    # trusted proxy overwrites it, and a limiter keyed on it could be dodged at will.
    return request.META.get("REMOTE_ADDR") or "unknown"


class RateLimitedLoginView(LoginView):
    """Django's login view, refusing with 429 once a username has failed too often from one address."""

    template_name = "registration/login.html"
    # Off: a logged-in person sent here by another permission check would otherwise loop.
    redirect_authenticated_user = False
    limiter = LoginRateLimiter()
    extra_context = {
        "failure_limit": LOGIN_FAILURE_LIMIT,
        "window_minutes": LOGIN_FAILURE_WINDOW_SECONDS // 60,
    }

    def post(self, request: HttpRequest, *args, **kwargs) -> HttpResponse:
        address, username = client_address(request), request.POST.get("username", "")
        if self.limiter.is_blocked(address, username):
            # Refused before the password is even checked: a right guess now must not be confirmed.
            return throttled(request, self.limiter.retry_after(address, username))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        address, username = client_address(self.request), self.request.POST.get("username", "")
        self.limiter.record_failure(address, username)
        if self.limiter.is_blocked(address, username):
            return throttled(self.request, self.limiter.retry_after(address, username))
        return super().form_invalid(form)

    def form_valid(self, form) -> HttpResponse:
        self.limiter.reset(client_address(self.request), self.request.POST.get("username", ""))
        return super().form_valid(form)


def throttled(request: HttpRequest, retry_after: int) -> HttpResponse:
    minutes = max(1, math.ceil(retry_after / 60))
    response = render(
        request,
        "registration/login_throttled.html",
        {"minutes": minutes, "limit": LoginRateLimiter().limit},
        status=429,
    )
    response["Retry-After"] = str(retry_after)
    return response


def start(request: HttpRequest) -> HttpResponse:
    """Where a login lands: editors and managing editors on their articles, everyone else in their inbox."""
    user = request.user
    if not user.is_authenticated:
        return HttpResponseRedirect(reverse("accounts:login"))
    if user.has_perm("articles.draft_article") or user.has_perm("articles.manage_articles"):
        return HttpResponseRedirect(reverse("desk:dashboard"))
    return HttpResponseRedirect(reverse("inbox:list"))
