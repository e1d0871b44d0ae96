"""Well-known XSS payloads through every field the editor's workspace renders: nothing executable
comes out (no script, no handler, no javascript: or data: link, no foreign element)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from articles.drafting import DraftContent, ReferenceInput, SectionInput, save_draft
from articles.models import Audience, ReferenceKind
from notifications.kinds import Kind
from notifications.notify import Message, notify
from reviews.decisions import answer_comment
from reviews.models import ResponseStatus, SectionComment
from reviews.workflow import open_working_draft
from tests.desk.articles.desk_setup import client_for, csp_problems
from tests.factories import make_article, make_specialty, submit
from tests.reviews.helpers import make_reviewer, ready_to_review, request_changes

PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    '"><script>alert(1)</script>',
    "'><img src=x onerror=alert(1)>",
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<div style="background:url(javascript:alert(1))">x</div>',
    "<details open ontoggle=alert(1)>",
    "[a](data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==)",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    "</textarea><script>alert(1)</script>",
    "<object data=javascript:alert(1)>",
    "![x](javascript:alert(1))",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
]
ALL = "\n\n".join(PAYLOADS)
FOREIGN = ("<img", "<svg", "<iframe", "<math", "<details", "<object", "<embed", "<mglyph")


def assert_inert(html: str, where: str) -> None:
    assert csp_problems(html) == [], where
    lowered = html.lower()
    for tag in FOREIGN:
        assert tag not in lowered, (where, tag)
    assert "<script>" not in lowered, where
    assert 'href="data:' not in lowered and 'src="data:' not in lowered, where


def payload_content(payload: str) -> DraftContent:
    return DraftContent(
        title=payload[:250],
        summary=payload,
        sections=[
            SectionInput(Audience.PATIENT, payload[:200], f"{payload} [1]"),
            SectionInput(Audience.PROFESSIONAL, payload[:200], payload),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=ReferenceKind.OTHER,
                title=payload,
                source=payload[:300],
                year=2020,
                authors=payload,
            )
        ],
    )


@pytest.mark.parametrize("payload", PAYLOADS)
def test_draft_fields_render_inert(editor, payload):
    article = make_article(editor, content=payload_content(payload))
    client = client_for(editor)
    slug = article.slug

    for url in (
        reverse("desk:dashboard"),
        reverse("desk:article", args=[slug]),
        reverse("desk:edit", args=[slug]),
        reverse("desk:versions", args=[slug]),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), url)

    preview = client.post(reverse("desk:preview", args=[slug]), {"body": payload})
    assert_inert(preview.content.decode(), "preview")


def test_reviews_answers_diffs_and_notifications_render_inert(editor, managing):
    specialty = make_specialty()
    article = make_article(editor, specialty, content=payload_content("Plain title"))
    article = submit(article, editor)
    assignment = ready_to_review(article, make_reviewer("ana", specialty), managing)
    section = article.latest_version().sections.filter(audience=Audience.PATIENT).get()
    request_changes(assignment, comments=ALL, section_comments=[(section.pk, ALL, ALL)])
    answer_comment(SectionComment.objects.get(section=section), editor, ResponseStatus.NOT_CHANGED, ALL)
    article.refresh_from_db()
    open_working_draft(article, editor)
    v2 = payload_content(ALL[:250])
    v2.change_summary = ALL
    v2.is_correction = True
    v2.correction_notice = ALL
    save_draft(article, v2, expected_revision=1, actor=editor)
    notify(editor, Message(Kind.CHANGES_REQUESTED, ALL[:250], ALL, url="javascript:alert(1)"))
    client = client_for(editor)

    for url in (
        reverse("desk:changes", args=[article.slug]),
        reverse("desk:diff", args=[article.slug]) + "?a=1&b=2",
        reverse("desk:versions", args=[article.slug]),
        reverse("desk:edit", args=[article.slug]),
        reverse("inbox:list"),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert_inert(response.content.decode(), url)
