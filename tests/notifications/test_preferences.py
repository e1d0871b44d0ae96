"""Preferences decide how the email goes; the inbox entry is always written."""

from __future__ import annotations

from notifications.kinds import Kind
from notifications.models import EmailMode, NotificationPreference
from outbox.models import DeliveryStatus
from tests.factories import submit

from .conftest import email_of, invite, notes_for


def prefer(user, **fields):
    NotificationPreference.objects.create(user=user, **fields)


def test_without_preferences_every_email_goes_out_at_once(draft, editor, managing):
    submit(draft, editor)
    assert email_of(notes_for(managing).get()).status == DeliveryStatus.PENDING


def test_digest_mode_holds_the_email_for_the_daily_digest(draft, editor, managing):
    prefer(managing, email_mode=EmailMode.DAILY_DIGEST)

    submit(draft, editor)

    note = notes_for(managing, Kind.ARTICLE_SUBMITTED).get()
    assert email_of(note).status == DeliveryStatus.HELD
    assert note.read_at is None  # still in the inbox, unread


def test_a_muted_kind_is_in_the_inbox_but_not_emailed(draft, editor, managing):
    prefer(managing, muted_kinds=[Kind.ARTICLE_SUBMITTED])

    submit(draft, editor)

    delivery = email_of(notes_for(managing, Kind.ARTICLE_SUBMITTED).get())
    assert delivery.status == DeliveryStatus.SKIPPED
    assert "Muted" in delivery.last_error


def test_invitations_are_emailed_at_once_even_when_muted_or_in_digest_mode(submitted, managing, reviewer):
    prefer(reviewer.user, email_mode=EmailMode.DAILY_DIGEST, muted_kinds=[Kind.ASSIGNMENT_INVITED])

    invite(submitted, reviewer, managing)

    assert email_of(notes_for(reviewer.user, Kind.ASSIGNMENT_INVITED).get()).status == DeliveryStatus.PENDING


def test_muting_one_kind_leaves_the_others(submitted, managing, reviewer):
    from reviews.assignments import accept_assignment

    prefer(managing, muted_kinds=[Kind.ASSIGNMENT_DECLINED])

    accept_assignment(invite(submitted, reviewer, managing), reviewer.user)

    assert email_of(notes_for(managing, Kind.ASSIGNMENT_ACCEPTED).get()).status == DeliveryStatus.PENDING


def test_someone_without_an_email_address_is_skipped_with_the_reason(draft, editor, managing):
    managing.email = ""
    managing.save()

    submit(draft, editor)

    delivery = email_of(notes_for(managing).get())
    assert delivery.status == DeliveryStatus.SKIPPED
    assert "no email address" in delivery.last_error
