"""Issue 14, property 5 (no request gets a 500): an admin action sent a selection that is no id
(found by tests/config/test_fuzz_forms.py on the reminder rules' list)."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import User

from audit.models import AuditEvent
from notifications.models import ReminderRule
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("selected", ["", "not-an-id", "99999999999999999999"])
@pytest.mark.parametrize("path", ["/admin/notifications/reminderrule/", "/admin/auth/user/"])
def test_no_500_when_admin_action_selection_is_not_an_id(client, path, selected):
    client.force_login(make_user("action-root", is_staff=True, is_superuser=True))
    rules, users, events = ReminderRule.objects.count(), User.objects.count(), AuditEvent.objects.count()
    response = client.post(
        path, {"action": "delete_selected", "_selected_action": [selected], "index": "0"}, follow=True
    )
    assert response.status_code == 200
    assert "The selection names rows that do not exist." in response.content.decode()
    assert (ReminderRule.objects.count(), User.objects.count(), AuditEvent.objects.count()) == (
        rules,
        users,
        events,
    )
