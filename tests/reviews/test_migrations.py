"""Re-review flags move from notifications to reviews without losing a row (issue 15).

A database as the previous ``main`` left it (notifications 0003, reviews 0006), holding
flags, open and resolved, and a group granted a permission on them, is brought forward
with Django's migration executor; the rows are then read through ``reviews.models``.
"""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from reviews.models import RereviewFlag

BEFORE = [
    # The apps the seed writes, as main left them too (the state at a target holds only
    # the migrations it depends on).
    ("articles", "0008_version_specialty_required"),
    ("auth", "0012_alter_user_first_name_max_length"),
    ("contenttypes", "0002_remove_content_type_name"),
    ("notifications", "0003_webhook_channel_and_disabled_kind"),
    ("reviews", "0006_review_one_per_member_per_version"),
]
AFTER = [
    ("notifications", "0004_rereviewflag_moved_to_reviews"),
    ("reviews", "0007_rereviewflag_from_notifications"),
]

pytestmark = pytest.mark.django_db(transaction=True)


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def executor_leaves():
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


@pytest.fixture
def old_apps():
    apps = migrate(BEFORE)
    yield apps
    migrate(executor_leaves())


def seed(apps):
    """A published article's version flagged twice (one flag resolved), as notifications held them."""
    users = apps.get_model("auth", "User")
    managing, editor = users.objects.create(username="old-managing"), users.objects.create(username="old-ed")
    specialty = apps.get_model("articles", "Specialty").objects.create(slug="cardiology", name="Cardiology")
    article = apps.get_model("articles", "Article").objects.create(
        slug="old", title="Old", specialty=specialty, owner=editor
    )
    version = apps.get_model("articles", "ArticleVersion").objects.create(
        article=article, number=1, title="Old", author=editor, frozen_at=timezone.now(), specialty=specialty
    )
    flags = apps.get_model("notifications", "RereviewFlag")
    open_flag = flags.objects.create(
        article=article, version=version, reason="Retracted.", doi="10.1/x", flagged_by=managing
    )
    resolved = flags.objects.create(
        article=article,
        version=version,
        reason="Updated review.",
        pmid="123",
        title="A trial",
        flagged_by=managing,
        resolved_at=timezone.now(),
        resolved_by=editor,
    )
    return open_flag.pk, resolved.pk


def grant_view_on_old_flags(apps) -> int:
    """A group holding ``notifications.view_rereviewflag``, as the old post_migrate granted it."""
    content_type, _ = apps.get_model("contenttypes", "ContentType").objects.get_or_create(
        app_label="notifications", model="rereviewflag"
    )
    permission, _ = apps.get_model("auth", "Permission").objects.get_or_create(
        content_type=content_type, codename="view_rereviewflag", defaults={"name": "Can view rereview flag"}
    )
    apps.get_model("auth", "Group").objects.create(name="Old flag readers").permissions.add(permission)
    return permission.pk


def test_every_flag_survives_the_move_and_reads_through_reviews_models(old_apps):
    open_pk, resolved_pk = seed(old_apps)
    before = list(
        old_apps.get_model("notifications", "RereviewFlag")
        .objects.order_by("pk")
        .values_list("pk", "article_id", "version_id", "reason", "doi", "pmid", "title", "flagged_by_id")
    )

    migrate(AFTER)

    after = list(
        RereviewFlag.objects.order_by("pk").values_list(
            "pk", "article_id", "version_id", "reason", "doi", "pmid", "title", "flagged_by_id"
        )
    )
    assert after == before
    flag = RereviewFlag.objects.select_related("article", "version", "flagged_by").get(pk=open_pk)
    assert (flag.article.slug, flag.version.number, flag.flagged_by.username, flag.is_open) == (
        "old",
        1,
        "old-managing",
        True,
    )
    resolved = RereviewFlag.objects.select_related("resolved_by").get(pk=resolved_pk)
    assert (resolved.is_open, resolved.resolved_by.username) == (False, "old-ed")
    assert sorted(flag.article.rereview_flags.values_list("pk", flat=True)) == sorted([open_pk, resolved_pk])


def test_permissions_on_flags_follow_them_to_reviews(old_apps):
    permission_pk = grant_view_on_old_flags(old_apps)

    new_apps = migrate(AFTER)

    group = new_apps.get_model("auth", "Group").objects.get(name="Old flag readers")
    assert list(group.permissions.values_list("pk", "content_type__app_label", "codename")) == [
        (permission_pk, "reviews", "view_rereviewflag")
    ]
