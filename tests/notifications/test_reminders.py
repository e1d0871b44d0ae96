"""The reminder ladder around due dates, with frozen time."""

from __future__ import annotations

import datetime
import importlib

import pytest
import time_machine
from django.core.exceptions import ValidationError

from articles.models import Article
from notifications.kinds import Kind
from notifications.models import Notification, Phase, ReminderRule, RuleRecipient, rule_problems
from notifications.reminders import occurrence_due, send_reminders
from reviews.assignments import accept_assignment
from reviews.models import Decision, ReviewAssignment
from reviews.workflow import Action, perform

from .conftest import invite, notes_for, ready_to_review, review

T0 = datetime.datetime(2026, 3, 1, 9, 0, tzinfo=datetime.UTC)
DUE = datetime.datetime(2026, 3, 10, 12, 0, tzinfo=datetime.UTC)
defaults = importlib.import_module("notifications.migrations.0002_default_reminder_rules")


def at(day_offset: int, hour: int = 8) -> datetime.datetime:
    """A moment on the calendar day ``day_offset`` days from the due date's day."""
    return datetime.datetime.combine(
        DUE.date() + datetime.timedelta(days=day_offset), datetime.time(hour), DUE.tzinfo
    )


@pytest.fixture
def ladder(db, settings):
    """The default rules, as the data migration seeds them (escalation after 3 days)."""
    settings.VETTED = {**settings.VETTED, "ESCALATE_OVERDUE_DAYS": 3}
    ReminderRule.objects.all().delete()
    for name, phase, offset, recipient, every, times in defaults.default_rules():
        ReminderRule.objects.create(
            name=name,
            phase=phase,
            offset_days=offset,
            recipient=recipient,
            repeat_every_days=every,
            max_times=times,
        )
    return {rule.name: rule for rule in ReminderRule.objects.all()}


@pytest.fixture
def accepted(submitted, reviewer, managing):
    """An accepted review, due on DUE."""
    with time_machine.travel(T0, tick=False):
        return ready_to_review(submitted, reviewer, managing, due_at=DUE)


def scan(moment: datetime.datetime) -> list[tuple[str, str]]:
    """Run the scan at ``moment``; (rule name, recipient) of what it wrote."""
    before = set(Notification.objects.values_list("pk", flat=True))
    with time_machine.travel(moment, tick=False):
        send_reminders()
    new = Notification.objects.exclude(pk__in=before).select_related("recipient").order_by("pk")
    names = dict(ReminderRule.objects.values_list("pk", "name"))
    return [(names[n.payload["rule_id"]], n.recipient.username) for n in new]


def test_the_review_ladder_day_by_day(ladder, accepted):
    expected = {
        -3: [],
        -2: [("Review due in 48 hours", "ana")],
        -1: [],
        0: [("Review due today", "ana")],
        1: [("Review overdue (then every 2 days)", "ana")],
        2: [],
        3: [("Review overdue (then every 2 days)", "ana"), ("Escalation: review 3 days overdue", "maria")],
        4: [],
        5: [("Review overdue (then every 2 days)", "ana")],
        6: [],
        7: [],  # the overdue reminder has been sent its 3 times
    }
    got = {day: sorted(scan(at(day))) for day in expected}
    assert got == {day: sorted(names) for day, names in expected.items()}


def test_a_second_scan_the_same_day_sends_nothing_more(ladder, accepted):
    assert len(scan(at(-2, hour=8))) == 1
    assert scan(at(-2, hour=8)) == []
    assert scan(at(-2, hour=20)) == []
    assert Notification.objects.filter(kind=Kind.REMINDER_REVIEW).count() == 1


def test_overdue_reminders_and_escalations_are_essential_and_the_early_ones_are_not(
    ladder, accepted, managing
):
    scan(at(-2))
    scan(at(3))

    early, overdue = notes_for(accepted.reviewer.user, Kind.REMINDER_REVIEW).order_by("pk")
    assert (early.is_essential, overdue.is_essential) == (False, True)
    assert "due in 2 days" in early.title and "3 days overdue" in overdue.title
    escalation = notes_for(managing, Kind.OVERDUE_ESCALATION).get()
    assert escalation.is_essential
    assert "Dr Ana Reyes" in escalation.body


def test_a_due_soon_reminder_is_not_sent_once_the_day_has_come(ladder, submitted, reviewer, managing):
    # Accepted on the due date itself: "due in 48 hours" would be wrong, "due today" is right.
    with time_machine.travel(at(0, hour=7), tick=False):
        assignment = invite(submitted, reviewer, managing, respond_by=at(0, hour=9), due_at=DUE)
        accept_assignment(assignment, reviewer.user)
    assert scan(at(0, hour=8)) == [("Review due today", "ana")]


def test_nothing_is_sent_about_a_review_already_submitted(ladder, accepted):
    with time_machine.travel(at(-1), tick=False):
        review(accepted, Decision.REQUEST_CHANGES)
    assert [
        s for day in range(0, 6) for s in scan(at(day)) if s[0].startswith(("Review", "Escalation: review"))
    ] == []


def test_nothing_is_sent_once_the_article_is_withdrawn(ladder, accepted, editor):
    perform(Article.objects.get(pk=accepted.article_id), Action.WITHDRAW, editor)
    assert [s for day in (-2, 0, 1, 3) for s in scan(at(day))] == []


