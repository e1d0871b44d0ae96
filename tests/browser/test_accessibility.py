"""axe-core, in Chromium, on the pages readers and staff use most: no serious or critical
violation of WCAG 2.2 AA. Each page's full report is saved beside its screenshot."""

from __future__ import annotations

import pytest

from accounts.roles import EDITOR, MANAGING_EDITOR
from articles.drafting import DraftContent, ReferenceInput, SectionInput
from articles.models import Audience, ReferenceKind
from reviews.models import ConflictCategory
from tests.articles.public_setup import publish_article
from tests.browser.pages import audit, describe, log_in
from tests.factories import make_article, make_specialty, make_user, submit, valid_content
from tests.reviews.helpers import make_reviewer, ready_to_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def both_audiences() -> DraftContent:
    return valid_content(
        title="Gestational diabetes",
        summary="What gestational diabetes is, how it is found and how it is treated.",
        sections=[
            SectionInput(
                Audience.PATIENT,
                "What it is",
                "High blood sugar that starts in pregnancy [1]. Most women need only a change of diet [2].",
            ),
            SectionInput(
                Audience.PROFESSIONAL,
                "Diagnosis",
                "Screen with a 75 g oral glucose tolerance test at 24 to 28 weeks [1]. "
                "Metformin is an alternative to insulin [2].",
            ),
        ],
        references=[
            ReferenceInput(
                number=1,
                kind=ReferenceKind.GUIDELINE,
                title="Diabetes in pregnancy: management from preconception to the postnatal period",
                source="National Institute for Health and Care Excellence",
                year=2020,
                url="https://www.nice.org.uk/guidance/ng3",
            ),
            ReferenceInput(
                number=2,
                kind=ReferenceKind.SYSTEMATIC_REVIEW,
                title="Metformin versus insulin for gestational diabetes",
                source="Cochrane Database of Systematic Reviews",
                year=2023,
                authors="Tieu J, Coat S, Hague W",
                doi="10.1002/14651858.CD012037.pub2",
                pmid="29000000",
            ),
        ],
    )


@pytest.fixture
def world(db):
    """A published article in both audiences, a draft, and a review ready to be written."""
    obstetrics = make_specialty("obstetrics", name="Obstetrics")
    editor = make_user("editor", EDITOR, first_name="Maya", last_name="Lindqvist")
    managing = make_user("managing", MANAGING_EDITOR)
    ana = make_reviewer("ana", obstetrics, display_name="Dr Ana Reyes", credentials="MD")
    make_reviewer("ben", obstetrics, display_name="Dr Ben Okafor", credentials="MD, FACOG")
    published = publish_article(editor, managing, [ana.user], content=both_audiences(), specialty=obstetrics)
    draft = make_article(editor, obstetrics, valid_content(title="Iron in pregnancy"))
    under_review = submit(make_article(editor, obstetrics, valid_content(title="Preterm labour")), editor)
    assignment = ready_to_review(under_review, ana, managing)
    assert assignment.conflict_category == ConflictCategory.NONE
    return {"published": published, "draft": draft, "assignment": assignment}


def test_public_pages_have_no_serious_violations(context, world, artifacts):
    page = context.new_page()
    slug = world["published"].slug
    found = {}

    page.goto(f"/articles/{slug}/?audience=patient")
    assert page.get_by_role("heading", name="What it is").is_visible()
    found["article-patient"] = audit(page, artifacts, "article-patient")

    page.goto(f"/articles/{slug}/?audience=professional")
    assert page.get_by_role("heading", name="Diagnosis").is_visible()
    found["article-professional"] = audit(page, artifacts, "article-professional")

    page.goto("/articles/")
    assert page.get_by_role("link", name="Gestational diabetes").is_visible()
    found["index"] = audit(page, artifacts, "index")

    page.goto("/board/")
    assert page.get_by_text("Dr Ana Reyes").first.is_visible()
    found["board"] = audit(page, artifacts, "board")

    assert {name: describe(v) for name, v in found.items() if v} == {}


def test_staff_pages_have_no_serious_violations(context, world, artifacts):
    page = context.new_page()
    found = {}

    page.goto("/accounts/login/")
    found["login"] = audit(page, artifacts, "login")

    log_in(page, "editor")
    page.goto(f"/desk/articles/{world['draft'].slug}/edit/")
    assert page.get_by_role("heading", name="Edit: Iron in pregnancy").is_visible()
    found["draft-form"] = audit(page, artifacts, "draft-form")
    context.clear_cookies()

    log_in(page, "managing")
    page.goto("/desk/reviews/queue/")
    assert page.get_by_role("heading", name="Review queue").is_visible()
    found["queue"] = audit(page, artifacts, "queue")
    page.goto("/desk/reviews/queue/?tab=all")
    found["queue-all"] = audit(page, artifacts, "queue-all")
    context.clear_cookies()

    log_in(page, "ana")
    page.goto(f"/desk/reviews/assignments/{world['assignment'].pk}/")
    assert page.get_by_role("heading", name="Your review", exact=True).is_visible()
    found["review"] = audit(page, artifacts, "review")

    assert {name: describe(v) for name, v in found.items() if v} == {}
