from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        # Imported here, not at the top: the listeners use models, which only exist once
        # every app is loaded.
        from audit.chain import LISTENERS

        from . import (
            channels,  # noqa: F401  (registers the email channel)
            outbox,
            tasks,
        )
        from .events import on_audit_event

        outbox.use_delivery_task(tasks.deliver)
        # ready() can run twice (tests, autoreload); subscribe once.
        if on_audit_event not in LISTENERS:
            LISTENERS.append(on_audit_event)
        post_migrate.connect(grant_managing_editors, sender=self, dispatch_uid="vetted-notification-perms")


# Managing editors run the reminder ladder and the outbox from the admin (re-review flags
# are reviews' now: accounts.roles grants those).
MANAGING_EDITOR_PERMISSIONS = [
    "add_reminderrule",
    "change_reminderrule",
    "delete_reminderrule",
    "view_reminderrule",
    "view_delivery",
    "change_delivery",
    "add_staffprofile",
    "change_staffprofile",
    "view_staffprofile",
]


def grant_managing_editors(**_kwargs) -> None:
    # Imported when migrate has finished: this module is loaded before any model is.
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import MANAGING_EDITOR

    group, _ = Group.objects.get_or_create(name=MANAGING_EDITOR)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="notifications", codename__in=MANAGING_EDITOR_PERMISSIONS
        )
    )
