"""The default reminder ladder. Managing editors change it in the admin."""

from django.conf import settings
from django.db import migrations


def default_rules():
    escalate = settings.VETTED.get("ESCALATE_OVERDUE_DAYS", 3)
    return [
        # (name, phase, offset_days, recipient, repeat_every_days, max_times)
        ("Invitation: answer due today", "invitation", 0, "reviewer", 0, 1),
        ("Review due in 48 hours", "review", -2, "reviewer", 0, 1),
        ("Review due today", "review", 0, "reviewer", 0, 1),
        ("Review overdue (then every 2 days)", "review", 1, "reviewer", 2, 3),
        (f"Escalation: review {escalate} days overdue", "review", escalate, "managing_editor", 0, 1),
        ("Revision due in 2 days", "revision", -2, "editor", 0, 1),
        ("Revision overdue", "revision", 1, "editor", 0, 1),
        (f"Escalation: revision {escalate} days overdue", "revision", escalate, "managing_editor", 0, 1),
    ]


def seed(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    for name, phase, offset, recipient, every, times in default_rules():
        ReminderRule.objects.get_or_create(
            name=name,
            defaults={
                "phase": phase,
                "offset_days": offset,
                "recipient": recipient,
                "repeat_every_days": every,
                "max_times": times,
            },
        )


def unseed(apps, schema_editor):
    ReminderRule = apps.get_model("notifications", "ReminderRule")
    ReminderRule.objects.filter(name__in=[rule[0] for rule in default_rules()]).delete()


class Migration(migrations.Migration):
    dependencies = [("notifications", "0001_initial")]

    operations = [migrations.RunPython(seed, unseed)]
