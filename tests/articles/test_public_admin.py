"""The admin pages managing editors use for the public site: policy and feedback queue."""

import datetime

import pytest

from articles.models import Article
from site_content.feedback import submit_feedback
from site_content.models import EditorialPolicy, Feedback
from tests.factories import make_user
from tests.public.public_setup import publish_article, reviewer

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("fresh_cache")]


@pytest.fixture
def admin_client(client, db):
    user = make_user("boss", is_staff=True, is_superuser=True)
    client.force_login(user)
    client.user = user
    return client


@pytest.fixture
def feedback(editor, managing):
    article = publish_article(editor, managing, [reviewer("signer")])
    return submit_feedback(article=article, version=article.published_version, kind="problem", message="Typo")


def test_dismissing_in_the_admin_needs_a_reason_and_records_who(admin_client, feedback):
    url = f"/admin/site_content/feedback/{feedback.pk}/change/"
    response = admin_client.post(url, {"status": "dismissed", "dismissal_reason": ""})
    assert response.status_code == 200
    assert "Say why this feedback is dismissed." in response.content.decode()
    response = admin_client.post(url, {"status": "dismissed", "dismissal_reason": "Not an error."})
    assert response.status_code == 302
    feedback.refresh_from_db()
    assert (feedback.status, feedback.dismissal_reason, feedback.handled_by) == (
        "dismissed",
        "Not an error.",
        admin_client.user,
    )


def test_policy_editions_are_added_and_earlier_ones_kept(admin_client):
    first = EditorialPolicy.objects.create(
        body="First edition", published_at=datetime.datetime(2024, 1, 1, tzinfo=datetime.UTC)
    )
    response = admin_client.get("/admin/site_content/editorialpolicy/add/")
    assert "First edition" in response.content.decode()  # a new edition starts from the current text
    response = admin_client.post(
        "/admin/site_content/editorialpolicy/add/",
        {
            "body": "Second edition",
            "change_note": "Clarified",
            "published_at_0": "2025-01-01",
            "published_at_1": "00:00",
        },
    )
    assert response.status_code == 302
    latest = EditorialPolicy.objects.first()
    assert latest.body == "Second edition" and latest.created_by_id == admin_client.user.pk
    admin_client.post(f"/admin/site_content/editorialpolicy/{first.pk}/change/", {"body": "Rewritten"})
    first.refresh_from_db()
    assert first.body == "First edition"


def test_feedback_cannot_be_added_or_deleted_in_the_admin(admin_client, feedback):
    assert admin_client.get("/admin/site_content/feedback/add/").status_code == 403
    admin_client.post(f"/admin/site_content/feedback/{feedback.pk}/delete/", {"post": "yes"})
    assert Feedback.objects.filter(pk=feedback.pk).exists()


def test_managing_editors_edit_the_policy_and_editors_work_the_feedback_queue(client, feedback):
    from accounts.roles import EDITOR, MANAGING_EDITOR

    client.force_login(make_user("chief", MANAGING_EDITOR, is_staff=True))
    assert client.get("/admin/site_content/editorialpolicy/add/").status_code == 200
    assert client.get(f"/admin/site_content/feedback/{feedback.pk}/change/").status_code == 200
    client.force_login(make_user("writer", EDITOR, is_staff=True))
    assert client.get(f"/admin/site_content/feedback/{feedback.pk}/change/").status_code == 200
    assert client.get("/admin/site_content/editorialpolicy/add/").status_code == 403


def test_a_feedbacks_name_costs_no_query_and_uses_what_was_loaded(feedback, django_assert_num_queries):
    bare = Feedback.objects.get(pk=feedback.pk)
    joined = Feedback.objects.select_related("article", "version").get(pk=feedback.pk)
    slug = Article.objects.values_list("slug", flat=True).get(pk=feedback.article_id)
    with django_assert_num_queries(0):
        kind = feedback.get_kind_display()
        assert str(bare) == f"{kind} on article #{feedback.article_id} version #{feedback.version_id}"
        assert str(joined) == f"{kind} on {slug} v1"
