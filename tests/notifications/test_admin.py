"""Managing editors run the reminder ladder and the outbox from the admin."""

from __future__ import annotations

from notifications.models import Phase, ReminderRule, RuleRecipient


def rule_form(**fields):
    values = {
        "name": "Review overdue, daily",
        "phase": Phase.REVIEW,
        "offset_days": 1,
        "recipient": RuleRecipient.REVIEWER,
        "repeat_every_days": 1,
        "max_times": 3,
        "message": "",
        "active": "on",
    }
    return {**values, **fields}


def test_a_managing_editor_adds_a_reminder_rule_in_the_admin(client, managing):
    managing.is_staff = True
    managing.save()
    client.force_login(managing)

    response = client.post("/admin/notifications/reminderrule/add/", rule_form())

    assert response.status_code == 302
    assert ReminderRule.objects.filter(name="Review overdue, daily", max_times=3).exists()


def test_the_admin_refuses_a_rule_that_could_never_fire_and_says_why(client, managing):
    managing.is_staff = True
    managing.save()
    client.force_login(managing)

    response = client.post(
        "/admin/notifications/reminderrule/add/",
        rule_form(name="Too early", phase=Phase.INVITATION, offset_days=-5, repeat_every_days=0, max_times=1),
    )

    assert response.status_code == 200
    assert "on or before the day of the invitation itself" in response.content.decode()
    assert not ReminderRule.objects.filter(name="Too early").exists()
