"""The daily digest of held notifications, and the managing editors' overdue list."""

from __future__ import annotations

import datetime

import time_machine

from accounts.roles import MANAGING_EDITOR, REVIEWER
from notifications import digest
from notifications.inbox import unread_count
from notifications.kinds import Kind
from notifications.models import EmailMessage, EmailMode, Notification, NotificationPreference, StaffProfile
from notifications.notify import Message, notify
from outbox.models import DeliveryStatus
from reviews.assignments import accept_assignment
from tests.factories import make_article, make_board_member, make_user, submit, valid_content

from .conftest import email_of, invite, notes_for

DAY = datetime.datetime(2026, 3, 2, 7, 0, tzinfo=datetime.UTC)


def tell(user, title, article=None, kind=Kind.ARTICLE_SUBMITTED):
    return notify(user, Message(kind, title, url="/desk/x/"), article=article)


def test_the_digest_groups_by_article_in_order_of_first_news_and_puts_the_rest_last(
    editor, specialty, managing
):
    asthma = make_article(editor, specialty, valid_content(title="Asthma"))
    gout = make_article(editor, specialty, valid_content(title="Gout"))
    with time_machine.travel(DAY, tick=False) as clock:
        notes = []
        for title, article in [("a1", asthma), ("general", None), ("g1", gout), ("a2", asthma)]:
            notes.append(tell(managing, title, article))
            clock.shift(60)

    groups = digest.group_for_digest(reversed(notes))

    assert [(g["article"], [i["title"] for i in g["items"]]) for g in groups] == [
        ("Asthma", ["a1", "a2"]),
        ("Gout", ["g1"]),
        ("Other", ["general"]),
    ]
    assert groups[0]["url"] == f"http://127.0.0.1:8000/desk/articles/{asthma.slug}/"


def test_a_digest_user_gets_one_email_with_everything_held(
    editor, specialty, managing, mailoutbox, django_capture_on_commit_callbacks
):
    NotificationPreference.objects.create(user=managing, email_mode=EmailMode.DAILY_DIGEST)
    asthma = make_article(editor, specialty, valid_content(title="Asthma"))
    held = [tell(managing, "Submitted: Asthma", asthma), tell(managing, "Something else")]

    with django_capture_on_commit_callbacks(execute=True):
        assert digest.send_daily_digests(DAY) == 1

    [email] = mailoutbox
    assert "Asthma" in email.body and "Something else" in email.body
    digest_note = notes_for(managing, Kind.DAILY_DIGEST).get()
    assert digest_note.payload["count"] == 2
    carried = EmailMessage.objects.filter(notification__in=held)
    assert set(carried.values_list("delivery__status", flat=True)) == {DeliveryStatus.DIGESTED}
    assert set(carried.values_list("digest", flat=True)) == {email_of(digest_note).pk}
    assert unread_count(managing) == 2  # the digest is an email, not another inbox entry


def test_the_digest_goes_once_a_day_and_later_news_waits_for_the_next_one(managing):
    NotificationPreference.objects.create(user=managing, email_mode=EmailMode.DAILY_DIGEST)
    tell(managing, "first")
    assert digest.send_daily_digests(DAY) == 1
    late = tell(managing, "after the digest")

    assert digest.send_daily_digests(DAY + datetime.timedelta(hours=3)) == 0
    assert email_of(late).status == DeliveryStatus.HELD
    assert digest.send_daily_digests(DAY + datetime.timedelta(days=1)) == 1
    assert Notification.objects.filter(kind=Kind.DAILY_DIGEST).count() == 2


def test_nobody_without_held_news_gets_a_digest(managing):
    tell(managing, "sent at once")  # immediate mode: pending, not held
    assert digest.send_daily_digests(DAY) == 0


def _overdue_review(article, member, managing, *, days_late: int):
    """An accepted review whose due date passed ``days_late`` days before DAY."""
    with time_machine.travel(DAY - datetime.timedelta(days=days_late + 3), tick=False):
        assignment = invite(article, member, managing)
        accept_assignment(assignment, member.user)
    assignment.refresh_from_db()
    type(assignment).objects.filter(pk=assignment.pk).update(due_at=DAY - datetime.timedelta(days=days_late))
    return assignment


def test_managing_editors_get_what_is_overdue_in_their_specialties(
    editor, specialty, other_specialty, managing, reviewer
):
    heart_reviewer = make_board_member(make_user("hal", REVIEWER), other_specialty)
    cardiology_only = make_user("cleo", MANAGING_EDITOR)
    StaffProfile.objects.create(user=cardiology_only).specialties.add(other_specialty)
    obstetric = submit(make_article(editor, specialty, valid_content(title="Cerclage")), editor)
    cardiac = submit(make_article(editor, other_specialty, valid_content(title="Heart failure")), editor)
    _overdue_review(obstetric, reviewer, managing, days_late=4)
    _overdue_review(cardiac, heart_reviewer, managing, days_late=1)

    assert digest.send_overdue_digests(DAY) == 2

    everything = notes_for(managing, Kind.OVERDUE_DIGEST).get()
    assert [(g["specialty"], [i["article"] for i in g["items"]]) for g in everything.payload["groups"]] == [
        ("Cardiology", ["Heart failure"]),
        ("Obstetrics", ["Cerclage"]),
    ]
    assert everything.payload["groups"][1]["items"][0]["days_late"] == 4
    cleo = notes_for(cardiology_only, Kind.OVERDUE_DIGEST).get()
    assert [g["specialty"] for g in cleo.payload["groups"]] == ["Cardiology"]
    assert cleo.is_essential


def test_the_overdue_list_is_sent_once_a_day_and_not_when_nothing_is_late(
    editor, specialty, managing, reviewer, submitted
):
    assert digest.send_overdue_digests(DAY) == 0
    _overdue_review(submitted, reviewer, managing, days_late=2)

    assert digest.send_overdue_digests(DAY) == 1
    assert digest.send_overdue_digests(DAY + datetime.timedelta(hours=1)) == 0
