from django.db import migrations, models
from django.db.models import Count


def refuse_if_counted_twice(apps, schema_editor):
    # Before this constraint a board member could be assigned the same version again after
    # reviewing it, and their second review counted twice. Reviews are final and never deleted,
    # so a database holding such a pair cannot be fixed here without losing a row: stop, and
    # name them, so that a person decides (the quorum code counts each member once meanwhile).
    Review = apps.get_model("reviews", "Review")
    twice = list(
        Review.objects.values("version_id", "reviewer_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .values_list("version_id", "reviewer_id")
    )
    if twice:
        raise RuntimeError(
            "These board members reviewed the same version more than once (version id, member id): "
            f"{twice}. Each counts once; decide what to keep before applying this migration."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("reviews", "0005_assignment_invited_index"),
    ]

    operations = [
        migrations.RunPython(refuse_if_counted_twice, migrations.RunPython.noop, elidable=False),
        migrations.AddConstraint(
            model_name="review",
            constraint=models.UniqueConstraint(
                fields=("version", "reviewer"), name="review_one_per_member_per_version"
            ),
        ),
    ]
