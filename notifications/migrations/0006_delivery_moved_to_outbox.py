"""``Delivery`` belongs to the outbox app now (outbox 0001 takes the model over).

Only Django's picture of the models changes: the table ``notifications_delivery`` and every
row in it stay, and the email messages' foreign key still points at it.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0005_email_messages"),
        ("outbox", "0001_delivery_from_notifications"),
        # Webhook messages point at the outbox's model before this one is let go.
        ("webhooks", "0002_delivery_in_outbox"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="emailmessage",
                    name="delivery",
                    field=models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="email",
                        serialize=False,
                        to="outbox.delivery",
                    ),
                ),
                migrations.DeleteModel(name="Delivery"),
            ],
            database_operations=[],
        ),
    ]
