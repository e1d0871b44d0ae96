"""When the signed-in person was last active on the staff pages.

Signing an approval needs a session that has not been idle for long
(``SIGNING_IDLE_MINUTES``, checked by ``reviews.decisions.submit_review``). This
middleware remembers the time of staff requests in the session and, before
overwriting it, keeps the previous value on the request: that is the moment of
the person's last activity *before* the one now asking to sign.

The stored time is refreshed at most once every ``ACTIVITY_RESOLUTION_SECONDS``:
writing the session row on every click cost each staff page an UPDATE and a
commit (measured in bench/queues.py). Recording a little less often only makes
the idle check stricter (the recorded activity is at most that much older than
the real one), never looser.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

SESSION_KEY = "vetted_last_activity"
ACTIVITY_RESOLUTION_SECONDS = 60
# The pages only staff use; public pages stay untouched (and cacheable).
STAFF_PATH_PREFIXES = ("/desk/", "/admin/")
# The request attribute it is kept in (read with ``previous_activity()``). Set by name: Django's
# HttpRequest takes any attribute, but its type declares only Django's own.
REQUEST_ATTRIBUTE = "previous_activity"


class LastActivityMiddleware:
    """Place after AuthenticationMiddleware."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        previous: datetime.datetime | None = None
        if request.path.startswith(STAFF_PATH_PREFIXES) and request.user.is_authenticated:
            stored = request.session.get(SESSION_KEY)
            now = timezone.now().timestamp()
            if isinstance(stored, int | float):
                previous = datetime.datetime.fromtimestamp(stored, tz=datetime.UTC)
            if not isinstance(stored, int | float) or now - stored >= ACTIVITY_RESOLUTION_SECONDS:
                request.session[SESSION_KEY] = now
        setattr(request, REQUEST_ATTRIBUTE, previous)
        return self.get_response(request)


def previous_activity(request: HttpRequest) -> datetime.datetime | None:
    """When this session was last active before the current request (``None``: unknown)."""
    when: datetime.datetime | None = getattr(request, REQUEST_ATTRIBUTE, None)
    return when
