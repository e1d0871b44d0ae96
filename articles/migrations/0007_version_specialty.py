import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def file_each_version_under_its_article(apps, schema_editor):
    # Until now the specialty lived on the article only, so the article's is the best record of
    # what each version was filed under. Every version gets one; no row is added or removed.
    Article = apps.get_model("articles", "Article")
    ArticleVersion = apps.get_model("articles", "ArticleVersion")
    ArticleVersion.objects.update(
        specialty_id=Subquery(Article.objects.filter(pk=OuterRef("article_id")).values("specialty_id")[:1])
    )


class Migration(migrations.Migration):
    dependencies = [("articles", "0006_trigram_indexes_without_pending_list")]

    operations = [
        migrations.AddField(
            model_name="articleversion",
            name="specialty",
            field=models.ForeignKey(
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="versions",
                to="articles.specialty",
            ),
        ),
        migrations.RunPython(file_each_version_under_its_article, migrations.RunPython.noop),
    ]
