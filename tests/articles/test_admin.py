"""The admin shows articles and their trail, and changes nothing except through the workflow and drafting."""

import pytest
from django.contrib.auth.models import Permission
from django.contrib.messages import get_messages
from django.urls import reverse

from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from articles.models import Article, ArticleState, ArticleVersion, Specialty
from audit.models import AuditEvent
from reviews.workflow import Action, perform
from tests.admin_forms import rendered_form_data
from tests.factories import approve_directly, make_article, make_user, submit

CHANGELIST = reverse("admin:articles_article_changelist")


def article_page(article: Article) -> str:
    return reverse("admin:articles_article_change", args=[article.pk])


def version_page(version: ArticleVersion) -> str:
    return reverse("admin:articles_articleversion_change", args=[version.pk])


def messages_of(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


@pytest.fixture
def staff_editor(editor):
    """The articles' own editor, with staff status: the admin shows an editor their own articles."""
    editor.is_staff = True
    editor.save(update_fields=["is_staff"])
    return editor


@pytest.fixture
def staff_managing(db):
    return make_user("staff-managing", MANAGING_EDITOR, is_staff=True)


@pytest.fixture
def superuser(db):
    return make_user("root", is_staff=True, is_superuser=True)


@pytest.fixture
def published_article(staff_editor, staff_managing):
    reviewer = make_user("approver", REVIEWER)
    article = approve_directly(submit(make_article(staff_editor), staff_editor), reviewer, staff_managing)
    perform(article, Action.PUBLISH, staff_editor)
    return Article.objects.get(pk=article.pk)


def run_action(client, action: str, article: Article, **extra):
    return client.post(CHANGELIST, {"action": action, "_selected_action": [article.pk], **extra}, follow=True)


# --- seeing -------------------------------------------------------------------


def test_a_staff_editor_sees_the_articles_in_the_admin(client, staff_editor, draft_article):
    client.force_login(staff_editor)

    response = client.get(CHANGELIST)

    assert response.status_code == 200
    assert draft_article.title in response.content.decode()
    assert 'name="reason"' in response.content.decode()  # beside the workflow actions


def test_another_editors_article_is_not_there_in_the_admin(client, draft_article):
    other = make_user("other-editor", EDITOR, is_staff=True)
    client.force_login(other)

    listed = client.get(CHANGELIST)
    assert listed.status_code == 200
    assert list(listed.context["cl"].result_list) == []
    versions = client.get(reverse("admin:articles_articleversion_changelist"))
    assert list(versions.context["cl"].result_list) == []
    # As on the desk and in the API: answered like an article that does not exist.
    for page in (article_page(draft_article), version_page(draft_article.latest_version())):
        response = client.get(page)
        assert response.status_code == 302
        assert response["Location"] == reverse("admin:index")


def test_the_article_page_shows_its_own_audit_trail_to_an_editor(client, staff_editor, submitted_article):
    client.force_login(staff_editor)

    page = client.get(article_page(submitted_article)).content.decode()

    assert "article.created" in page
    assert "article.submit" in page
    # Editors read one article's trail here, not the whole audit log.
    assert reverse("admin:audit_auditevent_changelist") not in page


def test_a_managing_editor_follows_a_link_to_the_articles_events_in_the_audit_log(
    client, staff_managing, editor, submitted_article
):
    other = make_article(editor, slug="another-article")
    client.force_login(staff_managing)

    page = client.get(article_page(submitted_article)).content.decode()
    link = reverse("admin:audit_auditevent_changelist") + f"?article__id__exact={submitted_article.pk}"
    assert link in page

    log = client.get(link)
    assert log.status_code == 200
    listed = {e.pk for e in log.context["cl"].result_list}
    assert listed == set(AuditEvent.objects.filter(article=submitted_article).values_list("pk", flat=True))
    assert not listed & set(AuditEvent.objects.filter(article=other).values_list("pk", flat=True))


def test_articles_are_neither_added_nor_deleted_in_the_admin(client, superuser, draft_article):
    client.force_login(superuser)

    assert client.get(reverse("admin:articles_article_add")).status_code == 403
    assert client.get(reverse("admin:articles_article_delete", args=[draft_article.pk])).status_code == 403
    assert Article.objects.filter(pk=draft_article.pk).exists()


# --- workflow actions -----------------------------------------------------------


def test_a_refused_transition_shows_an_error_message_and_changes_nothing(client, staff_editor):
    draft_article = make_article(staff_editor)
    client.force_login(staff_editor)
    events = AuditEvent.objects.count()

    response = run_action(client, "workflow_publish", draft_article)

    assert response.status_code == 200
    assert any('Cannot "publish"' in m and "Draft" in m for m in messages_of(response))
    assert Article.objects.get(pk=draft_article.pk).state == ArticleState.DRAFT
    assert AuditEvent.objects.count() == events


def test_the_publish_action_runs_the_workflow(client, staff_editor, staff_managing):
    reviewer = make_user("approver", REVIEWER)
    article = approve_directly(submit(make_article(staff_editor), staff_editor), reviewer, staff_managing)
    client.force_login(staff_editor)

    response = run_action(client, "workflow_publish", article)

    article.refresh_from_db()
    assert article.state == ArticleState.PUBLISHED
    assert article.published_version_id == article.latest_version().pk
    assert (
        AuditEvent.objects.filter(article=article, action="article.publish", actor=staff_editor).count() == 1
    )
    assert any("Publish: done" in m for m in messages_of(response))


def test_archiving_from_the_admin_records_the_reason(client, staff_managing, published_article):
    client.force_login(staff_managing)

    run_action(client, "workflow_archive", published_article, reason="Replaced by a newer article.")

    assert Article.objects.get(pk=published_article.pk).state == ArticleState.ARCHIVED
    event = AuditEvent.objects.get(article=published_article, action="article.archive")
    assert event.payload["reason"] == "Replaced by a newer article."


def test_archiving_without_a_reason_is_refused_with_a_message(client, staff_managing, published_article):
    client.force_login(staff_managing)

    response = run_action(client, "workflow_archive", published_article)

    assert any("reason is required" in m for m in messages_of(response))
    assert Article.objects.get(pk=published_article.pk).state == ArticleState.PUBLISHED


def test_an_action_for_someone_elses_role_is_refused_with_a_message(client, staff_editor, submitted_article):
    # Rejecting is the managing editor's (start_review, used here before, is no longer an admin
    # action: review starts by assigning a reviewer, on every screen).
    client.force_login(staff_editor)

    response = run_action(client, "workflow_reject", submitted_article, reason="Out of scope.")

    assert any("You cannot" in m for m in messages_of(response))
    assert Article.objects.get(pk=submitted_article.pk).state == ArticleState.SUBMITTED


def test_actions_also_run_from_the_article_page(client, staff_managing, submitted_article):
    client.force_login(staff_managing)

    client.post(
        article_page(submitted_article),
        {
            "CHANGE_FORM-action": "workflow_return",
            "CHANGE_FORM-reason": "Needs a professional section.",
            "_selected_action": [submitted_article.pk],
        },
    )

    assert Article.objects.get(pk=submitted_article.pk).state == ArticleState.CHANGES_REQUESTED


def test_opening_a_new_version_from_the_admin_revises_a_published_article(
    client, staff_editor, published_article
):
    client.force_login(staff_editor)

    run_action(client, "open_working_draft", published_article)

    article = Article.objects.get(pk=published_article.pk)
    assert article.state == ArticleState.DRAFT
    assert article.latest_version().number == 2
    assert not article.latest_version().is_frozen


# --- editing the article record ---------------------------------------------------


def test_the_state_cannot_be_set_through_the_article_form(client, superuser, draft_article):
    client.force_login(superuser)
    form = client.get(article_page(draft_article)).context["adminform"].form

    assert "state" not in form.fields
    assert "published_version" not in form.fields


def test_changing_an_articles_owner_in_the_admin_is_audited(client, staff_managing, draft_article):
    new_owner = make_user("editor-b", EDITOR)
    client.force_login(staff_managing)
    data = {
        "specialty": draft_article.specialty_id,
        "owner": new_owner.pk,
        "next_review_due": "",
        "required_approvals": "",
    }

    response = client.post(article_page(draft_article), data)

    assert response.status_code == 302
    assert Article.objects.get(pk=draft_article.pk).owner_id == new_owner.pk
    event = AuditEvent.objects.get(article=draft_article, action="article.settings_changed")
    assert event.actor_id == staff_managing.pk
    assert event.payload["changes"] == {"owner": [draft_article.owner_id, new_owner.pk]}


def test_adding_a_specialty_in_the_admin_is_audited(client, staff_managing):
    client.force_login(staff_managing)

    client.post(
        reverse("admin:articles_specialty_add"),
        {"slug": "neurology", "name": "Neurology", "review_interval_months": 24, "required_approvals": 1},
    )

    specialty = Specialty.objects.get(slug="neurology")
    event = AuditEvent.objects.get(action="specialty.created")
    assert event.target_id == str(specialty.pk)
    assert event.payload["changes"]["name"] == [None, "Neurology"]


# --- the working draft -----------------------------------------------------------------


def test_a_working_draft_edited_in_the_admin_is_saved_through_drafting(client, superuser, draft_article):
    version = draft_article.latest_version()
    client.force_login(superuser)
    data = rendered_form_data(client.get(version_page(version)))
    data["title"] = "Cervical insufficiency: a guide"
    data["sections-0-body"] = "The cervix can open early [1]. A stitch may help [2]."

    response = client.post(version_page(version), data)

    assert response.status_code == 302
    version.refresh_from_db()
    assert version.title == "Cervical insufficiency: a guide"
    assert version.revision == 2
    assert version.last_edited_by_id == superuser.pk
    assert version.sections.get().body == "The cervix can open early [1]. A stitch may help [2]."
    assert AuditEvent.objects.filter(article=draft_article, action="draft.saved").count() == 1


def test_a_stale_admin_save_is_refused_and_changes_nothing(client, superuser, editor, draft_article):
    from articles.drafting import DraftContent, save_draft

    version = draft_article.latest_version()
    client.force_login(superuser)
    data = rendered_form_data(client.get(version_page(version)))
    # Someone else saves while the admin page is open.
    save_draft(draft_article, DraftContent.from_version(version), expected_revision=1, actor=editor)
    data["title"] = "Overwritten?"

    response = client.post(version_page(version), data, follow=True)

    assert any("Someone else saved this draft" in m for m in messages_of(response))
    version.refresh_from_db()
    assert version.title == draft_article.title
    assert version.revision == 2


def test_a_malformed_reference_in_the_admin_is_shown_as_a_form_error(client, superuser, draft_article):
    version = draft_article.latest_version()
    client.force_login(superuser)
    data = rendered_form_data(client.get(version_page(version)))
    data["references-0-doi"] = "https://doi.org/not-a-doi"

    response = client.post(version_page(version), data)

    assert response.status_code == 200
    assert "A DOI looks like" in response.content.decode()
    assert ArticleVersion.objects.get(pk=version.pk).revision == 1


def test_a_frozen_version_is_shown_read_only(client, superuser, submitted_article):
    client.force_login(superuser)

    response = client.get(version_page(submitted_article.latest_version()))

    assert response.status_code == 200
    assert not set(response.context["adminform"].form.fields) & {"title", "summary", "change_summary"}
    assert all(
        not inline.has_change_permission and not inline.has_add_permission
        for inline in response.context["inline_admin_formsets"]
    )


def test_a_staff_editor_reads_versions_in_the_admin_but_edits_elsewhere(client, staff_editor):
    article = make_article(staff_editor)
    version = article.latest_version()
    client.force_login(staff_editor)

    assert client.get(version_page(version)).status_code == 200
    response = client.post(version_page(version), {"title": "Changed", "expected_revision": 1}, follow=True)

    assert any("not edit them" in m for m in messages_of(response))
    assert ArticleVersion.objects.get(pk=version.pk).title == article.title


def test_a_superuser_who_is_not_the_owner_still_edits_as_managing_editor_but_a_stranger_cannot(
    client, draft_article
):
    stranger = make_user("stranger", is_staff=True)
    stranger.user_permissions.add(
        *Permission.objects.filter(codename__in=["view_articleversion", "change_articleversion"])
    )
    version = draft_article.latest_version()
    client.force_login(stranger)

    response = client.post(version_page(version), {"title": "Changed", "expected_revision": 1}, follow=True)

    # Not theirs to see: answered like a version that does not exist, and nothing changes.
    assert response.redirect_chain == [(reverse("admin:index"), 302)]
    assert ArticleVersion.objects.get(pk=version.pk).title == draft_article.title
