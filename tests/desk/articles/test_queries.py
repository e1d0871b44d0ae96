"""Each page of the workspace runs the same number of queries however many rows, sections,
references, versions or comments it shows."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from articles.drafting import ReferenceInput, SectionInput, save_draft
from articles.models import Article, Audience, ReferenceKind
from reviews.models import SectionComment
from reviews.workflow import open_working_draft
from tests.desk.articles.desk_setup import client_for
from tests.factories import make_article, make_specialty, make_user, submit, valid_content
from tests.reviews.helpers import make_reviewer, ready_to_review, request_changes


def count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200, url
    return len(ctx.captured_queries)


def bigger_content(n: int):
    content = valid_content()
    content.sections = [
        SectionInput(Audience.PATIENT if i % 2 else Audience.PROFESSIONAL, f"Part {i}", f"Text {i} [1] [2].")
        for i in range(n)
    ]
    content.references += [
        ReferenceInput(number=3 + i, kind=ReferenceKind.RESEARCH, title=f"Study {i}", source="BMJ", year=2020)
        for i in range(n)
    ]
    return content


def test_editor_and_article_pages_with_few_or_many_sections(editor):
    small = make_article(editor, content=valid_content(title="Small"))
    big = make_article(editor, content=bigger_content(8))
    client = client_for(editor)
    for name in ("desk:edit", "desk:article"):
        count(client, reverse(name, args=[small.slug]))  # warm-up: the session write settles
        assert count(client, reverse(name, args=[small.slug])) == count(
            client, reverse(name, args=[big.slug])
        ), name


def test_versions_and_diff_pages_with_few_or_many_versions(editor, managing):
    from tests.factories import approve_directly

    few = submit(make_article(editor, content=valid_content(title="Few")), editor)
    many = make_article(editor, content=valid_content(title="Many"))
    reviewer = make_user("rev", "Reviewer")
    for _ in range(3):
        submit(many, editor)
        approve_directly(many, reviewer, managing)
        many = Article.objects.get(pk=many.pk)
        draft = open_working_draft(many, editor)
        content = bigger_content(draft.number)
        content.change_summary = f"Round {draft.number}"
        save_draft(many, content, expected_revision=draft.revision, actor=editor)
    approve_directly(few, reviewer, managing)
    open_working_draft(Article.objects.get(pk=few.pk), editor)
    client = client_for(editor)
    count(client, reverse("desk:versions", args=[few.slug]))

    assert count(client, reverse("desk:versions", args=[few.slug])) == count(
        client, reverse("desk:versions", args=[many.slug])
    )
    assert count(client, reverse("desk:diff", args=[few.slug]) + "?a=1&b=2") == count(
        client, reverse("desk:diff", args=[many.slug]) + "?a=1&b=4"
    )


def test_changes_page_with_one_or_many_comments(editor, managing):
    specialty = make_specialty()
    pages = []
    for name, n in (("one", 1), ("many", 6)):
        content = bigger_content(n)
        content.title = name
        article = submit(make_article(editor, specialty, content=content), editor)
        assignment = ready_to_review(article, make_reviewer(f"rev-{name}", specialty), managing)
        sections = list(article.latest_version().sections.all())
        request_changes(assignment, section_comments=[(s.pk, "", f"Fix {s.heading}") for s in sections])
        pages.append(reverse("desk:changes", args=[article.slug]))
    assert SectionComment.objects.count() == 7
    client = client_for(editor)
    count(client, pages[0])

    assert count(client, pages[0]) == count(client, pages[1])
