"""The whole review journey through the real pages, in Chromium: an editor drafts and submits,
the managing editor assigns a suggested reviewer, the reviewer asks for changes, the editor
answers and resubmits, the reviewer signs an approval with their password, the editor
publishes, and a reader switches audience and follows a citation to its reference.

Each person has their own browser profile and logs in through the login page. Every page is
screenshotted, in order, into the test's artefacts folder."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from accounts.roles import EDITOR, MANAGING_EDITOR
from articles.models import Article, ArticleState
from audit.models import AuditEvent
from reviews.models import AssignmentStatus, ConflictCategory, Decision, Review, ReviewAssignment
from tests.browser.pages import Artifacts, log_in
from tests.browser.world import person
from tests.factories import PASSWORD, make_specialty
from tests.reviews.helpers import make_reviewer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TITLE = "Iron deficiency in pregnancy"
PATIENT_BODY = "Your body needs more iron when you are pregnant [1]. Tiredness is the most common sign [2]."
PROFESSIONAL_BODY = "Check ferritin at booking [1]. Oral iron on alternate days is better absorbed [2]."
REVISED_PATIENT_BODY = (
    "Your body needs more iron when you are pregnant [1]. Tiredness and breathlessness are common signs [2]."
)
MILESTONES = {
    "article.submit",
    "assignment.invited",
    "assignment.conflict_declared",
    "review.submitted",
    "comment.answered",
    "review.signed",
    "article.approve",
    "article.publish",
}
CHANGE_REQUEST = "Breathlessness is as common as tiredness; please mention it."


@pytest.fixture
def people(fast_passwords, transactional_db):
    obstetrics = make_specialty("obstetrics", name="Obstetrics")
    person("maya", EDITOR, first_name="Maya", last_name="Lindqvist")
    person("priya", MANAGING_EDITOR, first_name="Priya", last_name="Raman")
    make_reviewer("helen", obstetrics, display_name="Dr Helen Marsh", credentials="MD, FACOG")
    return obstetrics


def flash(page: Page) -> str:
    """The messages the last action left at the top of the page."""
    return " ".join(page.locator(".desk-message").all_inner_texts())


def write_reference(row, kind: str, title: str, source: str, year: str, **extra: str) -> None:
    row.get_by_label("Kind").select_option(label=kind)
    row.get_by_label("Title").fill(title)
    row.get_by_label("Source").fill(source)
    row.get_by_label("Year").fill(year)
    for label, value in extra.items():
        row.get_by_label(label).fill(value)


def open_from_dashboard(page: Page, slug: str) -> None:
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Articles", exact=True).click()
    page.get_by_role("link", name=TITLE, exact=True).click()
    expect(page).to_have_url(re.compile(f"/desk/articles/{slug}/$"))


def editor_drafts_and_submits(page: Page, shots: Artifacts) -> str:
    log_in(page, "maya")
    expect(page.get_by_role("heading", name="My articles")).to_be_visible()
    shots.shot(page, "editor-dashboard")

    page.get_by_role("link", name="New article", exact=True).click()
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Specialty").select_option(label="Obstetrics")
    page.get_by_label("Summary").fill("Why iron matters in pregnancy, and how low iron is found and treated.")
    shots.shot(page, "editor-new-article")
    page.get_by_role("button", name="Create the draft").click()

    expect(page.get_by_role("heading", name=f"Edit: {TITLE}")).to_be_visible()
    assert "Article created" in flash(page)
    patient = page.locator('[data-formset="patient"] .formset-row').first
    patient.get_by_label("Heading").fill("Why iron matters")
    patient.get_by_label("Body").fill(PATIENT_BODY)
    # The live preview renders the citations as links while the editor types.
    preview = patient.get_by_role("group", name="Preview")
    expect(preview.get_by_role("link", name="Reference 1")).to_have_attribute("href", "#ref-1")
    professional = page.locator('[data-formset="professional"] .formset-row').first
    professional.get_by_label("Heading").fill("Screening and treatment")
    professional.get_by_label("Body").fill(PROFESSIONAL_BODY)
    references = page.locator('[data-formset="refs"] .formset-row')
    write_reference(
        references.nth(0),
        "Guideline",
        "UK guidelines on the management of iron deficiency in pregnancy",
        "British Journal of Haematology",
        "2020",
        DOI="10.1111/bjh.16221",
    )
    write_reference(
        references.nth(1),
        "Randomised controlled trial",
        "Alternate-day versus consecutive-day oral iron supplementation",
        "The Lancet Haematology",
        "2017",
        PMID="29032107",
    )
    expect(page.get_by_text("You have unsaved changes.")).to_be_visible()
    shots.shot(page, "editor-draft-filled")
    page.get_by_role("button", name="Save draft").click()

    assert "saved" in flash(page).lower(), flash(page)
    expect(references.nth(1).get_by_label("Title")).to_have_value(
        "Alternate-day versus consecutive-day oral iron supplementation"
    )
    shots.shot(page, "editor-draft-saved")

    page.get_by_role("link", name="Submit from the article page").click()
    page.get_by_role("button", name="Submit for review").click()
    expect(page.locator(".facts")).to_contain_text("Submitted")
    shots.shot(page, "editor-submitted")
    return re.search(r"/desk/articles/([^/]+)/", page.url).group(1)


def managing_editor_assigns(page: Page, shots: Artifacts) -> None:
    log_in(page, "priya")
    page.get_by_role("link", name="Review queue").click()
    row = page.get_by_role("row").filter(has_text=TITLE)
    expect(row).to_contain_text("Nobody assigned")
    shots.shot(page, "managing-queue")

    row.get_by_role("link", name=re.compile("^Reviewers")).click()
    suggestion = page.get_by_role("radio", name="Dr Helen Marsh, MD, FACOG")
    expect(page.locator(".suggestions")).to_contain_text("Covers Obstetrics")
    suggestion.check()
    shots.shot(page, "managing-assign")
    page.get_by_role("button", name="Send the invitation").click()

    expect(page.locator(".facts")).to_contain_text("Under review")
    expect(page.get_by_role("row").filter(has_text="Dr Helen Marsh")).to_contain_text("Invited")
    shots.shot(page, "managing-assigned")


def reviewer_opens_the_text(page: Page, shots: Artifacts, round_: int) -> None:
    """From the reviewer's desk: accept the invitation and declare no conflict."""
    page.get_by_role("link", name="My reviews").click()
    invitation = page.locator(".card").filter(has_text=TITLE)
    expect(invitation).to_contain_text(f"round {round_}")
    shots.shot(page, f"reviewer-invited-round-{round_}")
    invitation.get_by_role("button", name=re.compile("^Accept")).click()

    # Accepting leads straight to the declaration: the text opens only after it.
    expect(page.get_by_role("heading", name=f"Conflicts of interest: “{TITLE}”")).to_be_visible()
    assert "Before the text opens, declare" in flash(page)
    page.get_by_role("radio", name="No conflict").check()
    shots.shot(page, f"reviewer-declares-round-{round_}")
    page.get_by_role("button", name="Record my declaration").click()
    expect(page.get_by_role("heading", name=re.compile(f"^Review of “{TITLE}”"))).to_be_visible()


