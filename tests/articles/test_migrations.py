"""This session's migrations keep every row (issue 14): run on a database as the previous
``main`` left it, then forward, with Django's migration executor."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

BEFORE = [
    ("articles", "0006_trigram_indexes_without_pending_list"),
    ("reviews", "0005_assignment_invited_index"),
    ("site_content", "0001_initial"),
]
AFTER = [
    ("articles", "0008_version_specialty_required"),
    ("reviews", "0006_review_one_per_member_per_version"),
    ("site_content", "0002_remove_site_settings"),
]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    migrate(executor_leaves())


def executor_leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def seed(apps):
    """An article filed under cardiology with a frozen version and a draft, as the old schema held it."""
    user = apps.get_model("auth", "User").objects.create(username="old-editor")
    cardiology = apps.get_model("articles", "Specialty").objects.create(slug="cardiology", name="Cardiology")
    article = apps.get_model("articles", "Article").objects.create(
        slug="old", title="Old", specialty=cardiology, owner=user
    )
    versions = apps.get_model("articles", "ArticleVersion")
    now = timezone.now()
    versions.objects.create(article=article, number=1, title="Old", author=user, frozen_at=now)
    versions.objects.create(article=article, number=2, title="Old, revised", author=user)
    return article


def test_every_version_is_filed_under_its_articles_specialty_and_no_row_is_lost(old_apps):
    article = seed(old_apps)
    counts = {
        name: old_apps.get_model(*name.split(".")).objects.count()
        for name in ("articles.Article", "articles.ArticleVersion", "articles.Specialty", "auth.User")
    }

    new_apps = migrate(AFTER)

    versions = new_apps.get_model("articles", "ArticleVersion").objects.filter(article_id=article.pk)
    assert sorted(versions.values_list("number", "specialty__slug")) == [(1, "cardiology"), (2, "cardiology")]
    assert {name: new_apps.get_model(*name.split(".")).objects.count() for name in counts} == counts


def test_a_member_who_reviewed_a_version_twice_stops_the_migration_naming_them(old_apps):
    article = seed(old_apps)
    version = old_apps.get_model("articles", "ArticleVersion").objects.get(article=article, number=1)
    user = old_apps.get_model("auth", "User").objects.create(username="old-reviewer")
    member = old_apps.get_model("reviews", "BoardMember").objects.create(user=user, display_name="Dr Old")
    assignments = old_apps.get_model("reviews", "ReviewAssignment")
    reviews = old_apps.get_model("reviews", "Review")
    for _ in range(2):  # the defect the constraint closes: the same member's second review of v1
        assignment = assignments.objects.create(
            article=article,
            version=version,
            reviewer=member,
            assigned_by=user,
            status="completed",
            respond_by=timezone.now(),
        )
        reviews.objects.create(assignment=assignment, version=version, reviewer=member, decision="approve")

    with pytest.raises(RuntimeError, match="reviewed the same version more than once"):
        migrate(AFTER)
    assert reviews.objects.count() == 2  # nothing was deleted to make it fit
    # What the person deciding would do, so the fixture can bring the schema forward again.
    second = reviews.objects.order_by("-pk").first()
    second.delete()
    assignments.objects.filter(pk=second.assignment_id).delete()
