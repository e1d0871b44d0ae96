from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


class NotificationsConfig(AppConfig):
    name = "notifications"
    verbose_name = "Notifications and reminders"

    def ready(self) -> None:
        # Imported here, not at the top: the listeners and the channel use models, which only
        # exist once every app is loaded.
        from audit.trail import LISTENERS
        from outbox.channels import register

        from . import email, tasks  # noqa: F401  (tasks: the periodic jobs, known wherever the app is loaded)
        from .events import on_audit_event
        from .models import EMAIL_CHANNEL, EmailMessage

        register(
            EMAIL_CHANNEL,
            email.send_email,
            email.email_policy,
            describe=email.describe,
            related=email.ADMIN_RELATED,
            search=email.ADMIN_SEARCH,
        )
        # ready() can run twice (tests, autoreload); subscribe once.
        if on_audit_event not in LISTENERS:
            LISTENERS.append(on_audit_event)
        post_delete.connect(drop_outbox_row, sender=EmailMessage, dispatch_uid="vetted-email-outbox-row")
        post_migrate.connect(grant_managing_editors, sender=self, dispatch_uid="vetted-notification-perms")


def drop_outbox_row(instance, **_kwargs) -> None:
    """An email whose notification is deleted is never sent: its outbox row goes with it.

    The outbox row cannot cascade from the notification (the outbox knows no notifications),
    so this keeps what the foreign key used to do: a notice withdrawn in the transaction that
    wrote it (a resubmission's notice replaced by the invitation) sends nothing.
    """
    # Imported here: this module is loaded before any model is.
    from outbox.models import Delivery

    Delivery.objects.filter(pk=instance.pk).delete()


# Managing editors run the reminder ladder and say which specialties they follow, from the admin
# (the outbox's rows are the outbox's permissions, and re-review flags are reviews': accounts.roles
# grants those).
MANAGING_EDITOR_PERMISSIONS = [
    "add_reminderrule",
    "change_reminderrule",
    "delete_reminderrule",
    "view_reminderrule",
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
