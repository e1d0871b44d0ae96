"""The review page: the exact version, what changed, comments, checklist, decision and signature."""

from __future__ import annotations

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from articles.drafting import SectionInput
from articles.models import ArticleState, Audience
from reviews.models import CHECKLIST_ITEMS, AssignmentStatus, Review, SectionComment
from tests.factories import PASSWORD, make_article, submit, valid_content
from tests.reviews.helpers import ready_to_review, request_changes, resubmit

pytestmark = pytest.mark.django_db

BOTH_AUDIENCES = [
    SectionInput(
        Audience.PATIENT,
        "What it is",
        "The cervix can open **too early** in pregnancy [1]. A stitch can help some women [2].\n\n"
        "<script>alert('x')</script> <img src=x onerror=alert(1)> [tap](javascript:alert(1))",
    ),
    SectionInput(Audience.PROFESSIONAL, "Evidence", "Cerclage reduces preterm birth in selected women [2]."),
]
ALL_CHECKED = {f"check_{key}": "on" for key in CHECKLIST_ITEMS}


@pytest.fixture
def two_audience_article(editor, specialty):
    return submit(make_article(editor, specialty, content=valid_content(sections=BOTH_AUDIENCES)), editor)


@pytest.fixture
def assignment(two_audience_article, reviewer, managing):
    return ready_to_review(two_audience_article, reviewer, managing)


@pytest.fixture
def as_reviewer(client, reviewer):
    client.force_login(reviewer.user)
    return client


def page_url(assignment) -> str:
    return reverse("reviews:assignment", args=[assignment.pk])


def approval(**extra) -> dict:
    return {"decision": "approve", "comments": "Accurate.", **ALL_CHECKED, **extra}


def test_page_shows_the_exact_version_for_both_audiences(as_reviewer, assignment):
    response = as_reviewer.get(page_url(assignment))
    assert response.status_code == 200
    html = response.content.decode()
    assert "For patients and caregivers" in html and "For healthcare professionals" in html
    assert "<strong>too early</strong>" in html
    assert "Cerclage reduces preterm birth" in html
    assert "Cervical stitch (cerclage) for preventing preterm birth" in html  # reference 2
    assert "https://doi.org/10.1097/01.AOG.0000444454.47626.ab" in html  # reference 1's DOI link
    assert assignment.version.content_hash in html
    assert '<a href="#ref-1"' in html  # citations link to the reference list


def test_markdown_in_the_text_cannot_run_scripts(as_reviewer, assignment):
    html = as_reviewer.get(page_url(assignment)).content.decode()
    assert "<script>alert" not in html
    assert "<img" not in html
    assert 'href="javascript:' not in html


def test_readability_and_warnings_are_shown(as_reviewer, assignment):
    response = as_reviewer.get(page_url(assignment))
    sections = response.context["readability"]
    assert {s.heading for s in sections} == {"What it is", "Evidence"}
    assert "Reading grade of each section" in response.content.decode()


def test_every_checklist_item_and_decision_is_offered(as_reviewer, assignment):
    html = as_reviewer.get(page_url(assignment)).content.decode()
    for label in CHECKLIST_ITEMS.values():
        assert label in html
    for value in ("approve", "request_changes", "recommend_reject"):
        assert f'value="{value}"' in html


def test_requesting_changes_records_the_review_and_section_comments(as_reviewer, assignment):
    section = assignment.version.sections.get(heading="Evidence")
    response = as_reviewer.post(
        page_url(assignment),
        {
            "decision": "request_changes",
            f"quote_{section.pk}": "selected women",
            f"comment_{section.pk}": "Say which women: those with a short cervix.",
        },
    )
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.decision == "request_changes"
    comment = SectionComment.objects.select_related("section").get(review=review)
    assert (comment.section, comment.quote) == (section, "selected women")
    assignment.article.refresh_from_db()
    assert assignment.article.state == ArticleState.CHANGES_REQUESTED
    done = as_reviewer.get(response["Location"]).content.decode()
    assert "Say which women: those with a short cervix." in done


def test_request_changes_without_saying_what_is_refused(as_reviewer, assignment):
    response = as_reviewer.post(page_url(assignment), {"decision": "request_changes"})
    assert response.status_code == 400
    assert "Say what needs to change" in response.content.decode()
    assert not Review.objects.exists()


def test_approving_first_shows_what_the_signature_means(as_reviewer, assignment):
    response = as_reviewer.post(page_url(assignment), approval())
    assert response.status_code == 200
    html = response.content.decode()
    assert "I approve version 1 of this article as medically accurate." in html
    assert 'type="password"' in html
    assert not Review.objects.exists()


