"""The reminder ladder: which rule fires for which open item on which day.

Timing works in calendar days (settings.TIME_ZONE): a rule with offset -2
fires from the first scan on the day two days before the deadline's day; 0
fires on the deadline's day; 3 fires three days after it. A rule then repeats
every ``repeat_every_days`` up to ``max_times`` occurrences. A scan sends only
the latest occurrence reached (never a backlog of stale ones); a "due soon"
occurrence only before the deadline's day, a "due today" one only on it, and
an overdue one (positive offset) whenever the scan first finds it due, so an
escalation is late rather than lost if the scans stopped for a while.

Each (rule, item, deadline, occurrence, person) has one dedupe key, so any
number of scans, beat runs or workers send it once. The deadline is part of
the key: when a deadline moves (an extension), the ladder starts again for
the new date.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth.models import User
from django.db import transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

import core.audit_actions as audit_actions
from articles.models import Article, ArticleState
from audit.models import AuditEvent
from reviews.models import AssignmentStatus, ReviewAssignment

from . import links
from .kinds import Kind
from .models import Notification, Phase, ReminderRule, RuleRecipient
from .notify import Message, notify
from .recipients import managing_editors_for

# An assignment's article must still be in review for its reminders to make sense.
ARTICLE_IN_REVIEW = (ArticleState.SUBMITTED, ArticleState.UNDER_REVIEW)
CHANGES_REQUEST_ACTIONS = (audit_actions.ARTICLE_REQUEST_CHANGES, audit_actions.ARTICLE_RETURN)


def occurrence_due(rule: ReminderRule, deadline_day: datetime.date, today: datetime.date) -> int | None:
    """The occurrence (0-based) of ``rule`` to send today for a deadline on ``deadline_day``."""
    step = rule.repeat_every_days or 0
    times = rule.max_times if step else 1
    reached = [
        k
        for k in range(times)
        if deadline_day + datetime.timedelta(days=rule.offset_days + k * step) <= today
    ]
    if not reached:
        return None
    k = reached[-1]
    offset = rule.offset_days + k * step
    if (offset < 0 and today >= deadline_day) or (offset == 0 and today > deadline_day):
        return None  # "due soon" is stale once the day has come, "due today" once it has gone
    return k


@dataclass(frozen=True)
class Item:
    """Something with a deadline a rule may remind about."""

    kind: str  # "assignment" or "article"
    pk: int
    article: Article
    deadline: datetime.datetime
    assignment: ReviewAssignment | None = None


def revision_days() -> int:
    return int(settings.VETTED.get("REVISION_DAYS", 14))


def open_items(phase: str, latest_deadline_day: datetime.date) -> list[Item]:
    """Open items of ``phase`` whose deadline falls on or before ``latest_deadline_day``."""
    end = timezone.make_aware(
        datetime.datetime.combine(latest_deadline_day + datetime.timedelta(days=1), datetime.time())
    )
    if phase in (Phase.INVITATION, Phase.REVIEW):
        field, status = (
            ("respond_by", AssignmentStatus.INVITED)
            if phase == Phase.INVITATION
            else ("due_at", AssignmentStatus.ACCEPTED)
        )
        rows = ReviewAssignment.objects.filter(
            status=status,
            article__state__in=ARTICLE_IN_REVIEW,
            **{f"{field}__isnull": False, f"{field}__lt": end},
        ).select_related("article__owner", "article__specialty", "reviewer__user", "assigned_by", "version")
        return [Item("assignment", a.pk, a.article, getattr(a, field), a) for a in rows]
    requested = AuditEvent.objects.filter(
        article=OuterRef("pk"), action__in=CHANGES_REQUEST_ACTIONS
    ).order_by("-seq")
    articles = (
        Article.objects.filter(state=ArticleState.CHANGES_REQUESTED)
        .annotate(requested_at=Subquery(requested.values("created_at")[:1]))
        .filter(requested_at__lt=end - datetime.timedelta(days=revision_days()))
        .select_related("owner", "specialty")
    )
    return [
        Item("article", a.pk, a, a.requested_at + datetime.timedelta(days=revision_days())) for a in articles
    ]


def recipients(rule: ReminderRule, item: Item) -> list[User]:
    if rule.recipient == RuleRecipient.EDITOR:
        return [item.article.owner]
    if rule.recipient == RuleRecipient.REVIEWER:
        return [item.assignment.reviewer.user] if item.assignment is not None else []
    if item.assignment is not None:
        return [item.assignment.assigned_by]
    return list(managing_editors_for(item.article.specialty_id))


def _days_phrase(days_left: int) -> str:
    if days_left > 1:
        return f"due in {days_left} days"
    if days_left == 1:
        return "due tomorrow"
    if days_left == 0:
        return "due today"
    return f"{-days_left} day{'s' if days_left < -1 else ''} overdue"


def reminder_message(rule: ReminderRule, item: Item, today: datetime.date) -> Message:
    days_left = (timezone.localdate(item.deadline) - today).days
    late = days_left < 0
    phrase = _days_phrase(days_left)
    title_text = item.article.title
    a = item.assignment
    if rule.recipient == RuleRecipient.MANAGING_EDITOR and late:
        kind = Kind.OVERDUE_ESCALATION
        what = {
            Phase.INVITATION: f"{a.reviewer.display_name} has not answered the invitation to review"
            if a
            else "",
            Phase.REVIEW: f"{a.reviewer.display_name}'s review of" if a else "",
            Phase.REVISION: "The editor's revision of",
        }[Phase(rule.phase)]
        title = f"Overdue ({phrase}): {title_text}"
        body = f"{what} “{title_text}” is {phrase} (deadline {_when(item.deadline)})."
        url = links.article_url(item.article)
    else:
        kind = {
            Phase.INVITATION: Kind.REMINDER_INVITATION,
            Phase.REVIEW: Kind.REMINDER_REVIEW,
            Phase.REVISION: Kind.REMINDER_REVISION,
        }[Phase(rule.phase)]
        task = {
            Phase.INVITATION: "Please accept or decline the invitation to review",
            Phase.REVIEW: "Your review of",
            Phase.REVISION: "The revision of",
        }[Phase(rule.phase)]
        title = {
            Phase.INVITATION: f"Please answer the invitation ({phrase}): {title_text}",
            Phase.REVIEW: f"Review {phrase}: {title_text}",
            Phase.REVISION: f"Revision {phrase}: {title_text}",
        }[Phase(rule.phase)]
        body = f"{task} “{title_text}” is {phrase} (deadline {_when(item.deadline)})."
        url = (
            links.assignment_url(a.pk)
            if a is not None and rule.recipient == RuleRecipient.REVIEWER
            else links.article_url(item.article)
        )
    if rule.message:
        body += "\n\n" + rule.message
    payload = {
        "rule_id": rule.pk,
        "phase": rule.phase,
        "article": item.article.slug,
        "deadline": item.deadline.isoformat(),
        "days_left": days_left,
        "assignment_id": a.pk if a is not None else None,
    }
    # Overdue notices are always sent, whatever the preferences.
    return Message(kind, title, body, url, payload, essential=late or None)


def _when(moment: datetime.datetime) -> str:
    return timezone.localtime(moment).strftime("%d %b %Y, %H:%M %Z")


def dedupe_key(rule: ReminderRule, item: Item, occurrence: int, user: User) -> str:
    return f"reminder:{rule.pk}:{item.kind}:{item.pk}:{item.deadline:%Y%m%d%H%M}:{occurrence}:{user.pk}"


def existing_keys(keys: list[str], chunk: int = 500) -> set[str]:
    found: set[str] = set()
    for start in range(0, len(keys), chunk):
        part = keys[start : start + chunk]
        found.update(
            key
            for key in Notification.objects.filter(dedupe_key__in=part).values_list("dedupe_key", flat=True)
            if key is not None
        )
    return found


def send_reminders(now: datetime.datetime | None = None) -> int:
    """One scan of every active rule; returns how many reminders were written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    written = 0
    for rule in ReminderRule.objects.filter(active=True):
        latest_deadline_day = today - datetime.timedelta(days=rule.offset_days)
        planned = []
        for item in open_items(rule.phase, latest_deadline_day):
            k = occurrence_due(rule, timezone.localdate(item.deadline), today)
            if k is None:
                continue
            for user in recipients(rule, item):
                if user is not None and user.is_active:
                    planned.append((item, user, dedupe_key(rule, item, k, user)))
        done = existing_keys([p[2] for p in planned])
        for item, user, key in planned:
            if key in done:
                continue
            with transaction.atomic():
                if notify(user, reminder_message(rule, item, today), article=item.article, dedupe_key=key):
                    written += 1
    return written
