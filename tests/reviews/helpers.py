"""Steps the reviewing tests repeat, each through the real domain functions."""

from __future__ import annotations

from django.utils import timezone

from accounts.roles import REVIEWER
from articles.drafting import ReferenceInput, SectionInput, save_draft
from articles.models import Article, Audience, ReferenceKind
from reviews.assignments import accept_assignment, assign_reviewer, declare_conflict
from reviews.decisions import submit_review
from reviews.models import CHECKLIST_ITEMS, BoardMember, ConflictCategory, Decision
from reviews.workflow import Action, open_working_draft, perform
from tests.factories import PASSWORD, make_board_member, make_user, submit, valid_content

ALL_CHECKED = dict.fromkeys(CHECKLIST_ITEMS, True)


def make_reviewer(username: str, *specialties, **fields) -> BoardMember:
    """A board member with current credentials whose password hashes with the first
    configured hasher (fast in these tests: see conftest)."""
    user = make_user(username, REVIEWER)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return make_board_member(user, *specialties, **fields)


def ready_to_review(article, member, managing):
    """Assign ``member``, who accepts and declares no conflict: they can open the text."""
    assignment = assign_reviewer(article, member, managing)
    accept_assignment(assignment, member.user)
    return declare_conflict(assignment, member.user, category=ConflictCategory.NONE)


def approve(assignment, **kw):
    """Sign an approval the way the signing page does: password, fresh session, full checklist."""
    kw.setdefault("comments", "Accurate and well referenced.")
    kw.setdefault("checklist", ALL_CHECKED)
    kw.setdefault("password", PASSWORD)
    kw.setdefault("session_last_activity", timezone.now())
    signer = BoardMember.objects.select_related("user").get(pk=assignment.reviewer_id).user
    return submit_review(assignment, signer, decision=Decision.APPROVE, **kw)


def request_changes(assignment, comments="Please cite the 2024 guideline.", **kw):
    return submit_review(
        assignment, assignment.reviewer.user, decision=Decision.REQUEST_CHANGES, comments=comments, **kw
    )


REVISED_BODY = "The cervix can open too early in pregnancy [1]. A stitch helps some women [2, 3]."
NEW_REFERENCE = ReferenceInput(
    number=3,
    kind=ReferenceKind.RCT,
    title="Cerclage in twin pregnancies",
    source="Obstetrics & Gynecology",
    year=2024,
    doi="10.1097/AOG.0000000000009999",
)


def resubmit(article, editor) -> Article:
    """The editor opens version 2, changes a sentence and the references, and submits it."""
    article.refresh_from_db()
    open_working_draft(article, editor)
    content = valid_content(
        change_summary="Answered the reviewers: softened the claim, added a trial.",
        sections=[SectionInput(Audience.PATIENT, "What it is", REVISED_BODY)],
    )
    content.references[1].year = 2018  # corrected year of reference [2]
    content.references.append(NEW_REFERENCE)
    save_draft(article, content, expected_revision=1, actor=editor)
    return submit(article, editor)


def gout_content(**overrides):
    """An article on gout: it cites none of the references of ``valid_content()``."""
    return valid_content(
        title="Gout",
        sections=[SectionInput(Audience.PATIENT, "What it is", "Gout is a painful arthritis [1].")],
        references=[
            ReferenceInput(
                1, ReferenceKind.GUIDELINE, "Management of gout", "ACR", 2020, doi="10.1002/acr.24180"
            )
        ],
        **overrides,
    )


def publish(article, editor, managing, member) -> Article:
    """``member`` reviews and approves the submitted ``article``; its editor publishes it."""
    approve(ready_to_review(Article.objects.get(pk=article.pk), member, managing))
    perform(Article.objects.get(pk=article.pk), Action.PUBLISH, editor)
    return Article.objects.get(pk=article.pk)
