"""axe-core, in Chromium, on the pages readers and staff use most: no serious or critical
violation of WCAG 2.2 AA. Each page's full report is saved beside its screenshot."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model

from reviews.models import BoardMember, ConflictCategory
from tests.browser.pages import audit, describe, log_in
from tests.browser.world import published_in_both_audiences
from tests.factories import make_article, submit, valid_content
from tests.reviews.helpers import make_reviewer, ready_to_review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

User = get_user_model()


@pytest.fixture
def world(fast_passwords, transactional_db):
    """A published article in both audiences, a draft, and a review ready to be written."""
    published, obstetrics = published_in_both_audiences()
    editor, managing = User.objects.get(username="editor"), User.objects.get(username="managing")
    ana = BoardMember.objects.select_related("user").get(user__username="ana")
    make_reviewer("ben", obstetrics, display_name="Dr Ben Okafor", credentials="MD, FACOG")
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
