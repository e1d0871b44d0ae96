"""The desk, the API and the admin offer the same workflow actions to the same person in the same
state: each is read from the door's own output (the desk page's buttons, the API's
``allowed_actions``, the admin article page's action menu), never from the shared function they
all ask (``reviews.workflow.offered_actions``)."""

from __future__ import annotations

import re

import pytest
from django.test import Client
from django.urls import reverse

from accounts.roles import EDITOR, INTEGRATION_CLIENT, MANAGING_EDITOR, REVIEWER
from articles.models import Article, ArticleState
from core.errors import ContentInvalid
from reviews.models import AssignmentStatus
from reviews.workflow import Action, perform
from tests.api.helpers import client_for as api_client_for
from tests.factories import make_article, make_assignment, make_specialty, make_user, sign_approval, submit

S = ArticleState
PEOPLE = (
    "owner editor",
    "other editor",
    "managing editor",
    "assigned reviewer",
    "board member not assigned",
    "integration client",
    "anonymous",
)
# The admin's names for the actions ("revise" kept its historical one).
ADMIN_NAMES = {"open_working_draft": Action.REVISE}


@pytest.fixture
def people(db):
    staff = {"is_staff": True}  # the admin shows staff their articles, as the demo's editors are
    return {
        "owner editor": make_user("owner", EDITOR, **staff),
        "other editor": make_user("other", EDITOR, **staff),
        "managing editor": make_user("managing", MANAGING_EDITOR, **staff),
        "assigned reviewer": make_user("assigned", REVIEWER, **staff),
        "board member not assigned": make_user("unassigned", REVIEWER, **staff),
        "integration client": make_user("pipeline", INTEGRATION_CLIENT, **staff),
        "anonymous": None,
        "approver": make_user("approver", REVIEWER),
    }


def article_in(state: str, people) -> Article:
    """An article in ``state`` (its latest version frozen once submitted), with an accepted
    assignment for the assigned reviewer on the version under review."""
    article = make_article(people["owner editor"], make_specialty())
    if state != S.DRAFT:
        article = submit(article, people["owner editor"])
        version = article.latest_version()
        make_assignment(
            version, people["assigned reviewer"], people["managing editor"], AssignmentStatus.ACCEPTED
        )
        if state in (S.APPROVED, S.PUBLISHED, S.ARCHIVED):
            sign_approval(version, people["approver"], people["managing editor"])
        if state in (S.PUBLISHED, S.ARCHIVED):
            Article.objects.filter(pk=article.pk).update(published_version=version)
        Article.objects.filter(pk=article.pk).update(state=state)
    return Article.objects.get(pk=article.pk)


def _session(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


def desk_offers(article: Article, user) -> set[str]:
    response = _session(user).get(reverse("desk:article", args=[article.slug]))
    if response.status_code != 200:
        return set()
    return set(
        re.findall(r'<input type="hidden" name="action" value="([a-z_]+)">', response.content.decode())
    )


def api_offers(article: Article, user) -> set[str]:
    response = api_client_for(user).get(reverse("api:article", args=[article.slug]))
    if response.status_code != 200:
        return set()
    return set(response.json()["allowed_actions"])


def admin_offers(article: Article, user) -> set[str]:
    response = _session(user).get(reverse("admin:articles_article_change", args=[article.pk]))
    if response.status_code != 200:
        return set()
    html = response.content.decode()
    menu = re.search(r'<select name="CHANGE_FORM-action".*?</select>', html, re.S)
    if menu is None:
        return set()
    names = re.findall(r'<option value="([a-z_]+)"', menu.group(0))
    return {ADMIN_NAMES.get(name, name.removeprefix("workflow_")) for name in names}


@pytest.mark.parametrize("state", S.values)
def test_desk_api_and_admin_offer_the_same_actions(people, subtests, state):
    article = article_in(state, people)
    offered_somewhere = set()
    for who in PEOPLE:
        with subtests.test(person=who):
            user = people[who]
            desk, api, admin = (
                desk_offers(article, user),
                api_offers(article, user),
                admin_offers(article, user),
            )
            assert desk == api == admin, f"{who} in {state}: desk {desk}, API {api}, admin {admin}"
            offered_somewhere |= desk
            # Approving and requesting changes come with a signed review, starting review with
            # assigning a reviewer: no screen offers them as a bare action.
            assert not desk & {Action.APPROVE, Action.REQUEST_CHANGES, Action.START_REVIEW}
    if state != S.ARCHIVED:
        assert offered_somewhere, f"Nobody is offered anything on a {state} article."


def test_approving_directly_is_refused_even_with_the_signatures_in(people):
    """perform() enforces "approve only comes with a signed review" itself: an assigned reviewer
    calling it bare, with the quorum of signatures already in, is refused and nothing changes."""
    article = article_in(S.UNDER_REVIEW, people)
    sign_approval(article.latest_version(), people["approver"], people["managing editor"])
    with pytest.raises(ContentInvalid, match="signed approval"):
        perform(article, Action.APPROVE, people["assigned reviewer"])
    someone_elses = article.latest_version().reviews.get()
    with pytest.raises(ContentInvalid, match="signed approval"):
        perform(article, Action.APPROVE, people["assigned reviewer"], review=someone_elses)
    assert Article.objects.get(pk=article.pk).state == S.UNDER_REVIEW
