"""The board in the admin: managing editors keep it; assignments and reviews are read-only there."""

from __future__ import annotations

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from accounts.roles import EDITOR, MANAGING_EDITOR
from audit.models import AuditEvent
from reviews.assignments import assign_reviewer
from reviews.models import BoardMember
from tests.factories import make_user
from tests.reviews.helpers import make_reviewer


@pytest.fixture
def staff_managing(db):
    return make_user("chief", MANAGING_EDITOR, is_staff=True)


def test_verifying_credentials_records_who_and_when(client, staff_managing, specialty):
    member = make_reviewer("dora", specialty, credentials_verified_at=None)
    client.force_login(staff_managing)
    before = timezone.now()

    response = client.post(
        reverse("admin:reviews_boardmember_changelist"),
        {"action": "verify_credentials", "_selected_action": [member.pk]},
    )

    assert response.status_code == 302
    member.refresh_from_db()
    assert member.credentials_verified_by_id == staff_managing.pk
    assert member.credentials_verified_at >= before
    event = AuditEvent.objects.get(action="board.credentials_verified")
    assert event.actor_id == staff_managing.pk and event.payload["member_id"] == member.pk


def test_credentials_without_an_expiry_date_are_not_verified(client, staff_managing, specialty):
    member = make_reviewer("dora", specialty, credentials_verified_at=None)
    BoardMember.objects.filter(pk=member.pk).update(credentials_expire_on=None)
    client.force_login(staff_managing)
    client.post(
        reverse("admin:reviews_boardmember_changelist"),
        {"action": "verify_credentials", "_selected_action": [member.pk]},
    )
    member.refresh_from_db()
    assert member.credentials_verified_at is None


def test_an_assignment_is_shown_but_cannot_be_edited(client, staff_managing, article, reviewer, managing):
    assignment = assign_reviewer(article, reviewer, managing)
    client.force_login(staff_managing)
    url = reverse("admin:reviews_reviewassignment_change", args=[assignment.pk])

    assert client.get(url).status_code == 200
    client.post(url, {"status": "completed", "respond_by": timezone.now() + datetime.timedelta(days=9)})

    assignment.refresh_from_db()
    assert assignment.status == "invited"


def test_editors_do_not_keep_the_board(client, db):
    client.force_login(make_user("staff-editor", EDITOR, is_staff=True))
    assert client.get(reverse("admin:reviews_boardmember_changelist")).status_code == 403
