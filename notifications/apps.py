from django.apps import AppConfig
from django.db.models.signals import post_migrate


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        from audit.chain import LISTENERS
        from reviews.workflow import AFTER_TRANSITION

        from . import channels  # noqa: F401  (registers the email channel)
        from .events import on_audit_event
        from .rereview import resolve_flags_on_publish

        # ready() can run twice (tests, autoreload); subscribe once.
        if on_audit_event not in LISTENERS:
            LISTENERS.append(on_audit_event)
        if resolve_flags_on_publish not in AFTER_TRANSITION:
            AFTER_TRANSITION.append(resolve_flags_on_publish)
        post_migrate.connect(grant_managing_editors, sender=self, dispatch_uid="vetted-notification-perms")


# Managing editors run the reminder ladder, the outbox and re-review flags from the admin.
MANAGING_EDITOR_PERMISSIONS = [
    "add_reminderrule",
    "change_reminderrule",
    "delete_reminderrule",
    "view_reminderrule",
    "view_delivery",
    "change_delivery",
    "view_rereviewflag",
    "change_rereviewflag",
    "add_staffprofile",
    "change_staffprofile",
    "view_staffprofile",
]


def grant_managing_editors(**_kwargs) -> None:
    from django.contrib.auth.models import Group, Permission

    from accounts.roles import MANAGING_EDITOR

    group, _ = Group.objects.get_or_create(name=MANAGING_EDITOR)
    group.permissions.add(
        *Permission.objects.filter(
            content_type__app_label="notifications", codename__in=MANAGING_EDITOR_PERMISSIONS
        )
    )
