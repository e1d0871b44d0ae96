"""Which workflow actions the API exposes as ``POST /articles/{slug}/{action}/``: exactly those
the workflow offers on screens (``reviews.workflow.Transition.offered_on_screens``), the same
buttons as the desk's and the admin's.

Approving and requesting changes are a reviewer's signed review
(``/assignments/{id}/review/``) and starting review is assigning a reviewer, so
those never get a bare action endpoint: that is how an approval stays a signature.
"""

from __future__ import annotations

from reviews.workflow import TRANSITIONS

ARTICLE_ACTIONS: tuple[str, ...] = tuple(t.action for t in TRANSITIONS.values() if t.offered_on_screens)


def exposed(actions: list[str]) -> list[str]:
    """The workflow's allowed actions that a client can call through the action endpoint."""
    return [action for action in actions if action in ARTICLE_ACTIONS]
