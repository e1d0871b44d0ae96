"""Re-review: articles flagged when evidence they cite changes, and resolved by a new version."""

from __future__ import annotations

import pytest
from django.core.management import call_command

from articles.drafting import ReferenceInput, save_draft
from articles.models import Article, ReferenceKind
from audit.models import AuditEvent
from core.errors import ContentInvalid, NotPermitted
from notifications.kinds import Kind
from notifications.models import Notification
from reviews.assignments import accept_assignment, declare_conflict
from reviews.models import ConflictCategory, RereviewFlag, ReviewAssignment
from reviews.rereview import flag_rereview_for_reference, open_flags
from reviews.workflow import Action, open_working_draft, perform
from tests.factories import make_article, submit, valid_content
from tests.reviews.helpers import approve, gout_content, publish

CERCLAGE_DOI = "10.1002/14651858.CD008991.pub3"  # reference [2] of valid_content()
CERCLAGE_PMID = "28586127"
CERCLAGE_TITLE = "Cervical stitch (cerclage) for preventing preterm birth"


@pytest.fixture
def cerclage(editor, specialty, managing, reviewer):
    return publish(submit(make_article(editor, specialty), editor), editor, managing, reviewer)


@pytest.fixture
def gout(editor, specialty, managing, reviewer):
    return publish(
        submit(make_article(editor, specialty, gout_content()), editor), editor, managing, reviewer
    )


@pytest.mark.parametrize(
    "reference",
    [
        {"doi": CERCLAGE_DOI},
        {"doi": "https://doi.org/" + CERCLAGE_DOI.upper()},
        {"pmid": CERCLAGE_PMID},
        {"title": "  cervical stitch (CERCLAGE)   for preventing preterm birth. "},
    ],
    ids=["doi", "doi-url-any-case", "pmid", "title-loosely"],
)
def test_a_reference_is_found_by_doi_pmid_or_title(cerclage, managing, reference):
    flags = flag_rereview_for_reference(**reference, reason="Updated Cochrane review, 2026.", by=managing)

    assert [f.article_id for f in flags] == [cerclage.pk]
    assert flags[0].version_id == cerclage.published_version_id


def test_only_the_published_articles_citing_it_are_flagged(cerclage, gout, editor, specialty, managing):
    unpublished = submit(make_article(editor, specialty), editor)  # cites it too, but readers cannot see it

    flags = flag_rereview_for_reference(doi=CERCLAGE_DOI, reason="Updated.", by=managing)

    assert [f.article_id for f in flags] == [cerclage.pk]
    assert not RereviewFlag.objects.filter(article__in=[gout, unpublished]).exists()


def test_a_flag_is_audited_and_tells_the_editor_and_readers_keep_the_published_version(
    cerclage, managing, editor
):
    published = cerclage.published_version_id

    [flag] = flag_rereview_for_reference(doi=CERCLAGE_DOI, reason="Retracted.", by=managing)

    event = AuditEvent.objects.filter(action="article.rereview_flagged").get()
    assert (event.article_id, event.payload["flag_id"], event.payload["reason"]) == (
        cerclage.pk,
        flag.pk,
        "Retracted.",
    )
    note = notes_for(editor, Kind.REREVIEW_FLAGGED).get()
    assert "Retracted." in note.body and CERCLAGE_DOI.lower() in note.body
    cerclage.refresh_from_db()
    assert (cerclage.published_version_id, cerclage.state) == (published, "published")
    assert list(open_flags()) == [flag]


def test_only_what_readers_see_counts_not_a_draft_in_progress(gout, managing, editor):
    draft = open_working_draft(gout, editor)
    content = gout_content(change_summary="Adds the cerclage review.")
    content.references.append(
        ReferenceInput(2, ReferenceKind.REVIEW, "Something new", "BMJ", 2025, pmid="999")
    )
    content.sections[0].body += " More [2]."
    save_draft(gout, content, expected_revision=draft.revision, actor=editor)

    assert flag_rereview_for_reference(pmid="999", reason="Changed.", by=managing) == []


def test_flagging_the_same_reference_again_adds_no_second_open_flag(cerclage, managing):
    flag_rereview_for_reference(pmid=CERCLAGE_PMID, reason="Changed.", by=managing)
    assert flag_rereview_for_reference(pmid=CERCLAGE_PMID, reason="Changed, again.", by=managing) == []
    assert RereviewFlag.objects.count() == 1


def test_publishing_a_new_version_resolves_the_flag(cerclage, managing, editor, reviewer):
    [flag] = flag_rereview_for_reference(doi=CERCLAGE_DOI, reason="Retracted.", by=managing)
    draft = open_working_draft(cerclage, editor)
    save_draft(
        cerclage,
        valid_content(change_summary="Drops the retracted review."),
        expected_revision=draft.revision,
        actor=editor,
    )
    submit(cerclage, editor)
    # The previous reviewer is re-invited automatically on resubmission.
    again = ReviewAssignment.objects.get(article=cerclage, version__number=2)
    accept_assignment(again, reviewer.user)
    approve(declare_conflict(again, reviewer.user, category=ConflictCategory.NONE))

    perform(Article.objects.get(pk=cerclage.pk), Action.PUBLISH, editor)

    flag.refresh_from_db()
    assert flag.resolved_at is not None
    assert list(open_flags()) == []


@pytest.mark.parametrize(
    ("who", "fields", "error"),
    [
        ("editor", {"doi": CERCLAGE_DOI, "reason": "x"}, NotPermitted),
        ("managing", {"reason": "x"}, ContentInvalid),
        ("managing", {"doi": CERCLAGE_DOI, "reason": "  "}, ContentInvalid),
    ],
)
def test_flagging_is_refused_without_a_managing_editor_a_reference_or_a_reason(
    cerclage, editor, managing, who, fields, error
):
    with pytest.raises(error):
        flag_rereview_for_reference(**fields, by={"editor": editor, "managing": managing}[who])
    assert not RereviewFlag.objects.exists()


def test_the_management_command_flags_and_reports(cerclage, managing, capsys):
    call_command("flag_rereview", "--pmid", CERCLAGE_PMID, "--reason", "Updated.", "--by", managing.username)
    assert "1 article(s) flagged." in capsys.readouterr().out
    assert RereviewFlag.objects.filter(article=cerclage).exists()


def notes_for(user, kind: str):
    """What ``user`` was told of this kind (the notifications app tells the editor of a flag)."""
    return Notification.objects.filter(recipient=user, kind=kind)
