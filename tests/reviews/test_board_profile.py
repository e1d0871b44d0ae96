"""A board member keeps their own bio and standing conflicts (reviews.board, /desk/reviews/profile/)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.roles import REVIEWER
from audit.models import AuditEvent
from core.errors import ContentInvalid, NotPermitted
from reviews.board import (
    declare_standing_conflict,
    end_standing_conflict,
    ineligibility_reasons,
    suggest_reviewers,
    update_own_bio,
)
from reviews.models import ConflictKind, ConflictOfInterest
from tests.factories import make_user

pytestmark = pytest.mark.django_db

URL = reverse("reviews:profile")


def last_event(action: str) -> AuditEvent:
    return AuditEvent.objects.filter(action=action).latest("seq")


def test_member_updates_own_bio_and_it_is_audited(reviewer):
    before = AuditEvent.objects.count()

    member = update_own_bio(reviewer.user, "  Obstetrician in Lisbon.  ")

    reviewer.refresh_from_db()
    assert member.pk == reviewer.pk
    assert reviewer.bio == "Obstetrician in Lisbon."
    assert AuditEvent.objects.count() == before + 1
    event = last_event("board.bio_updated")
    assert event.target_type == "boardmember" and event.target_id == str(reviewer.pk)
    assert event.payload["member_id"] == reviewer.pk


def test_user_without_profile_is_refused(editor):
    with pytest.raises(NotPermitted):
        update_own_bio(editor, "Not on the board.")
    with pytest.raises(NotPermitted):
        declare_standing_conflict(editor, kind=ConflictKind.TOPIC, topic="statins")


@pytest.mark.parametrize(
    ("kind", "field"),
    [(ConflictKind.TOPIC, "topic"), (ConflictKind.ARTICLE, "article"), (ConflictKind.AUTHOR, "author")],
)
def test_each_kind_needs_its_subject(reviewer, kind, field):
    with pytest.raises(ContentInvalid) as refused:
        declare_standing_conflict(reviewer.user, kind=kind, topic="  ")
    assert field in refused.value.fields
    assert not ConflictOfInterest.objects.exists()


def test_topic_conflict_excludes_member_then_ends(reviewer, reviewer2, article):
    assert not ineligibility_reasons(reviewer, article)

    conflict = declare_standing_conflict(
        reviewer.user, kind=ConflictKind.TOPIC, topic="cervical insufficiency", details="Paid advisor."
    )

    assert conflict.member == reviewer and conflict.declared_on == timezone.localdate()
    event = last_event("board.conflict_declared")
    assert event.target_id == str(conflict.pk)
    assert event.payload["conflict_id"] == conflict.pk and event.payload["member_id"] == reviewer.pk
    assert [r.code for r in ineligibility_reasons(reviewer, article)] == ["conflict"]
    suggestions = suggest_reviewers(article)
    assert reviewer not in [s.member for s in suggestions.eligible]
    assert reviewer2 in [s.member for s in suggestions.eligible]
    excluded = {e.member.pk: e.codes for e in suggestions.excluded}
    assert excluded[reviewer.pk] == {"conflict"}

    end_standing_conflict(reviewer.user, conflict.pk)

    conflict.refresh_from_db()
    assert conflict.ended_on == timezone.localdate()
    event = last_event("board.conflict_ended")
    assert event.target_id == str(conflict.pk) and event.payload["conflict_id"] == conflict.pk
    with pytest.raises(ContentInvalid):
        end_standing_conflict(reviewer.user, conflict.pk)


def test_another_members_conflict_cannot_be_ended(reviewer, reviewer2):
    conflict = declare_standing_conflict(reviewer.user, kind=ConflictKind.TOPIC, topic="statins")
    events = AuditEvent.objects.count()

    with pytest.raises(NotPermitted):
        end_standing_conflict(reviewer2.user, conflict.pk)

    conflict.refresh_from_db()
    assert conflict.ended_on is None
    assert AuditEvent.objects.count() == events


def test_page_renders_for_member(client, reviewer):
    declare_standing_conflict(reviewer.user, kind=ConflictKind.TOPIC, topic="statins")
    client.force_login(reviewer.user)

    response = client.get(URL)

    assert response.status_code == 200
    assert b"statins" in response.content
    assert b"Declare a conflict of interest" in response.content
    assert b"<script>" not in response.content and b" style=" not in response.content  # strict CSP
    assert reverse("reviews:profile").encode() in client.get(reverse("reviews:desk")).content


def test_user_without_profile_gets_403(client):
    client.force_login(make_user("notboard", REVIEWER))
    assert client.get(URL).status_code == 403
    assert client.post(URL, {"action": "bio", "bio": "x"}).status_code == 403


def test_page_actions_through_the_form(client, reviewer, reviewer2, article):
    client.force_login(reviewer.user)

    assert client.post(URL, {"action": "bio", "bio": "New bio."}).status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.bio == "New bio."

    response = client.post(URL, {"action": "declare", "kind": "article", "article": article.slug})
    assert response.status_code == 302
    conflict = ConflictOfInterest.objects.get(member=reviewer)
    assert conflict.article_id == article.pk

    refused = client.post(URL, {"action": "declare", "kind": "topic", "topic": ""})
    assert refused.status_code == 400
    assert ConflictOfInterest.objects.filter(member=reviewer).count() == 1

    other = declare_standing_conflict(reviewer2.user, kind=ConflictKind.TOPIC, topic="statins")
    assert client.post(URL, {"action": "end", "conflict": other.pk}).status_code == 403
    other.refresh_from_db()
    assert other.ended_on is None

    assert client.post(URL, {"action": "end", "conflict": conflict.pk}).status_code == 302
    conflict.refresh_from_db()
    assert conflict.ended_on == timezone.localdate()


def test_post_requires_csrf_token(reviewer):
    client = Client(enforce_csrf_checks=True)
    client.force_login(reviewer.user)

    response = client.post(URL, {"action": "bio", "bio": "Forged."})

    assert response.status_code == 403
    reviewer.refresh_from_db()
    assert reviewer.bio == ""
    page = client.get(URL)
    token = (
        page.cookies["csrftoken"].value if "csrftoken" in page.cookies else client.cookies["csrftoken"].value
    )
    response = client.post(URL, {"action": "bio", "bio": "Genuine.", "csrfmiddlewaretoken": token})
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.bio == "Genuine."
