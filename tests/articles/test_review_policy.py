"""Property 4 (issue 14) for how many must sign: required approvals (specialty and article) and an
article's settings change with exactly one audit event per save, from the admin and from commands."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.roles import EDITOR, MANAGING_EDITOR
from articles.errors import ContentInvalid
from articles.models import Article, Specialty
from articles.review_policy import update_article_settings, update_specialty
from tests.admin_forms import assert_chain_intact, events_since, last_seq, post_edits
from tests.factories import make_specialty, make_user


@pytest.fixture
def chief(db):
    return make_user("chief", MANAGING_EDITOR, is_staff=True)


@pytest.fixture
def admin_client(client, chief):
    client.force_login(chief)
    return client


def specialty_page(specialty: Specialty) -> str:
    return reverse("admin:articles_specialty_change", args=[specialty.pk])


def article_page(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


@pytest.mark.parametrize(
    ("field", "before", "after"), [("required_approvals", 1, 2), ("review_interval_months", 12, 6)]
)
def test_a_specialtys_policy_changed_in_the_admin_is_one_event(admin_client, chief, field, before, after):
    specialty = make_specialty("neurology")
    seq = last_seq()

    response = post_edits(admin_client, specialty_page(specialty), {field: str(after)})

    assert response.status_code == 302
    [event] = events_since(seq)
    assert event.action == "specialty.updated" and event.actor_id == chief.pk
    assert event.payload["changes"] == {field: [before, after]}
    assert getattr(Specialty.objects.get(pk=specialty.pk), field) == after
    assert_chain_intact()


def test_saving_a_specialty_unchanged_writes_no_event(admin_client):
    specialty = make_specialty("neurology")
    seq = last_seq()

    assert post_edits(admin_client, specialty_page(specialty), {}).status_code == 302
    assert events_since(seq) == []


def test_a_specialty_needing_no_approval_is_refused_and_nothing_is_written(admin_client):
    specialty = make_specialty("neurology")
    seq = last_seq()

    response = post_edits(admin_client, specialty_page(specialty), {"required_approvals": "0"})

    assert response.status_code == 200  # the form again, with the error
    assert Specialty.objects.get(pk=specialty.pk).required_approvals == 1
    assert events_since(seq) == []


def test_an_articles_required_approvals_changed_in_the_admin_is_one_event(admin_client, chief, draft_article):
    seq = last_seq()

    response = post_edits(admin_client, article_page(draft_article), {"required_approvals": "3"})

    assert response.status_code == 302
    [event] = events_since(seq)
    assert event.action == "article.settings_changed" and event.article_id == draft_article.pk
    assert event.payload["changes"] == {"required_approvals": [None, 3]}
    article = Article.objects.select_related("specialty").get(pk=draft_article.pk)
    assert article.approvals_needed == 3
    assert_chain_intact()


def test_an_article_needing_no_approval_is_refused_with_a_message(admin_client, draft_article):
    seq = last_seq()

    response = post_edits(admin_client, article_page(draft_article), {"required_approvals": "0"}, follow=True)

    assert response.status_code == 200
    assert any("at least one approval" in str(m) for m in get_messages(response.wsgi_request))
    assert Article.objects.get(pk=draft_article.pk).required_approvals is None
    assert events_since(seq) == []


def test_owner_and_approvals_of_one_save_are_one_event(admin_client, draft_article):
    other = make_user("editor-b", EDITOR)
    seq = last_seq()

    post_edits(admin_client, article_page(draft_article), {"owner": str(other.pk), "required_approvals": "2"})

    [event] = events_since(seq)
    assert event.payload["changes"] == {
        "owner": [draft_article.owner_id, other.pk],
        "required_approvals": [None, 2],
    }


def test_saving_an_article_unchanged_writes_no_event(admin_client, draft_article):
    seq = last_seq()

    assert post_edits(admin_client, article_page(draft_article), {}).status_code == 302
    assert events_since(seq) == []


# --- the command door ---------------------------------------------------------------------------


def test_a_command_changing_required_approvals_writes_one_event_and_none_when_already_so(draft_article):
    specialty = make_specialty("neurology")
    seq = last_seq()

    update_specialty(specialty.pk, {"required_approvals": 2})
    update_specialty(specialty.pk, {"required_approvals": 2})
    update_article_settings(draft_article.pk, {"required_approvals": None})  # already the default

    [event] = events_since(seq)
    assert (event.action, event.actor_label) == ("specialty.updated", "system")
    assert_chain_intact()


def test_the_slug_is_not_changed_through_the_policy(db):
    specialty = make_specialty("neurology")
    with pytest.raises(ContentInvalid, match="slug"):
        update_specialty(specialty.pk, {"slug": "brain"})


@pytest.mark.parametrize("field", ["specialty", "next_review_due"])
def test_reader_visible_fields_are_not_article_settings(draft_article, field):
    """Readers see them: the specialty changes only with a reviewed version, the review dates only
    with the publish that follows the board's approvals (issue 14, property 1)."""
    from articles.errors import ContentInvalid

    seq = last_seq()
    with pytest.raises(ContentInvalid):
        update_article_settings(draft_article.pk, {field: None})
    assert events_since(seq) == []
