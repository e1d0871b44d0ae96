"""Fixtures for the notification tests: a specialty, its people, an article, and
steps through the real domain functions (workflow, assignments, decisions)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from notifications.models import Notification
from outbox.models import Delivery
from reviews.assignments import accept_assignment, assign_reviewer, declare_conflict
from reviews.decisions import submit_review
from reviews.models import CHECKLIST_ITEMS, ConflictCategory, Decision
from tests.factories import PASSWORD, make_article, make_board_member, make_specialty, make_user, submit


@pytest.fixture
def specialty(db):
    return make_specialty("obstetrics")


@pytest.fixture
def other_specialty(db):
    return make_specialty("cardiology")


@pytest.fixture
def editor(db):
    return make_user("eddie", EDITOR)


@pytest.fixture
def managing(db):
    return make_user("maria", MANAGING_EDITOR)


@pytest.fixture
def reviewer(specialty):
    return make_board_member(make_user("ana", REVIEWER), specialty, display_name="Dr Ana Reyes")


@pytest.fixture
def reviewer2(specialty):
    return make_board_member(make_user("ben", REVIEWER), specialty, display_name="Dr Ben Okafor")


@pytest.fixture
def draft(editor, specialty):
    return make_article(editor, specialty)


@pytest.fixture
def submitted(draft, editor, managing):
    # ``managing`` exists before the submission so that they are told about it.
    return submit(draft, editor)


def invite(article, member, managing, **kw):
    return assign_reviewer(article, member, managing, **kw)


def ready_to_review(article, member, managing, **kw):
    """Invited, accepted, no conflict declared: the reviewer can review."""
    assignment = invite(article, member, managing, **kw)
    accept_assignment(assignment, member.user)
    return declare_conflict(assignment, member.user, category=ConflictCategory.NONE)


def approve(assignment):
    return submit_review(
        assignment,
        assignment.reviewer.user,
        decision=Decision.APPROVE,
        comments="Accurate.",
        checklist=dict.fromkeys(CHECKLIST_ITEMS, True),
        password=PASSWORD,
        session_last_activity=timezone.now(),
    )


def review(assignment, decision: str, comments: str = "Please cite the 2024 guideline."):
    return submit_review(assignment, assignment.reviewer.user, decision=decision, comments=comments)


def notes_for(user, kind: str | None = None):
    rows = Notification.objects.filter(recipient=user)
    return rows.filter(kind=kind) if kind else rows


def email_of(notification) -> Delivery:
    """The outbox row of a notification's email."""
    return Delivery.objects.get(email__notification=notification)
