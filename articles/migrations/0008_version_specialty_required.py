import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    # Its own migration (own transaction): on PostgreSQL, ALTER TABLE after the data update in
    # the same transaction fails with "pending trigger events" (the deferred foreign key check).
    dependencies = [("articles", "0007_version_specialty")]

    operations = [
        migrations.AlterField(
            model_name="articleversion",
            name="specialty",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT, related_name="versions", to="articles.specialty"
            ),
        ),
    ]
