"""A webhook message's outbox row is the outbox app's ``Delivery`` now (outbox 0001).

Only Django's picture changes: the column and its foreign key still point at the same
table, ``notifications_delivery``.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_endpoints_messages_attempts"),
        ("outbox", "0001_delivery_from_notifications"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="webhookmessage",
                    name="delivery",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="webhook",
                        serialize=False,
                        to="outbox.delivery",
                    ),
                ),
            ],
            database_operations=[],
        ),
    ]
