"""Re-review flags come home to reviews, the app that raises and resolves them.

The table was created by notifications 0001 and keeps its name
(``notifications_rereviewflag``) and its rows: only Django's picture of the models
moves (notifications 0004 lets go of it, this one takes it). The content type is
renamed so that the permissions on flags, and the groups holding them, follow.
"""

import django.db.models.deletion
import django.utils.timezone
from django.conf import settings
from django.db import migrations, models


def content_type_to(app_label: str, from_app_label: str):
    def rename(apps, schema_editor):
        ContentType = apps.get_model("contenttypes", "ContentType")
        db = schema_editor.connection.alias
        if ContentType.objects.using(db).filter(app_label=app_label, model="rereviewflag").exists():
            # Content types are made after migrate, so an upgrade never finds one here; one made
            # by hand keeps its own permissions rather than breaking the unique (app, model) pair.
            return
        ContentType.objects.using(db).filter(app_label=from_app_label, model="rereviewflag").update(
            app_label=app_label
        )

    return rename


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0006_review_one_per_member_per_version"),
        # The table exists from notifications 0001; notifications lets go of the model first.
        ("notifications", "0004_rereviewflag_moved_to_reviews"),
        ("contenttypes", "0002_remove_content_type_name"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="RereviewFlag",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("reason", models.TextField()),
                        ("doi", models.CharField(blank=True, max_length=200)),
                        ("pmid", models.CharField(blank=True, max_length=12)),
                        ("title", models.CharField(blank=True, max_length=500)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("resolved_at", models.DateTimeField(blank=True, null=True)),
                        (
                            "article",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="rereview_flags",
                                to="articles.article",
                            ),
                        ),
                        (
                            "flagged_by",
                            models.ForeignKey(
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "resolved_by",
                            models.ForeignKey(
                                blank=True,
                                null=True,
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to=settings.AUTH_USER_MODEL,
                            ),
                        ),
                        (
                            "version",
                            models.ForeignKey(
                                help_text="The version that cites it.",
                                on_delete=django.db.models.deletion.PROTECT,
                                related_name="+",
                                to="articles.articleversion",
                            ),
                        ),
                    ],
                    options={
                        "db_table": "notifications_rereviewflag",
                        "ordering": ["-created_at"],
                        "indexes": [
                            models.Index(fields=["article", "resolved_at"], name="rereview_flag_open")
                        ],
                    },
                ),
            ],
            database_operations=[],
        ),
        migrations.RunPython(
            content_type_to("reviews", from_app_label="notifications"),
            content_type_to("notifications", from_app_label="reviews"),
        ),
    ]
