"""Setting up what readers can see, through the real workflow.

Used by the tests/public/test_public_*.py modules (their fixtures are in
conftest.py). Approvals are created directly, with a
real signature over the version's content hash, because the review desk is not
what these tests are about; everything else goes through ``perform``.
"""

from __future__ import annotations

import json
import re
from html.parser import HTMLParser

import extruct

from accounts.roles import REVIEWER
from articles.drafting import DraftContent, ReferenceInput, SectionInput, save_draft
from articles.models import Article, ArticleState, Audience, ReferenceKind
from reviews.workflow import Action, perform
from tests.factories import make_article, make_user, reread, sign_approval, submit, valid_content


def reviewer(username: str, **member_fields):
    """A reviewer user who is a board member with the given display name / credentials."""
    from tests.factories import make_board_member, make_specialty

    user = make_user(username, REVIEWER)
    make_board_member(user, make_specialty(), **member_fields)
    return user


def _start_review(article: Article, managing) -> None:
    # A resubmitted version may already be under review: its previous reviewers are re-invited.
    if Article.objects.get(pk=article.pk).state == ArticleState.SUBMITTED:
        perform(article, Action.START_REVIEW, managing)


def approve_and_publish(article: Article, managing, reviewers) -> Article:
    _start_review(article, managing)
    version = Article.objects.get(pk=article.pk).latest_version()
    for user in reviewers:
        sign_approval(version, user, managing)
    Article.objects.filter(pk=article.pk).update(state=ArticleState.APPROVED)
    perform(article, Action.PUBLISH, managing)
    return reread(article)


def publish_article(editor, managing, reviewers, content: DraftContent | None = None, **kw) -> Article:
    """A new article, submitted, reviewed by ``reviewers`` and published as version 1."""
    article = submit(make_article(editor, content=content, **kw), editor)
    return approve_and_publish(article, managing, reviewers)


def start_new_version(article: Article, editor, managing, content: DraftContent) -> Article:
    """Revise a published article and put the new version under review (not yet approved)."""
    from reviews.workflow import open_working_draft

    draft = open_working_draft(article, editor)
    save_draft(article, content, expected_revision=draft.revision, actor=editor)
    submit(article, editor)
    _start_review(article, managing)
    return reread(article)


def publish_new_version(article: Article, editor, managing, reviewers, content: DraftContent) -> Article:
    article = start_new_version(article, editor, managing, content)
    return approve_and_publish(article, managing, reviewers)


def second_version(**overrides) -> DraftContent:
    values = {
        "title": "Cervical insufficiency in pregnancy (updated)",
        "change_summary": "Added the 2024 guideline on progesterone.",
        "sections": [
            SectionInput(
                audience=Audience.PATIENT,
                heading="What changed",
                body="Progesterone may help some women [1]. A stitch can help too [2].",
            )
        ],
    }
    values.update(overrides)
    return valid_content(**values)


def rich_content(sections: int, references: int, **overrides) -> DraftContent:
    """Content with ``sections`` sections per audience, each citing every reference."""
    cites = ", ".join(str(n) for n in range(1, references + 1))
    values = {
        "sections": [
            SectionInput(audience=audience, heading=f"Heading {audience} {i}", body=f"Text {i} [{cites}].")
            for audience in Audience.values
            for i in range(1, sections + 1)
        ],
        "references": [
            ReferenceInput(
                number=n,
                kind=ReferenceKind.values[n % len(ReferenceKind.values)],
                title=f"Study number {n}",
                source="Journal of Tests",
                year=2020,
                authors="Author A",
                doi=f"10.1234/test.{n}",
                pmid=str(30000000 + n),
            )
            for n in range(1, references + 1)
        ],
    }
    values.update(overrides)
    return valid_content(**values)


# --- reading pages back -----------------------------------------------------------------------


class ParsedPage(HTMLParser):
    """Every element (tag, attributes) and every script's text, as a browser's tokenizer sees them."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict[str, str]]] = []
        self.scripts: list[tuple[dict[str, str], str]] = []
        self._in_script: dict[str, str] | None = None
        self._script_text: list[str] = []
        self.feed(html)
        self.close()

    def handle_starttag(self, tag, attrs):
        attributes = {name.lower(): value or "" for name, value in attrs}
        self.elements.append((tag.lower(), attributes))
        if tag.lower() == "script":
            self._in_script, self._script_text = attributes, []

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag.lower() == "script":
            self.handle_endtag(tag)

    def handle_endtag(self, tag):
        if tag.lower() == "script" and self._in_script is not None:
            self.scripts.append((self._in_script, "".join(self._script_text)))
            self._in_script = None

    def handle_data(self, data):
        if self._in_script is not None:
            self._script_text.append(data)

    def by_id(self, element_id: str) -> tuple[str, dict[str, str]] | None:
        return next((e for e in self.elements if e[1].get("id") == element_id), None)

    def meta(self, key: str) -> str | None:
        for tag, attrs in self.elements:
            if tag == "meta" and (attrs.get("property") == key or attrs.get("name") == key):
                return attrs.get("content")
        return None

    def link(self, rel: str) -> str | None:
        return next((a.get("href") for t, a in self.elements if t == "link" and a.get("rel") == rel), None)


def json_ld(html: str) -> list[dict]:
    """The page's JSON-LD blocks, read by extruct, the extractor search-engine tooling uses."""
    return extruct.extract(html, syntaxes=["json-ld"], uniform=False)["json-ld"]


_URL_ATTRIBUTES = {
    "href",
    "src",
    "action",
    "formaction",
    "data",
    "xlink:href",
    "poster",
    "background",
    "srcdoc",
}
_DANGEROUS_TAGS = {
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "style",
    "base",
    "img",
    "frame",
    "frameset",
    "applet",
}
_CONTROL = re.compile(r"[\x00-\x20]+")


def assert_nothing_executable(html: str) -> None:
    """Nothing in ``html`` would run script: no script but JSON-LD data blocks (which cannot be
    closed early), no event handler attributes, no script-bearing URLs, no embedding elements."""
    page = ParsedPage(html)
    for attrs, text in page.scripts:
        assert attrs.get("type") == "application/ld+json", f"script element: {attrs} {text[:80]}"
        assert "</" not in text and "<!--" not in text, text
        json.loads(text)
    assert html.lower().count("<script") == len(page.scripts)
    for tag, attrs in page.elements:
        assert tag not in _DANGEROUS_TAGS, f"<{tag} {attrs}>"
        if tag == "meta":
            assert "http-equiv" not in attrs, attrs
        if tag == "form":
            assert attrs.get("action", "").startswith("/"), attrs
        for name, value in attrs.items():
            assert not name.startswith("on"), f"<{tag} {name}={value!r}>"
            assert name != "style", f"<{tag} style={value!r}>"
            if name in _URL_ATTRIBUTES:
                url = _CONTROL.sub("", value).lower()
                assert not url.startswith(("javascript:", "vbscript:", "data:")), f"<{tag} {name}={value!r}>"
