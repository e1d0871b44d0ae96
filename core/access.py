"""Who may open a staff page, as view decorators: permission checks only, never a model.

Anonymous visitors go to the login page; someone signed in without the permission gets a 403,
whatever the URL names. Rules that need a model (ownership, an assignment, a board member
profile) belong to the screen that needs them (e.g. ``desk.reviews.views.reviewer_only``).
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from .roles import DRAFT_ARTICLE, MANAGE_ARTICLES, REVIEW_ARTICLE

# Any response, a streamed one (the audit CSV) included.
type View = Callable[..., HttpResponseBase]


def staff_view(*permissions: str, refusal: str = "") -> Callable[[View], View]:
    """Signed in and holding any one of ``permissions``; ``refusal`` is the 403's reason."""
    if not permissions:
        raise ValueError("staff_view needs at least one permission.")

    def decorate(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not any(request.user.has_perm(permission) for permission in permissions):
                raise PermissionDenied(refusal)
            return view(request, *args, **kwargs)

        return login_required(wrapped)

    return decorate


# The editor's desk (``/desk/articles/``): editors and managing editors.
desk_view = staff_view(
    DRAFT_ARTICLE, MANAGE_ARTICLES, refusal="The editorial desk is for editors and managing editors."
)
# The review queue, assigning, the review record and the metrics.
manager_view = staff_view(MANAGE_ARTICLES)
# The reviewer's desk; a board member profile is checked by the desk's ``reviewer_only``.
reviewer_view = staff_view(REVIEW_ARTICLE)
