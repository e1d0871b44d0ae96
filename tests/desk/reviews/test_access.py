"""Who may open which review-desk page: every URL, every role.

Managing-editor pages answer 403 to anyone signed in without the permission; reviewer pages
answer 403 without the reviewer role or a board profile, and 404 for someone else's
assignment (the same answer as for one that does not exist). Anonymous visitors go to the login page.
"""

from __future__ import annotations

import pytest
from django.urls import reverse

from reviews.assignments import accept_assignment, assign_reviewer
from tests.factories import make_user

pytestmark = pytest.mark.django_db


@pytest.fixture
def assignment(article, reviewer, managing):
    a = assign_reviewer(article, reviewer, managing)
    return accept_assignment(a, reviewer.user)


def manager_urls(article, assignment) -> list[str]:
    return [
        reverse("reviews:queue"),
        reverse("reviews:metrics"),
        reverse("reviews:assign", args=[article.slug]),
        reverse("reviews:record", args=[article.slug]),
        reverse("reviews:record", args=[article.slug]) + "?format=html",
    ]


def reviewer_urls(assignment) -> list[str]:
    return [
        reverse("reviews:desk"),
        reverse("reviews:assignment", args=[assignment.pk]),
        reverse("reviews:declare", args=[assignment.pk]),
        reverse("reviews:decline", args=[assignment.pk]),
        reverse("reviews:request-extension", args=[assignment.pk]),
    ]


def test_anonymous_visitors_are_sent_to_log_in(client, article, assignment):
    for url in manager_urls(article, assignment) + reviewer_urls(assignment):
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/"), url


def test_managing_editor_opens_every_manager_page(client, managing, article, assignment):
    client.force_login(managing)
    for url in manager_urls(article, assignment):
        assert client.get(url).status_code == 200, url


def test_managing_editor_without_reviewer_role_is_refused_the_desk(client, managing, assignment):
    client.force_login(managing)
    for url in reviewer_urls(assignment):
        assert client.get(url).status_code == 403, url


def test_editor_is_refused_every_page(client, editor, article, assignment):
    client.force_login(editor)
    for url in manager_urls(article, assignment) + reviewer_urls(assignment):
        assert client.get(url).status_code == 403, url


def test_reviewer_opens_their_pages_and_is_refused_manager_pages(client, reviewer, article, assignment):
    client.force_login(reviewer.user)
    for url in reviewer_urls(assignment):
        assert client.get(url).status_code in (200, 302), url
    for url in manager_urls(article, assignment):
        assert client.get(url).status_code == 403, url


def test_another_reviewers_assignment_is_not_found(client, reviewer2, assignment):
    client.force_login(reviewer2.user)
    for url in reviewer_urls(assignment)[1:]:
        assert client.get(url).status_code == 404, url
    assert client.post(reverse("reviews:accept", args=[assignment.pk])).status_code == 404


def test_missing_and_enormous_assignment_ids_are_not_found(client, reviewer):
    client.force_login(reviewer.user)
    assert client.get(reverse("reviews:assignment", args=[999999])).status_code == 404
    assert client.get("/desk/reviews/assignments/99999999999999999999999/").status_code == 404


def test_reviewer_role_without_board_profile_is_refused(client):
    from accounts.roles import REVIEWER

    user = make_user("noprofile", REVIEWER)
    client.force_login(user)
    assert client.get(reverse("reviews:desk")).status_code == 403


def test_manager_only_actions_are_refused_to_the_reviewer(client, reviewer, assignment):
    client.force_login(reviewer.user)
    for name in ("reviews:cancel", "reviews:override", "reviews:decide-extension"):
        response = client.post(reverse(name, args=[assignment.pk]), {"reason": "x", "decision": "grant"})
        assert response.status_code == 403, name
    assignment.refresh_from_db()
    assert assignment.status == "accepted"


def test_unknown_article_is_not_found_for_the_managing_editor(client, managing):
    client.force_login(managing)
    assert client.get(reverse("reviews:assign", args=["no-such-article"])).status_code == 404


def test_pages_refuse_unsupported_methods(client, managing, reviewer, assignment):
    client.force_login(managing)
    assert client.post(reverse("reviews:queue")).status_code == 405
    client.force_login(reviewer.user)
    assert client.get(reverse("reviews:accept", args=[assignment.pk])).status_code == 405
