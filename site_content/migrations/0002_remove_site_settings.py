# The site switch that showed readers a version still under review is gone (issue 14: readers
# see only text the board signed), and with it the settings row that only held that switch.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("site_content", "0001_initial"),
    ]

    operations = [
        migrations.DeleteModel(name="SiteSettings"),
    ]
