"""Which workflow actions the API exposes as ``POST /articles/{slug}/{action}/``.

Approving and requesting changes are a reviewer's signed review
(``/assignments/{id}/review/``) and starting review is assigning a reviewer, so
those never get a bare action endpoint: that is how an approval stays a signature.
"""

from __future__ import annotations

from reviews.workflow import Action

ARTICLE_ACTIONS: tuple[str, ...] = (
    Action.SUBMIT,
    Action.WITHDRAW,
    Action.PUBLISH,
    Action.ARCHIVE,
    Action.REJECT,
    Action.RETURN,
    # Not a bare transition: open_working_draft, which also covers "changes requested".
    Action.REVISE,
)


def exposed(actions: list[str]) -> list[str]:
    """The workflow's allowed actions that a client can call through the action endpoint."""
    return [action for action in actions if action in ARTICLE_ACTIONS]
