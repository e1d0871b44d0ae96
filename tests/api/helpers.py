"""A small editorial world built through the domain functions, and API clients acting in it."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import Any

from django.utils import timezone
from rest_framework.test import APIClient

from accounts.roles import EDITOR, INTEGRATION_CLIENT, MANAGING_EDITOR, REVIEWER
from api.models import ApiToken
from articles.models import Article
from audit.models import AuditEvent
from reviews.assignments import accept_assignment, assign_reviewer, declare_conflict
from reviews.decisions import submit_review
from reviews.models import CHECKLIST_ITEMS, ConflictCategory, Decision, ReviewAssignment
from reviews.workflow import Action, perform
from tests.factories import PASSWORD, make_article, make_board_member, make_specialty, make_user, submit
from webhooks import endpoints
from webhooks.events import write_deliveries
from webhooks.models import Endpoint, EventKind, WebhookMessage

ALL_CHECKED = dict.fromkeys(CHECKLIST_ITEMS, True)
ROLES = ("anonymous", "editor", "other_editor", "managing", "reviewer", "other_reviewer", "integration")


def fast_user(username: str, *groups: str):
    """A user whose password hashes with the first configured hasher (fast: see conftest)."""
    user = make_user(username, *groups)
    user.set_password(PASSWORD)
    user.save(update_fields=["password"])
    return user


def client_for(user=None) -> APIClient:
    """An API client sending ``user``'s token (anonymous when ``None``)."""
    client = APIClient()
    if user is not None:
        _token, key = ApiToken.issue(user=user, name=f"test {user.username}")
        client.credentials(HTTP_AUTHORIZATION=f"Token {key}")
    return client


def draft_payload(**overrides: Any) -> dict[str, Any]:
    """A draft that passes every submit check, as JSON."""
    payload: dict[str, Any] = {
        "title": "Iron deficiency in pregnancy",
        "summary": "Why iron matters in pregnancy [1].",
        "specialty": "obstetrics",
        "sections": [
            {
                "audience": "patient",
                "heading": "What it is",
                "body": "Your body needs more iron when you are pregnant [1]. Tablets can help [2].",
            }
        ],
        "references": [
            {
                "number": 1,
                "kind": "guideline",
                "title": "Anaemia in pregnancy",
                "source": "Royal College of Obstetricians and Gynaecologists",
                "year": 2019,
            },
            {
                "number": 2,
                "kind": "systematic_review",
                "title": "Daily oral iron supplementation during pregnancy",
                "source": "Cochrane Database of Systematic Reviews",
                "year": 2015,
                "doi": "10.1002/14651858.CD004736.pub5",
            },
        ],
    }
    payload.update(overrides)
    return payload


@dataclass
class World:
    users: dict[str, Any]  # role name -> user (anonymous -> None)
    under_review: Article  # owned by the editor; the reviewer has accepted and declared no conflict
    invited: Article  # owned by the editor; the reviewer is invited, has not answered
    draft: Article  # owned by the editor, never submitted
    approved: Article  # owned by the editor, approved by other_reviewer
    published: Article  # owned by the editor, published, reviewed by other_reviewer
    assignment: ReviewAssignment  # the reviewer's accepted one on ``under_review``
    invitation: ReviewAssignment  # the reviewer's open invitation on ``invited``
    endpoint: Endpoint  # the integration client's webhook endpoint (a public address, never called)
    webhook: WebhookMessage  # a pending delivery to it

    @property
    def webhook_ids(self) -> dict[str, int]:
        return {"webhook": self.endpoint.pk, "webhook_delivery": self.webhook.pk}

    def client(self, role: str) -> APIClient:
        return client_for(self.users[role])


def _approve(article: Article, member, managing) -> None:
    assignment = assign_reviewer(article, member, managing)
    accept_assignment(assignment, member.user)
    declare_conflict(assignment, member.user, category=ConflictCategory.NONE)
    submit_review(
        assignment,
        member.user,
        decision=Decision.APPROVE,
        comments="Accurate.",
        checklist=ALL_CHECKED,
        password=PASSWORD,
        session_last_activity=timezone.now(),
    )


def build_world() -> World:
    specialty = make_specialty("obstetrics")
    users = {
        "anonymous": None,
        "editor": fast_user("ed", EDITOR),
        "other_editor": fast_user("ed2", EDITOR),
        "managing": fast_user("me", MANAGING_EDITOR),
        "reviewer": fast_user("rev", REVIEWER),
        "other_reviewer": fast_user("rev2", REVIEWER),
        "integration": fast_user("bot", INTEGRATION_CLIENT),
    }
    editor, managing = users["editor"], users["managing"]
    reviewer = make_board_member(users["reviewer"], specialty, display_name="Dr Rev")
    other = make_board_member(
        users["other_reviewer"], specialty, display_name="Dr Other", max_open_assignments=9
    )

    under_review = submit(make_article(editor, specialty, slug="under-review"), editor)
    assignment = assign_reviewer(under_review, reviewer, managing)
    accept_assignment(assignment, reviewer.user)
    declare_conflict(assignment, reviewer.user, category=ConflictCategory.NONE)

    invited = submit(make_article(editor, specialty, slug="invited"), editor)
    invitation = assign_reviewer(
        invited, reviewer, managing, due_at=timezone.now() + datetime.timedelta(days=10)
    )

    approved = submit(make_article(editor, specialty, slug="approved"), editor)
    _approve(approved, other, managing)
    published = submit(make_article(editor, specialty, slug="published"), editor)
    _approve(published, other, managing)
    perform(published, Action.PUBLISH, editor)

    endpoint, _secret = endpoints.register(
        client=users["integration"], url="https://93.184.215.14/hooks", kinds=EventKind.values, by=managing
    )
    # A delivery to it without giving the client an article of its own (tests count the articles).
    submitted = AuditEvent.objects.select_related("article").get(
        action="article.submit", article=under_review
    )
    [delivery_id] = write_deliveries(submitted, EventKind.SUBMITTED, [endpoint])

    return World(
        users=users,
        under_review=Article.objects.get(pk=under_review.pk),
        invited=Article.objects.get(pk=invited.pk),
        draft=make_article(editor, specialty, slug="draft"),
        approved=Article.objects.get(pk=approved.pk),
        published=Article.objects.get(pk=published.pk),
        assignment=assignment,
        invitation=invitation,
        endpoint=endpoint,
        webhook=WebhookMessage.objects.get(pk=delivery_id),
    )


def error_of(response) -> dict:
    """The error object of an API answer, after checking it has the shared shape."""
    body = response.json()
    assert set(body) == {"error"}, body
    assert isinstance(body["error"]["code"], str) and body["error"]["code"], body
    assert isinstance(body["error"]["message"], str) and body["error"]["message"], body
    return body["error"]
