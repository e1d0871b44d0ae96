"""Each workflow transition writes its own declared audit action."""

from __future__ import annotations

import core.audit_actions as audit_actions
from reviews.workflow import TRANSITIONS

AUDIT_ACTIONS = {action: transition.audit_action for action, transition in TRANSITIONS.items()}


def test_every_transition_has_a_declared_audit_action_of_its_own():
    assert set(AUDIT_ACTIONS) == set(TRANSITIONS)
    assert all(audit_actions.is_declared(name) for name in AUDIT_ACTIONS.values())
    assert len(set(AUDIT_ACTIONS.values())) == len(AUDIT_ACTIONS)
    # The stored names are those the trail has always held: article.<transition>.
    assert all(name == f"article.{action}" for action, name in AUDIT_ACTIONS.items())