def test_approving_with_the_password_signs(as_reviewer, assignment, reviewer):
    as_reviewer.get(page_url(assignment))
    response = as_reviewer.post(page_url(assignment), approval(confirm="True", password=PASSWORD))
    assert response.status_code == 302
    review = Review.objects.get(assignment=assignment)
    assert review.signer_id == reviewer.user.pk
    assert review.signature_meaning == "I approve version 1 of this article as medically accurate."
    assert review.signed_content_hash == assignment.version.content_hash
    assignment.article.refresh_from_db()
    assert assignment.article.state == ArticleState.APPROVED


def test_wrong_password_signs_nothing(as_reviewer, assignment):
    as_reviewer.get(page_url(assignment))
    response = as_reviewer.post(page_url(assignment), approval(confirm="True", password="not-it"))
    assert response.status_code == 403
    assert "The password is not correct; the approval was not signed." in response.content.decode()
    assert not Review.objects.exists()
    assignment.refresh_from_db()
    assert assignment.status == AssignmentStatus.ACCEPTED


def test_signing_after_the_session_was_idle_is_refused(as_reviewer, assignment):
    with time_machine.travel(timezone.now(), tick=False) as traveller:
        as_reviewer.get(page_url(assignment))
        traveller.shift(datetime.timedelta(minutes=16))
        response = as_reviewer.post(page_url(assignment), approval(confirm="True", password=PASSWORD))
    assert response.status_code == 403
    assert "Your session has been idle for more than 15 minutes" in response.content.decode()
    assert not Review.objects.exists()


def test_signing_without_any_recorded_activity_is_refused(as_reviewer, assignment):
    # The session was never used on a staff page: its last activity is unknown, so not fresh.
    response = as_reviewer.post(page_url(assignment), approval(confirm="True", password=PASSWORD))
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_public_pages_do_not_touch_the_activity_time(as_reviewer, assignment):
    from reviews.middleware import SESSION_KEY

    as_reviewer.get("/articles/")
    assert SESSION_KEY not in as_reviewer.session
    as_reviewer.get(page_url(assignment))
    assert SESSION_KEY in as_reviewer.session


def test_going_back_from_the_signing_step_keeps_the_answers(as_reviewer, assignment):
    section = assignment.version.sections.get(heading="Evidence")
    data = approval(confirm="True", edit="1", **{f"comment_{section.pk}": "Cite the 2024 trial too."})
    response = as_reviewer.post(page_url(assignment), data)
    assert response.status_code == 200
    assert "Cite the 2024 trial too." in response.content.decode()
    assert not Review.objects.exists()


def test_the_signing_step_carries_the_answers(as_reviewer, assignment):
    section = assignment.version.sections.get(heading="Evidence")
    html = as_reviewer.post(
        page_url(assignment), approval(**{f"comment_{section.pk}": "Minor: add the year."})
    ).content.decode()
    assert f'name="comment_{section.pk}" value="Minor: add the year."' in html
    assert 'name="check_clinically_accurate" value="True"' in html
    assert 'name="decision" value="approve"' in html


def test_approving_with_an_unchecked_item_needs_a_comment(as_reviewer, assignment):
    as_reviewer.get(page_url(assignment))
    data = {**approval(confirm="True", password=PASSWORD), "comments": ""}
    del data["check_references_current"]
    response = as_reviewer.post(page_url(assignment), data)
    assert response.status_code == 400
    assert "An approval with unchecked items needs a comment" in response.content.decode()
    assert not Review.objects.exists()


def test_signing_needs_the_csrf_token(reviewer, assignment):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer.user)
    client.get(page_url(assignment))
    response = client.post(page_url(assignment), approval(confirm="True", password=PASSWORD))
    assert response.status_code == 403
    assert not Review.objects.exists()


def test_another_reviewer_gets_not_found_and_cannot_submit(client, reviewer2, assignment):
    client.force_login(reviewer2.user)
    assert client.get(page_url(assignment)).status_code == 404
    response = client.post(page_url(assignment), approval(confirm="True", password=PASSWORD))
    assert response.status_code == 404
    assert not Review.objects.exists()


def test_second_round_shows_what_changed_since_the_last_review(client, editor, managing, reviewer, article):
    first = ready_to_review(article, reviewer, managing)
    request_changes(first)
    resubmit(article, editor)
    second = article.assignments.get(round=2, reviewer=reviewer)
    from reviews.assignments import accept_assignment, declare_conflict

    accept_assignment(second, reviewer.user)
    declare_conflict(second, reviewer.user, category="none")
    client.force_login(reviewer.user)
    response = client.get(page_url(second))
    diffs = response.context["diffs"]
    assert [d["key"] for d in diffs] == ["previous_review"]
    html = response.content.decode()
    assert "Since the version you reviewed last (version 1 → 2)" in html
    assert "A stitch <del>can help</del><ins>helps</ins> some women" in html
    assert "Cerclage in twin pregnancies" in html  # the reference added in version 2
