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

import math
from typing import Any

from django.contrib.auth.forms import AuthenticationForm
from django.contrib.auth.views import LoginView
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import render
from django.urls import reverse

from core.client_address import client_address
from core.roles import DRAFT_ARTICLE, MANAGE_ARTICLES

from .login_limits import LOGIN_FAILURE_LIMIT, LOGIN_FAILURE_WINDOW_SECONDS, LoginRateLimiter


def limiter_address(request: HttpRequest) -> str:
    # X-Forwarded-For only as far as our own proxies wrote it (core.client_address): the
    # rest is whatever the client wants it to be, and a limiter keyed on it could be dodged.
    return client_address(request) or "unknown"


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

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        address, username = limiter_address(request), request.POST.get("username", "")
        if self.limiter.is_blocked(address, username):
            # Refused before the password is even checked: a right guess now must not be confirmed.
            return throttled(request, self.limiter.retry_after(address, username))
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form: AuthenticationForm) -> HttpResponse:
        address, username = limiter_address(self.request), self.request.POST.get("username", "")
        self.limiter.record_failure(address, username)
        if self.limiter.is_blocked(address, username):
            return throttled(self.request, self.limiter.retry_after(address, username))
        return super().form_invalid(form)

    def form_valid(self, form: AuthenticationForm) -> HttpResponse:
        self.limiter.reset(limiter_address(self.request), self.request.POST.get("username", ""))
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
    if user.has_perm(DRAFT_ARTICLE) or user.has_perm(MANAGE_ARTICLES):
        return HttpResponseRedirect(reverse("desk:dashboard"))
    return HttpResponseRedirect(reverse("inbox:list"))
