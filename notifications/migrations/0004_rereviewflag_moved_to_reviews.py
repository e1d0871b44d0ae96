"""Re-review flags belong to reviews now (reviews 0007 takes the model over).

Only Django's picture of the models changes: the table ``notifications_rereviewflag``
and every row in it stay, and reviews' model keeps that table name.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("notifications", "0003_webhook_channel_and_disabled_kind"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="RereviewFlag")],
            database_operations=[],
        ),
    ]