def reviewer_requests_changes(page: Page, shots: Artifacts) -> None:
    log_in(page, "helen")
    reviewer_opens_the_text(page, shots, round_=1)
    expect(page.locator(".version-text")).to_contain_text("Tiredness is the most common sign")

    page.locator("summary").filter(has_text="Comment on “Why iron matters”").click()
    page.get_by_role("textbox", name="Comment on “Why iron matters”").fill(CHANGE_REQUEST)
    page.get_by_role("radio", name="Request changes").check()
    page.get_by_label("Overall comments").fill("Clear and well referenced; one symptom is missing.")
    shots.shot(page, "reviewer-review-written")
    page.get_by_role("button", name="Continue").click()

    expect(page.locator(".notice--done")).to_contain_text("Request changes")
    shots.shot(page, "reviewer-changes-requested")


def editor_answers_and_resubmits(page: Page, shots: Artifacts, slug: str) -> None:
    open_from_dashboard(page, slug)
    expect(page.locator(".facts")).to_contain_text("Changes requested")
    page.get_by_role("link", name="Reviewers' comments and your answers").click()
    comment = page.locator(".comment").filter(has_text=CHANGE_REQUEST)
    expect(comment).to_contain_text("Dr Helen Marsh wrote:")
    shots.shot(page, "editor-change-request")

    page.get_by_role("button", name="Start version 2").click()
    expect(page.get_by_role("heading", name=f"Edit: {TITLE}")).to_be_visible()
    page.get_by_label("Change summary").fill("Added breathlessness to the signs, as the reviewer asked.")
    patient = page.locator('[data-formset="patient"] .formset-row').first
    patient.get_by_label("Body").fill(REVISED_PATIENT_BODY)
    shots.shot(page, "editor-version-2")
    page.get_by_role("button", name="Save draft").click()
    assert "saved" in flash(page).lower(), flash(page)

    page.get_by_role("link", name="Change requests", exact=True).click()
    comment = page.locator(".comment").filter(has_text=CHANGE_REQUEST)
    comment.get_by_role("radio", name="Resolved: the text was changed").check()
    comment.get_by_label("Reason or note for the reviewer").fill("Breathlessness is now listed.")
    comment.get_by_role("button", name="Answer").click()
    expect(page.locator(".comment__answer")).to_contain_text("Resolved")
    shots.shot(page, "editor-answered")

    page.get_by_role("button", name="Resubmit version 2 for review").click()
    # The reviewer of round 1 is invited again straight away: the article is under review.
    expect(page.locator(".facts")).to_contain_text("Under review")
    shots.shot(page, "editor-resubmitted")


