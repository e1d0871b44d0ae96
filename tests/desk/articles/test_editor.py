"""The draft editor at /desk/articles/<slug>/edit/: saving, previews, stale edits, the check."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import EDITOR, REVIEWER
from articles.drafting import DraftContent, save_draft
from articles.models import Article, ArticleState, ArticleVersion
from tests.desk.articles.desk_setup import client_for, csp_problems, draft_post_data, messages_of
from tests.factories import make_article, make_user, valid_content


def edit_url(article: Article) -> str:
    return reverse("desk:edit", args=[article.slug])


def test_editor_shows_the_working_draft_with_its_revision(editor, draft_article):
    response = client_for(editor).get(edit_url(draft_article))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'name="revision" value="1"' in html
    assert "Cervical insufficiency in pregnancy" in html
    # The saved sections' previews are rendered on the server, citations as links.
    assert '<a href="#ref-1"' in html


def test_saving_replaces_sections_and_references_in_the_given_order(editor, draft_article):
    data = draft_post_data(
        draft_article,
        **{
            # A professional section appears; the patient section gets a second one placed first.
            "patient-TOTAL_FORMS": "2",
            "patient-0-ORDER": "2",
            "patient-1-heading": "Symptoms",
            "patient-1-body": "Often there are none [2].",
            "patient-1-ORDER": "1",
            "professional-TOTAL_FORMS": "1",
            "professional-INITIAL_FORMS": "0",
            "professional-0-heading": "Management",
            "professional-0-body": "Cerclage is considered after a history of loss [1].",
            "professional-0-ORDER": "1",
            # The two references swap numbers.
            "refs-0-ORDER": "2",
            "refs-1-ORDER": "1",
        },
    )

    response = client_for(editor).post(edit_url(draft_article), data)

    assert response.status_code == 302
    version = ArticleVersion.objects.get(article=draft_article, number=1)
    assert version.revision == 2
    patient = list(version.sections.filter(audience="patient").order_by("position"))
    assert [s.heading for s in patient] == ["Symptoms", "What it is"]
    assert list(version.sections.filter(audience="professional").values_list("heading", flat=True)) == [
        "Management"
    ]
    refs = list(version.references.order_by("number"))
    assert [r.title for r in refs] == [
        "Cervical stitch (cerclage) for preventing preterm birth",
        "Cerclage for the management of cervical insufficiency",
    ]


def test_removing_a_reference_and_adding_one_in_a_blank_row(editor, draft_article):
    data = draft_post_data(
        draft_article,
        **{
            "refs-0-DELETE": "on",
            "refs-TOTAL_FORMS": "3",
            # A new row with no number goes after the last one.
            "refs-2-kind": "rct",
            "refs-2-title": "A new trial",
            "refs-2-source": "The Lancet",
            "refs-2-year": "2023",
        },
    )

    response = client_for(editor).post(edit_url(draft_article), data)

    assert response.status_code == 302
    refs = list(draft_article.working_draft().references.order_by("number").values_list("number", "title"))
    assert refs == [(2, "Cervical stitch (cerclage) for preventing preterm birth"), (3, "A new trial")]


def test_blank_extra_rows_are_ignored(editor, draft_article):
    data = draft_post_data(draft_article, **{"refs-TOTAL_FORMS": "5", "professional-TOTAL_FORMS": "1"})

    response = client_for(editor).post(edit_url(draft_article), data)

    assert response.status_code == 302
    version = draft_article.working_draft()
    assert version.references.count() == 2
    assert version.sections.count() == 1


def test_a_domain_validation_error_is_shown_on_its_field_and_nothing_is_saved(editor, draft_article):
    data = draft_post_data(draft_article, **{"refs-1-doi": "https://doi.org/10.1/x"})

    response = client_for(editor).post(edit_url(draft_article), data)

    assert response.status_code == 400
    assert "A DOI looks like 10.1234/abc.123" in response.content.decode()
    assert draft_article.working_draft().revision == 1


def test_invalid_form_shape_is_refused_with_400(editor, draft_article):
    data = draft_post_data(draft_article, **{"refs-0-year": "nineteen"})

    response = client_for(editor).post(edit_url(draft_article), data)

    assert response.status_code == 400
    assert draft_article.working_draft().revision == 1


def test_stale_save_changes_nothing_and_keeps_the_users_input(editor, managing, draft_article):
    # The managing editor saves while the editor still has revision 1 open.
    save_draft(draft_article, valid_content(title="Their title"), expected_revision=1, actor=managing)
    data = draft_post_data(draft_article, revision="1", title="My unsaved title")

    response = client_for(editor).post(edit_url(draft_article), data)

    assert response.status_code == 412
    version = draft_article.working_draft()
    assert version.title == "Their title" and version.revision == 2
    assert version.sections.count() == 1 and version.references.count() == 2
    assert any("Someone else saved this draft" in m for m in messages_of(response))
    html = response.content.decode()
    assert 'value="My unsaved title"' in html  # the user's input is still in the form
    assert "What managing saved (revision 2)" in html  # and theirs is shown
    assert 'name="revision" value="2"' in html  # saving again is now a deliberate overwrite


def test_saving_after_seeing_the_stale_message_goes_through(editor, draft_article):
    save_draft(draft_article, valid_content(title="Their title"), expected_revision=1, actor=editor)
    client = client_for(editor)
    stale = client.post(edit_url(draft_article), draft_post_data(draft_article, revision="1", title="Mine"))
    assert stale.status_code == 412

    again = client.post(edit_url(draft_article), draft_post_data(draft_article, revision="2", title="Mine"))

    assert again.status_code == 302
    assert draft_article.working_draft().title == "Mine"


def test_preview_button_renders_without_saving(editor, draft_article):
    data = draft_post_data(draft_article, **{"patient-0-body": "**Bold** claim [1]."})
    data.pop("save")
    data["preview"] = "1"

    response = client_for(editor).post(edit_url(draft_article), data)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<strong>Bold</strong> claim" in html
    assert "nothing has been saved yet" in html
    assert draft_article.working_draft().revision == 1


def test_preview_endpoint_returns_sanitised_html(editor, draft_article):
    payload = (
        "Hello <script>alert(1)</script> [1]\n\n"
        "[click](javascript:alert(2)) <img src=x onerror=alert(3)>\n\n"
        '<a href="#" onclick="alert(4)">x</a>'
    )

    response = client_for(editor).post(reverse("desk:preview", args=[draft_article.slug]), {"body": payload})

    assert response.status_code == 200
    html = response.content.decode()
    # Nothing executable survives: no script or img element, no handler, no javascript: link
    # (the raw HTML comes back as escaped text, which is harmless).
    assert "<script" not in html and "<img" not in html
    assert csp_problems(html) == []
    assert "&lt;script&gt;" in html
    assert 'href="#ref-1"' in html  # citations still become links


def test_preview_endpoint_is_only_for_those_who_may_edit(editor, draft_article):
    other = make_user("other", EDITOR)

    response = client_for(other).post(reverse("desk:preview", args=[draft_article.slug]), {"body": "x"})

    assert response.status_code == 404  # another editor's article is not even visible


def test_citation_check_is_shown_on_the_editor(editor):
    content = valid_content()
    content.sections[0].body = "A claim citing a missing reference [7]."
    article = make_article(editor, content=content)

    html = client_for(editor).get(edit_url(article)).content.decode()

    assert "Must be fixed before submitting" in html
    assert "The text cites references that do not exist: [7]." in html
    assert "References nothing cites: [1], [2]." in html


def test_readability_warning_is_shown_for_a_hard_patient_section(editor):
    content = valid_content()
    content.sections[0].body = (
        "Cervical insufficiency, characterised by painless progressive cervical dilatation in the "
        "second trimester, necessitates individualised multidisciplinary consideration of transvaginal "
        "cerclage placement contingent upon sonographically demonstrated cervical shortening [1] [2]."
    )
    article = make_article(editor, content=content)

    html = client_for(editor).get(edit_url(article)).content.decode()

    assert "above the target of 8" in html
    assert "Ready to submit" in html  # a warning does not block


def test_another_editors_article_is_404(draft_article):
    other = make_user("other", EDITOR)

    assert client_for(other).get(edit_url(draft_article)).status_code == 404


def test_a_reviewer_cannot_use_the_desk(draft_article):
    reviewer = make_user("rev", REVIEWER)

    assert client_for(reviewer).get(edit_url(draft_article)).status_code == 403


def test_anonymous_is_sent_to_login(draft_article, client):
    response = client.get(edit_url(draft_article))

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_editing_a_frozen_version_offers_a_new_version_then_opens_it(editor, submitted_article, managing):
    from tests.factories import approve_directly

    reviewer = make_user("rev", REVIEWER)
    approve_directly(submitted_article, reviewer, managing)
    client = client_for(editor)

    page = client.get(edit_url(submitted_article))
    assert page.status_code == 200
    assert "Start version 2" in page.content.decode()
    assert ArticleVersion.objects.filter(article=submitted_article).count() == 1  # GET changes nothing

    opened = client.post(reverse("desk:action", args=[submitted_article.slug]), {"action": "revise"})

    assert opened.status_code == 302 and opened["Location"] == edit_url(submitted_article)
    submitted_article.refresh_from_db()
    assert submitted_article.working_draft().number == 2
    assert submitted_article.state == ArticleState.DRAFT


def test_editing_while_under_review_is_a_409_explanation(editor, submitted_article):
    response = client_for(editor).get(edit_url(submitted_article))

    assert response.status_code == 409
    assert "with the reviewers" in response.content.decode()


def test_version_two_shows_change_summary_and_correction_fields(editor, submitted_article, managing):
    from reviews.workflow import open_working_draft
    from tests.factories import approve_directly

    approve_directly(submitted_article, make_user("rev", REVIEWER), managing)
    open_working_draft(submitted_article, editor)
    client = client_for(editor)
    assert 'name="change_summary"' in client.get(edit_url(submitted_article)).content.decode()

    data = draft_post_data(
        submitted_article,
        change_summary="Updated the stitch statistics.",
        is_correction="on",
        correction_notice="An earlier version misstated a rate.",
    )
    assert client.post(edit_url(submitted_article), data).status_code == 302

    version = submitted_article.working_draft()
    assert version.change_summary == "Updated the stitch statistics."
    assert version.is_correction and version.correction_notice.startswith("An earlier")


def test_new_article_creates_version_one_and_opens_the_editor(editor):
    from tests.factories import make_specialty

    specialty = make_specialty("cardiology")
    response = client_for(editor).post(
        reverse("desk:new"), {"title": "Atrial fibrillation", "specialty": specialty.pk, "summary": ""}
    )

    article = Article.objects.get(title="Atrial fibrillation")
    assert response.status_code == 302 and response["Location"] == edit_url(article)
    assert article.owner_id == editor.pk and article.latest_version().number == 1


def test_new_article_never_takes_a_slug_the_desk_uses_for_a_page(editor):
    from tests.factories import make_specialty

    client_for(editor).post(reverse("desk:new"), {"title": "New", "specialty": make_specialty().pk})

    assert Article.objects.get(title="New").slug != "new"


@pytest.mark.parametrize("field", ["title", "specialty"])
def test_new_article_requires_title_and_specialty(editor, field):
    from tests.factories import make_specialty

    data = {"title": "Gout", "specialty": make_specialty().pk}
    data.pop(field)

    response = client_for(editor).post(reverse("desk:new"), data)

    assert response.status_code == 400
    assert not Article.objects.filter(title="Gout").exists()


def test_empty_draft_content_is_saved_as_a_draft(editor):
    article = make_article(editor, content=DraftContent(title="Just a title"))
    data = draft_post_data(article, **{"patient-TOTAL_FORMS": "1", "patient-0-heading": "Only a heading"})

    response = client_for(editor).post(edit_url(article), data)

    assert response.status_code == 302
    assert article.working_draft().sections.get().body == ""


def test_a_managing_editor_may_edit_any_draft(managing, draft_article):
    response = client_for(managing).get(edit_url(draft_article))

    assert response.status_code == 200


def test_submit_after_save_uses_the_saved_draft(editor, draft_article):
    client = client_for(editor)
    client.post(edit_url(draft_article), draft_post_data(draft_article, title="Saved title"))

    client.post(reverse("desk:action", args=[draft_article.slug]), {"action": "submit"})

    draft_article.refresh_from_db()
    assert draft_article.state == ArticleState.SUBMITTED
    assert draft_article.latest_version().title == "Saved title"
