"""An email's notification, and the digest that carried it, leave the outbox row for a side table.

The outbox row (``notifications_delivery``, the outbox app's from the next migrations on) is
generic: which notification it sends is notifications' business. ``EmailMessage`` is keyed by
the row, as ``webhooks.WebhookMessage`` is. Every row's ``notification_id`` and ``digest_id``
are copied into it before the two columns are dropped; going back copies them home.
"""

import django.db.models.deletion
from django.db import migrations, models


def copy_to_email_messages(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO notifications_emailmessage (delivery_id, notification_id, digest_id)"
            " SELECT id, notification_id, NULL FROM notifications_delivery WHERE notification_id IS NOT NULL"
        )
        # A digest is itself an email row, so it has its own message by now (its notification
        # cannot be missing: deleting a notification deleted its row, and SET NULL cleared this).
        cursor.execute(
            "UPDATE notifications_emailmessage SET digest_id = ("
            " SELECT d.digest_id FROM notifications_delivery d"
            " WHERE d.id = notifications_emailmessage.delivery_id"
            " AND d.digest_id IN (SELECT delivery_id FROM notifications_emailmessage))"
            " WHERE delivery_id IN (SELECT id FROM notifications_delivery WHERE digest_id IS NOT NULL)"
        )


def copy_back_to_deliveries(apps, schema_editor):
    with schema_editor.connection.cursor() as cursor:
        cursor.execute(
            "UPDATE notifications_delivery SET"
            " notification_id = (SELECT e.notification_id FROM notifications_emailmessage e"
            " WHERE e.delivery_id = notifications_delivery.id),"
            " digest_id = (SELECT e.digest_id FROM notifications_emailmessage e"
            " WHERE e.delivery_id = notifications_delivery.id)"
            " WHERE id IN (SELECT delivery_id FROM notifications_emailmessage)"
        )


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0004_rereviewflag_moved_to_reviews"),
    ]

    operations = [
        migrations.CreateModel(
            name="EmailMessage",
            fields=[
                (
                    "delivery",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="email",
                        serialize=False,
                        to="notifications.delivery",
                    ),
                ),
                (
                    "notification",
                    models.ForeignKey(
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="emails",
                        to="notifications.notification",
                    ),
                ),
                (
                    "digest",
                    models.ForeignKey(
                        blank=True,
                        help_text="The digest that carried this message.",
                        null=True,
                        on_delete=django.db.models.deletion.SET_NULL,
                        related_name="digested",
                        to="notifications.emailmessage",
                    ),
                ),
            ],
            options={
                "ordering": ["-delivery"],
            },
        ),
        migrations.RunPython(copy_to_email_messages, copy_back_to_deliveries),
        migrations.RemoveField(model_name="delivery", name="digest"),
        migrations.RemoveField(model_name="delivery", name="notification"),
    ]
