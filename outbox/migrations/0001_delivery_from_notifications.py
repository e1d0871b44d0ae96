"""The outbox takes over ``Delivery`` from notifications, table and rows included.

The table was created by notifications 0001 and keeps its name (``notifications_delivery``)
and every row: only Django's picture of the models moves (notifications 0005 took the
email-only columns out, notifications 0006 lets go of the model). The content type is renamed
so that the permissions on deliveries, and the groups holding them, follow.
"""

import django.db.models.deletion
import django.utils.timezone
from django.db import migrations, models


def content_type_to(app_label: str, from_app_label: str):
    def rename(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        if ContentType.objects.using(db).filter(app_label=app_label, model="delivery").exists():
            # Content types are made after migrate, so an upgrade never finds one here; one made
            # by hand keeps its own permissions rather than breaking the unique (app, model) pair.
            return
        ContentType.objects.using(db).filter(app_label=from_app_label, model="delivery").update(
            app_label=app_label
        )

    return rename


class Migration(migrations.Migration):
    initial = True

    dependencies = [
        # The table exists from notifications 0001; 0005 leaves it holding only generic columns.
        ("notifications", "0005_email_messages"),
        ("audit", "0002_append_only_trigger"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="Delivery",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("channel", models.CharField(max_length=16)),
                        (
                            "payload",
                            models.JSONField(blank=True, default=dict, help_text="Channel-specific data."),
                        ),
                        (
                            "status",
                            models.CharField(
                                choices=[
                                    ("pending", "Pending"),
                                    ("sending", "Sending"),
                                    ("sent", "Sent"),
                                    ("failed", "Failed (gave up)"),
                                    ("skipped", "Skipped (muted or no address)"),
                                    ("held", "Held for the daily digest"),
                                    ("digested", "Sent in a daily digest"),
                                ],
                                db_index=True,
                                default="pending",
                                max_length=16,
                            ),
                        ),
                        ("attempts", models.PositiveIntegerField(default=0)),
                        ("last_error", models.TextField(blank=True)),
                        (
                            "address",
                            models.CharField(blank=True, help_text="Where it was last sent.", max_length=500),
                        ),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("next_attempt_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("queued_at", models.DateTimeField(blank=True, null=True)),
                        ("claimed_at", models.DateTimeField(blank=True, null=True)),
                        ("sent_at", models.DateTimeField(blank=True, null=True)),
                        ("dedupe_key", models.CharField(blank=True, max_length=200, null=True, unique=True)),
                        (
                            "event",
                            models.ForeignKey(
                                blank=True,
                                db_constraint=False,
                                null=True,
                                on_delete=django.db.models.deletion.DO_NOTHING,
                                related_name="+",
                                to="audit.auditevent",
                            ),
                        ),
                    ],
                    options={
                        "verbose_name_plural": "deliveries",
                        "db_table": "notifications_delivery",
                        "ordering": ["-created_at", "-pk"],
                        "indexes": [models.Index(fields=["status", "next_attempt_at"], name="delivery_due")],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_type_to("outbox", from_app_label="notifications"),
            content_type_to("notifications", from_app_label="outbox"),
        ),
    ]
