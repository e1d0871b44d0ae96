"""Which audit actions become webhook messages."""

from __future__ import annotations

import core.audit_actions as audit_actions
from webhooks.events import ACTION_KINDS
from webhooks.models import EventKind


def test_every_action_webhooks_listen_for_is_declared_and_becomes_a_known_kind():
    assert ACTION_KINDS
    assert [name for name in ACTION_KINDS if not audit_actions.is_declared(name)] == []
    assert set(ACTION_KINDS.values()) <= set(EventKind.values)
