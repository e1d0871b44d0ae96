"""Daily emails: each digest-mode user's held notifications, and each managing
editor's list of what is overdue in their specialties.

Both are keyed by (person, day), so running the task again the same day, or on
two workers at once, sends nothing more.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleState
from outbox.models import Delivery, DeliveryStatus

from . import links
from .kinds import Kind
from .models import EmailMessage, Notification, Phase
from .notify import Message, notify
from .recipients import managing_editors, specialties_of
from .reminders import open_items

OTHER = "Other"


def group_for_digest(notifications: Iterable[Notification]) -> list[dict]:
    """Notifications grouped by article (in order of first appearance), the rest last."""
    groups: dict[int | None, dict] = {}
    for n in sorted(notifications, key=lambda n: (n.created_at, n.pk)):
        group = groups.setdefault(
            n.article_id,
            {
                "article": n.article.title if n.article_id else OTHER,
                "url": _absolute(links.article_url(n.article)) if n.article_id else "",
                "items": [],
            },
        )
        group["items"].append(
            {
                "kind": n.kind,
                "title": n.title,
                "body": n.body,
                "url": n.absolute_url(),
                "at": n.created_at.isoformat(),
            }
        )
    ordered = [g for key, g in groups.items() if key is not None]
    if None in groups:
        ordered.append(groups[None])
    return ordered


def _absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def _digest_text(groups: list[dict]) -> str:
    lines = []
    for group in groups:
        lines.append(group["article"])
        lines.extend(f"  - {item['title']}" for item in group["items"])
    return "\n".join(lines)


def send_daily_digests(now: datetime.datetime | None = None) -> int:
    """One digest per digest-mode user with held notifications; returns how many were written."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    user_ids = sorted(
        set(
            EmailMessage.objects.filter(delivery__status=DeliveryStatus.HELD).values_list(
                "notification__recipient_id", flat=True
            )
        )
    )
    return sum(1 for user_id in user_ids if _digest_for(user_id, today))


def _digest_for(user_id: int, today: datetime.date) -> bool:
    with transaction.atomic():
        held = list(
            Delivery.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status=DeliveryStatus.HELD, email__notification__recipient_id=user_id)
            .values_list("pk", flat=True)
        )
        if not held:
            return False
        notifications = Notification.objects.filter(emails__pk__in=held).select_related("article")
        groups = group_for_digest(notifications)
        count = sum(len(g["items"]) for g in groups)
        user = get_user_model().objects.get(pk=user_id)
        digest = notify(
            user,
            Message(
                Kind.DAILY_DIGEST,
                f"Your Vetted digest for {today:%d %b %Y}: {count} update{'s' if count != 1 else ''}",
                _digest_text(groups),
                links.inbox_url(),
                {"groups": groups, "count": count, "day": today.isoformat()},
            ),
            dedupe_key=f"digest:{user_id}:{today.isoformat()}",
            read=True,  # its entries are in the inbox already
        )
        if digest is None:
            return False  # today's digest has gone; these wait for tomorrow's
        Delivery.objects.filter(pk__in=held).update(status=DeliveryStatus.DIGESTED)
        EmailMessage.objects.filter(pk__in=held).update(digest=digest.emails.get())
    return True


def overdue_items(now: datetime.datetime | None = None) -> list[dict]:
    """Everything late by at least a day: invitations, reviews, revisions, periodic re-reviews."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    yesterday = today - datetime.timedelta(days=1)
    items = []
    for phase, what in (
        (Phase.INVITATION, "Invitation unanswered by {reviewer}"),
        (Phase.REVIEW, "Review by {reviewer}"),
        (Phase.REVISION, "Revision by the editor"),
    ):
        for item in open_items(phase, yesterday):
            reviewer = item.assignment.reviewer.display_name if item.assignment is not None else ""
            items.append(
                _overdue(
                    item.article, what.format(reviewer=reviewer), timezone.localdate(item.deadline), today
                )
            )
    due_rereviews = Article.objects.filter(
        state=ArticleState.PUBLISHED, next_review_due__lt=today
    ).select_related("specialty")
    items.extend(_overdue(a, "Periodic re-review", a.next_review_due, today) for a in due_rereviews)
    return items


def _overdue(article: Article, what: str, deadline: datetime.date, today: datetime.date) -> dict:
    return {
        "specialty_id": article.specialty_id,
        "specialty": article.specialty.name,
        "article": article.title,
        "url": _absolute(links.article_url(article)),
        "what": what,
        "deadline": deadline.isoformat(),
        "days_late": (today - deadline).days,
    }


def group_by_specialty(items: list[dict]) -> list[dict]:
    groups: dict[str, list[dict]] = {}
    for item in sorted(items, key=lambda i: (i["specialty"], -i["days_late"], i["article"])):
        groups.setdefault(item["specialty"], []).append(item)
    return [{"specialty": name, "items": rows} for name, rows in groups.items()]


def send_overdue_digests(now: datetime.datetime | None = None) -> int:
    """Each managing editor's list of what is overdue in their specialties (if anything)."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    everything = overdue_items(now)
    written = 0
    for editor in managing_editors():
        mine = specialties_of(editor)
        items = [i for i in everything if mine is None or i["specialty_id"] in mine]
        if not items:
            continue
        groups = group_by_specialty(items)
        with transaction.atomic():
            written += bool(
                notify(
                    editor,
                    Message(
                        Kind.OVERDUE_DIGEST,
                        f"Overdue on {today:%d %b %Y}: {len(items)} item{'s' if len(items) != 1 else ''}",
                        "\n".join(
                            f"{i['specialty']}: {i['what']}, “{i['article']}”, {i['days_late']} day(s) late"
                            for i in items
                        ),
                        links.inbox_url(),
                        {"groups": groups, "count": len(items), "day": today.isoformat()},
                    ),
                    dedupe_key=f"overdue-digest:{editor.pk}:{today.isoformat()}",
                )
            )
    return written