def reviewer_approves_with_password(page: Page, shots: Artifacts) -> None:
    page.get_by_role("link", name="Inbox").click()
    shots.shot(page, "reviewer-inbox")
    reviewer_opens_the_text(page, shots, round_=2)
    expect(page.get_by_role("heading", name="What changed")).to_be_visible()
    expect(page.locator(".version-text")).to_contain_text("Tiredness and breathlessness are common signs")

    for box in page.locator(".checklist input[type=checkbox]").all():
        box.check()
    page.get_by_role("radio", name="Approve").check()
    expect(page.locator("#signing-note")).to_be_visible()
    shots.shot(page, "reviewer-approval-written")
    page.get_by_role("button", name="Continue").click()

    expect(page.get_by_role("heading", name=f"Sign your approval of “{TITLE}”")).to_be_visible()
    page.get_by_label("Your password").fill("not my password")
    page.get_by_role("button", name="Sign and approve version 2").click()
    refused = "The password is not correct; the approval was not signed."
    expect(page.get_by_role("alert")).to_contain_text(refused)
    shots.shot(page, "reviewer-wrong-password")
    assert not Review.objects.filter(decision=Decision.APPROVE).exists()

    page.get_by_label("Your password").fill(PASSWORD)
    shots.shot(page, "reviewer-signing")
    page.get_by_role("button", name="Sign and approve version 2").click()
    expect(page.locator(".notice--done")).to_contain_text("Signed by Dr Helen Marsh, MD, FACOG")
    shots.shot(page, "reviewer-signed")


def editor_publishes(page: Page, shots: Artifacts, slug: str) -> None:
    open_from_dashboard(page, slug)
    expect(page.locator(".facts")).to_contain_text("Approved")
    page.get_by_role("button", name="Publish").click()
    expect(page.locator(".facts")).to_contain_text("Published")
    expect(page.locator(".facts")).to_contain_text("Version 2")
    shots.shot(page, "editor-published")


def reader_reads(page: Page, shots: Artifacts, slug: str) -> None:
    page.goto("/articles/")
    shots.shot(page, "reader-index")
    page.get_by_role("link", name=TITLE).click()
    expect(page).to_have_url(re.compile(f"/articles/{slug}/"))
    expect(page.get_by_role("heading", name=TITLE, level=1)).to_be_visible()
    expect(page.locator(".reviewers")).to_contain_text("Dr Helen Marsh, MD, FACOG")
    expect(page.locator(".article-body")).to_contain_text("Tiredness and breathlessness are common signs")
    shots.shot(page, "reader-patient")

    page.get_by_role("radio", name="Healthcare professional").check()
    page.get_by_role("button", name="Show my version").click()
    expect(page.get_by_role("heading", name="Screening and treatment")).to_be_visible()
    expect(page.locator(".article-body")).not_to_contain_text("Tiredness")
    shots.shot(page, "reader-professional")

    page.locator(".article-body .citation").get_by_role("link", name="Reference 2").click()
    expect(page).to_have_url(re.compile("#ref-2$"))
    reference = page.locator("#ref-2")
    expect(reference).to_be_focused()
    expect(reference).to_be_in_viewport()
    expect(reference).to_contain_text("Alternate-day versus consecutive-day oral iron supplementation")
    shots.shot(page, "reader-followed-citation")


def test_draft_to_publication_to_reader(open_context, people, artifacts):
    editor, managing, reviewer, reader = (open_context().new_page() for _ in range(4))

    slug = editor_drafts_and_submits(editor, artifacts)
    managing_editor_assigns(managing, artifacts)
    reviewer_requests_changes(reviewer, artifacts)
    editor_answers_and_resubmits(editor, artifacts, slug)
    reviewer_approves_with_password(reviewer, artifacts)
    editor_publishes(editor, artifacts, slug)
    reader_reads(reader, artifacts, slug)

    article = Article.objects.select_related("published_version", "owner").get(slug=slug)
    assert article.state == ArticleState.PUBLISHED
    assert article.published_version.number == 2
    assert article.owner.username == "maya"
    reviews = (
        Review.objects.filter(version__article=article).select_related("version").order_by("version__number")
    )
    assert [(r.version.number, r.decision, r.signer_name) for r in reviews] == [
        (1, Decision.REQUEST_CHANGES, ""),
        (2, Decision.APPROVE, "Dr Helen Marsh"),
    ]
    assert reviews[1].signed_content_hash == article.published_version.content_hash
    assignments = (
        ReviewAssignment.objects.filter(article=article).select_related("assigned_by").order_by("round")
    )
    assert [(a.round, a.status, a.conflict_category) for a in assignments] == [
        (1, AssignmentStatus.COMPLETED, ConflictCategory.NONE),
        (2, AssignmentStatus.COMPLETED, ConflictCategory.NONE),
    ]
    assert assignments[0].assigned_by.username == "priya"
    trail = list(AuditEvent.objects.filter(article=article).order_by("seq").values_list("action", flat=True))
    assert [a for a in trail if a in MILESTONES] == [
        "article.submit",
        "assignment.invited",
        "assignment.conflict_declared",
        "review.submitted",
        "comment.answered",
        "article.submit",
        "assignment.invited",
        "assignment.conflict_declared",
        "review.signed",
        "article.approve",
        "article.publish",
    ]
    assert len(artifacts.taken) >= 20
