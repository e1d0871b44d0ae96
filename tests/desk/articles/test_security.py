"""CSRF on every form of the editor's workspace, and a Content-Security-Policy the pages satisfy."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from articles.models import Article, ArticleState
from notifications.kinds import Kind
from notifications.notify import Message, notify
from reviews.models import CommentResponse, SectionComment
from reviews.workflow import open_working_draft
from tests.desk.articles.desk_setup import client_for, csp_problems, draft_post_data
from tests.factories import make_article, make_specialty, submit
from tests.reviews.helpers import make_reviewer, ready_to_review, request_changes

EXPECTED_CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "frame-ancestors": "'none'",
    "form-action": "'self'",
    "base-uri": "'none'",
    "object-src": "'none'",
}


def parse_csp(header: str) -> dict[str, str]:
    directives = {}
    for part in header.split(";"):
        name, _, value = part.strip().partition(" ")
        if name:
            directives[name] = value.strip()
    return directives


@pytest.fixture
def commented(editor, managing) -> Article:
    """An article with a reviewer's comment waiting for an answer, and a version 2 to compare."""
    specialty = make_specialty()
    article = submit(make_article(editor, specialty), editor)
    assignment = ready_to_review(article, make_reviewer("ana", specialty), managing)
    section = article.latest_version().sections.get()
    request_changes(assignment, section_comments=[(section.pk, "", "Cite the 2024 guideline.")])
    open_working_draft(Article.objects.get(pk=article.pk), editor)
    notify(editor, Message(Kind.CHANGES_REQUESTED, "Changes requested", url="/desk/articles/"))
    return Article.objects.get(pk=article.pk)


def desk_pages(article: Article) -> list[str]:
    slug = article.slug
    return [
        reverse("desk:dashboard"),
        reverse("desk:new"),
        reverse("desk:article", args=[slug]),
        reverse("desk:edit", args=[slug]),
        reverse("desk:versions", args=[slug]),
        reverse("desk:diff", args=[slug]) + "?a=1&b=2",
        reverse("desk:changes", args=[slug]),
        reverse("inbox:list"),
    ]


def test_every_desk_page_sends_the_policy_and_satisfies_it(editor, commented):
    client = client_for(editor)
    for url in desk_pages(commented):
        response = client.get(url)
        assert response.status_code == 200, url
        assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP, url
        html = response.content.decode()
        assert csp_problems(html) == [], url
        # Scripts only from our own static files.
        for src in re.findall(r'<script[^>]*\bsrc="([^"]+)"', html):
            assert src.startswith("/static/"), (url, src)


def test_login_pages_satisfy_the_policy(db):
    response = Client().get(reverse("accounts:login"))

    assert parse_csp(response["Content-Security-Policy"]) == EXPECTED_CSP
    assert csp_problems(response.content.decode()) == []


def test_other_security_headers(editor, draft_article):
    response = client_for(editor).get(reverse("desk:article", args=[draft_article.slug]))

    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"
    assert response["Cross-Origin-Opener-Policy"] == "same-origin"


def test_the_editor_script_is_served_by_the_app(db):
    client = Client()
    for path in ("/static/js/editor.js", "/static/js/desk.js", "/static/css/desk.css"):
        response = client.get(path)
        assert response.status_code == 200, path


def csrf_client(user) -> Client:
    client = Client(enforce_csrf_checks=True)
    client.force_login(user)
    return client


def test_posts_without_a_csrf_token_are_refused(editor, commented):
    client = csrf_client(editor)
    slug = commented.slug
    comment = SectionComment.objects.get(review__version__article=commented)
    before = (commented.state, commented.working_draft().revision)
    posts = [
        (reverse("desk:new"), {"title": "Sneaky", "specialty": commented.specialty_id}),
        (reverse("desk:edit", args=[slug]), draft_post_data(commented, title="Sneaky")),
        (reverse("desk:preview", args=[slug]), {"body": "x"}),
        (reverse("desk:action", args=[slug]), {"action": "withdraw"}),
        (reverse("desk:answer", args=[slug, comment.pk]), {f"c{comment.pk}-status": "resolved"}),
        (reverse("inbox:read-all"), {}),
        (reverse("accounts:logout"), {}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url

    after = Article.objects.get(pk=commented.pk)
    assert (after.state, after.working_draft().revision) == before
    assert not Article.objects.filter(title="Sneaky").exists()
    assert not CommentResponse.objects.filter(comment=comment).exists()
    assert editor.notifications.filter(read_at__isnull=True).exists()


def test_a_post_with_the_pages_token_goes_through(editor, draft_article):
    client = csrf_client(editor)
    page = client.get(reverse("desk:article", args=[draft_article.slug])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(
        reverse("desk:action", args=[draft_article.slug]), {"action": "submit", "csrfmiddlewaretoken": token}
    )

    assert response.status_code == 302
    assert Article.objects.get(pk=draft_article.pk).state == ArticleState.SUBMITTED


def test_the_live_preview_sends_the_token_in_a_header(editor, draft_article):
    # What editor.js does: the token from the form, in X-CSRFToken.
    client = csrf_client(editor)
    page = client.get(reverse("desk:edit", args=[draft_article.slug])).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)

    response = client.post(
        reverse("desk:preview", args=[draft_article.slug]), {"body": "*hi*"}, headers={"X-CSRFToken": token}
    )

    assert response.status_code == 200 and "<em>hi</em>" in response.content.decode()


def test_the_inline_checker_finds_what_the_policy_refuses():
    # The page checks above are only worth something if the checker can fail.
    assert csp_problems("<p onclick='x()'>a</p>") == ["<p onclick=…> inline event handler"]
    assert csp_problems('<div style="color:red">a</div>') == ["<div style=…> inline style"]
    assert csp_problems("<script>alert(1)</script>") == ["inline <script>"]
    assert csp_problems("<style>p{}</style>") == ["<style> element"]
    assert csp_problems('<a href="javascript:alert(1)">x</a>') == ["<a href=javascript:…>"]
    assert csp_problems('<script src="/static/js/desk.js"></script>') == []
    assert csp_problems('<script type="application/ld+json">{}</script>') == []


def test_the_csrf_refusal_page_is_ours_and_satisfies_the_policy(editor, draft_article):
    response = csrf_client(editor).post(
        reverse("desk:action", args=[draft_article.slug]), {"action": "submit"}
    )

    assert response.status_code == 403
    html = response.content.decode()
    assert "The form could not be sent" in html
    assert csp_problems(html) == []
