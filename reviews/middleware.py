"""When the signed-in person was last active on the staff pages.

Signing an approval needs a session that has not been idle for long
(``SIGNING_IDLE_MINUTES``, checked by ``reviews.decisions.submit_review``). This
middleware remembers the time of every staff request in the session and, before
overwriting it, keeps the previous value on the request: that is the moment of
the person's last activity *before* the one now asking to sign.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SESSION_KEY = "vetted_last_activity"
# The pages only staff use; public pages stay untouched (and cacheable).
STAFF_PATH_PREFIXES = ("/desk/", "/admin/")


class LastActivityMiddleware:
    """Place after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        request.previous_activity = None
        if request.path.startswith(STAFF_PATH_PREFIXES) and request.user.is_authenticated:
            stored = request.session.get(SESSION_KEY)
            if isinstance(stored, int | float):
                request.previous_activity = datetime.datetime.fromtimestamp(stored, tz=datetime.UTC)
            request.session[SESSION_KEY] = timezone.now().timestamp()
        return self.get_response(request)


def previous_activity(request: HttpRequest) -> datetime.datetime | None:
    """When this session was last active before the current request (``None``: unknown)."""
    return getattr(request, "previous_activity", None)
