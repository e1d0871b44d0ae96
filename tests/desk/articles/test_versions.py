"""Version history and the side-by-side diff of any two versions."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import EDITOR, REVIEWER
from articles.drafting import SectionInput, save_draft
from articles.models import Article, Audience
from reviews.workflow import open_working_draft
from tests.desk.articles.desk_setup import client_for, csp_problems
from tests.factories import approve_directly, make_user, valid_content


@pytest.fixture
def two_versions(editor, managing, submitted_article) -> Article:
    """Version 1 approved; version 2 a working draft with a changed sentence and a new section."""
    approve_directly(submitted_article, make_user("rev", REVIEWER), managing)
    open_working_draft(submitted_article, editor)
    content = valid_content(
        change_summary="Softened the claim about the stitch.",
        sections=[
            SectionInput(
                Audience.PATIENT,
                "What it is",
                "The cervix can open too early in pregnancy [1]. A stitch helps some women [2].",
            ),
            SectionInput(Audience.PATIENT, "Outlook", "Most pregnancies go well [2]."),
        ],
    )
    save_draft(submitted_article, content, expected_revision=1, actor=editor)
    return submitted_article


def test_history_lists_every_version_with_its_change_summary(editor, two_versions):
    html = client_for(editor).get(reverse("desk:versions", args=[two_versions.slug])).content.decode()

    assert "Version 2" in html and "Version 1" in html
    assert "Softened the claim about the stitch." in html
    assert "working draft" in html
    assert f"{reverse('desk:diff', args=[two_versions.slug])}?a=1&amp;b=2" in html


def test_diff_shows_removed_and_added_words_side_by_side(editor, two_versions):
    response = client_for(editor).get(reverse("desk:diff", args=[two_versions.slug]), {"a": 1, "b": 2})

    assert response.status_code == 200
    html = response.content.decode()
    assert "<del>can help</del>" in html  # the old column shows what went …
    assert "<ins>helps</ins>" in html  # … the new column what came
    assert "Outlook" in html and "added" in html
    old_col, new_col = html.split('class="diff-col"')[3:5]  # the first section's two columns
    assert "<del>" in old_col and "<ins>" not in old_col
    assert "<ins>" in new_col and "<del>" not in new_col


def test_diff_escapes_the_text(editor, managing, submitted_article):
    approve_directly(submitted_article, make_user("rev", REVIEWER), managing)
    open_working_draft(submitted_article, editor)
    content = valid_content(
        change_summary="x",
        sections=[
            SectionInput(Audience.PATIENT, "What it is", 'New <script>alert(1)</script> <b onclick="x">')
        ],
    )
    save_draft(submitted_article, content, expected_revision=1, actor=editor)

    html = client_for(editor).get(reverse("desk:diff", args=[submitted_article.slug]), {"a": 1, "b": 2})

    assert csp_problems(html.content.decode()) == []
    assert "&lt;script&gt;" in html.content.decode()


def test_diff_defaults_to_the_last_two_versions(editor, two_versions):
    response = client_for(editor).get(reverse("desk:diff", args=[two_versions.slug]))

    assert response.status_code == 200
    assert response.context["old"].number == 1 and response.context["new"].number == 2


def test_diff_of_a_version_that_does_not_exist_is_404(editor, two_versions):
    response = client_for(editor).get(reverse("desk:diff", args=[two_versions.slug]), {"a": 1, "b": 9})

    assert response.status_code == 404


def test_diff_with_malformed_numbers_is_400(editor, two_versions):
    response = client_for(editor).get(reverse("desk:diff", args=[two_versions.slug]), {"a": "x", "b": 2})

    assert response.status_code == 400


def test_history_of_someone_elses_article_is_404(two_versions):
    other = make_user("other", EDITOR)

    assert client_for(other).get(reverse("desk:versions", args=[two_versions.slug])).status_code == 404
    assert client_for(other).get(reverse("desk:diff", args=[two_versions.slug])).status_code == 404