def test_a_new_due_date_starts_the_ladder_again(ladder, accepted):
    assert scan(at(1)) == [("Review overdue (then every 2 days)", "ana")]
    ReviewAssignment.objects.filter(pk=accepted.pk).update(
        due_at=DUE + datetime.timedelta(days=7)
    )  # an extension

    assert scan(at(5)) == [("Review due in 48 hours", "ana")]


def test_an_unanswered_invitation_is_reminded_on_the_day_the_answer_is_due(
    ladder, submitted, reviewer, managing
):
    respond_by = T0 + datetime.timedelta(days=2)
    with time_machine.travel(T0, tick=False):
        invite(submitted, reviewer, managing, respond_by=respond_by)

    assert scan(T0 + datetime.timedelta(days=1)) == []
    assert scan(respond_by - datetime.timedelta(hours=2)) == [("Invitation: answer due today", "ana")]


def test_the_editor_is_reminded_to_revise_and_the_managing_editor_told_when_it_is_late(
    ladder, submitted, reviewer, managing, settings
):
    settings.VETTED = {**settings.VETTED, "REVISION_DAYS": 14}
    with time_machine.travel(T0, tick=False):
        accepted = ready_to_review(submitted, reviewer, managing, due_at=DUE)
        review(accepted, Decision.REQUEST_CHANGES)  # the revision is due 14 days from now

    assert scan(T0 + datetime.timedelta(days=11)) == []
    assert scan(T0 + datetime.timedelta(days=12)) == [("Revision due in 2 days", "eddie")]
    assert scan(T0 + datetime.timedelta(days=15)) == [("Revision overdue", "eddie")]
    assert scan(T0 + datetime.timedelta(days=17)) == [("Escalation: revision 3 days overdue", "maria")]


@pytest.mark.parametrize(
    ("offset", "every", "times", "day", "expected"),
    [
        (-2, 0, 1, -3, None),
        (-2, 0, 1, -2, 0),
        (-2, 0, 1, -1, 0),  # the same occurrence again: the dedupe key stops a second send
        (-2, 0, 1, 0, None),  # a "due soon" reminder is stale on the day itself
        (0, 0, 1, 0, 0),
        (0, 0, 1, 1, None),  # "due today" is stale the day after
        (1, 2, 3, 0, None),
        (1, 2, 3, 1, 0),
        (1, 2, 3, 2, 0),
        (1, 2, 3, 3, 1),
        (1, 2, 3, 9, 2),  # only the latest occurrence reached, never a backlog
        (1, 0, 5, 9, 0),  # no repeat interval: once
    ],
)
def test_which_occurrence_is_due(offset, every, times, day, expected):
    rule = ReminderRule(offset_days=offset, repeat_every_days=every, max_times=times)
    deadline = datetime.date(2026, 3, 10)
    assert occurrence_due(rule, deadline, deadline + datetime.timedelta(days=day)) == expected


# --- rule validation ----------------------------------------------------------------


def rule(**fields) -> ReminderRule:
    values = {"name": "r", "phase": Phase.REVIEW, "offset_days": 1, "recipient": RuleRecipient.REVIEWER}
    return ReminderRule(**{**values, **fields})


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"max_times": 0}, "max_times"),
        ({"max_times": 3, "repeat_every_days": 0}, "repeat_every_days"),
        ({"phase": Phase.INVITATION, "offset_days": -2}, "offset_days"),  # answer window is 2 days
        ({"phase": Phase.INVITATION, "offset_days": -5}, "offset_days"),
        ({"phase": Phase.REVISION, "recipient": RuleRecipient.REVIEWER}, "recipient"),
    ],
)
def test_a_rule_that_could_never_fire_is_refused_when_saved(db, settings, fields, field):
    settings.VETTED = {**settings.VETTED, "INVITATION_RESPONSE_DAYS": 2}
    with pytest.raises(ValidationError) as refused:
        rule(**fields).save()
    assert field in refused.value.message_dict
    assert not ReminderRule.objects.filter(name="r").exists()


def test_sensible_rules_are_accepted(db, settings):
    settings.VETTED = {**settings.VETTED, "INVITATION_RESPONSE_DAYS": 2}
    rule(phase=Phase.INVITATION, offset_days=-1).save()
    rule(max_times=3, repeat_every_days=2).save()
    rule(phase=Phase.REVISION, recipient=RuleRecipient.EDITOR, offset_days=-2).save()
    assert ReminderRule.objects.filter(name="r").count() == 3


def test_the_seeded_rules_are_all_valid_and_escalate_after_the_configured_days(settings):
    settings.VETTED = {**settings.VETTED, "ESCALATE_OVERDUE_DAYS": 5}
    rules = defaults.default_rules()
    for name, phase, offset, recipient, every, times in rules:
        assert (
            rule_problems(
                rule(
                    phase=phase,
                    offset_days=offset,
                    recipient=recipient,
                    repeat_every_days=every,
                    max_times=times,
                )
            )
            == {}
        ), name
    escalations = [r for r in rules if r[3] == RuleRecipient.MANAGING_EDITOR]
    assert {r[2] for r in escalations} == {5}
