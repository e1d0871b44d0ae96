"""The version diff on its own: sections lined up by heading, word-level operations,
references keyed by DOI / PMID / title, and HTML that escapes what it shows."""

from __future__ import annotations

import re

import pytest

from articles.drafting import ReferenceInput, SectionInput, create_article
from articles.models import Audience, ReferenceKind
from reviews.diff import diff_versions, render_word_diff, word_diff
from tests.factories import make_specialty, valid_content


def test_word_diff_marks_only_the_changed_words():
    ops = word_diff("A stitch can help some women.", "A stitch helps some women.")
    assert [(op.op, op.old, op.new) for op in ops if op.op != "equal"] == [("replace", "can help", "helps")]
    assert "".join(op.new for op in ops) == "A stitch helps some women."
    assert "".join(op.old for op in ops) == "A stitch can help some women."


def test_rendered_diff_escapes_text_and_marks_changes():
    html = render_word_diff(word_diff("Take 5 mg daily.", "Take <script>alert(1)</script> 10 mg daily."))
    markup_removed = re.sub(r"</?(?:ins|del)>", "", html)
    assert "<" not in markup_removed and ">" not in markup_removed  # only our own tags
    assert "&lt;" in html and "<del>5</del>" in html and "<ins>" in html
    assert markup_removed.startswith("Take ")


def version(editor, sections, references=None, title="Cervical insufficiency in pregnancy"):
    content = valid_content(title=title, sections=sections)
    if references is not None:
        content.references = references
    return create_article(owner=editor, specialty=make_specialty(), content=content).latest_version()


def section(heading, body, audience=Audience.PATIENT):
    return SectionInput(audience, heading, body)


BODY = "The cervix can open too early [1]. A stitch can help [2]."


def test_an_inserted_section_does_not_mark_the_following_ones_changed(editor):
    old = version(editor, [section("What it is", BODY), section("Treatment", "Rest helps [1].")])
    new = version(
        editor,
        [
            section("What it is", BODY),
            section("Causes", "Often unknown [2]."),
            section("Treatment", "Rest helps [1]."),
        ],
    )
    diff = diff_versions(old, new)
    statuses = [(s.heading, s.status) for s in diff.sections[Audience.PATIENT]]
    assert statuses == [("What it is", "unchanged"), ("Causes", "added"), ("Treatment", "unchanged")]
    assert diff.sections[Audience.PROFESSIONAL] == []


def test_removed_and_renamed_sections(editor):
    old = version(editor, [section("What it is", BODY), section("Outlook", "Usually good [1].")])
    new = version(editor, [section("What is it?", BODY)])
    diff = diff_versions(old, new)
    statuses = [(s.old_heading, s.new_heading, s.status) for s in diff.sections[Audience.PATIENT]]
    assert statuses == [("What it is", "What is it?", "changed"), ("Outlook", None, "removed")]


def reference(number, title, **kw):
    return ReferenceInput(
        number=number, kind=ReferenceKind.RESEARCH, title=title, source="BMJ", year=2020, **kw
    )


def test_references_are_matched_by_doi_then_pmid_then_title(editor):
    old = version(
        editor,
        [section("What it is", BODY)],
        [
            reference(1, "By DOI", doi="10.1000/a"),
            reference(2, "By PMID", pmid="123"),
            reference(3, "Only a title"),
            reference(4, "Dropped", doi="10.1000/d"),
        ],
    )
    new = version(
        editor,
        [section("What it is", BODY)],
        [
            reference(1, "By PMID", pmid="123"),  # renumbered
            reference(2, "By DOI, retitled", doi="10.1000/A"),  # DOIs are case-insensitive
            reference(3, "ONLY a  title"),
            reference(4, "New one", doi="10.1000/n"),
        ],
    )
    diff = {r.key: r for r in diff_versions(old, new).references}
    assert diff["doi:10.1000/a"].status == "changed"
    assert diff["doi:10.1000/a"].changed_fields == {
        "number": (1, 2),
        "title": ("By DOI", "By DOI, retitled"),
        "doi": ("10.1000/a", "10.1000/A"),
    }
    assert diff["pmid:123"].changed_fields == {"number": (2, 1)}
    # Matched by its normalised title, so the new spelling is a change, not a removal plus an addition.
    assert diff["title:only a title"].changed_fields == {"title": ("Only a title", "ONLY a  title")}
    assert diff["doi:10.1000/d"].status == "removed"
    assert diff["doi:10.1000/n"].status == "added"


def test_an_identical_version_has_no_changes(editor):
    old = version(editor, [section("What it is", BODY)])
    new = version(editor, [section("What it is", BODY)])
    assert not diff_versions(old, new).has_changes


@pytest.fixture
def editor(db):
    from accounts.roles import EDITOR
    from tests.factories import make_user

    return make_user("diff-editor", EDITOR)
