"""Telling editors when an article's periodic re-review nears or passes.

A scan beat runs every hour (``notifications.check_rereview_due``). It only
writes notifications: flagging an article and resolving its flags belong to
reviews (``reviews.rereview``).
"""

from __future__ import annotations

import datetime

from django.db import transaction
from django.utils import timezone

from articles.models import Article, ArticleState
from reviews.rereview import notice_days

from . import links
from .kinds import Kind
from .notify import Message, notify
from .recipients import managing_editors_for
from .reminders import existing_keys


def check_rereview_due(now: datetime.datetime | None = None) -> int:
    """Tell editors and managing editors when an article's periodic re-review nears or passes.

    Once per article, per due date, per stage (due soon, overdue), per person.
    Only articles that are live with nobody working on a new version: a new
    version, once published, moves the due date anyway.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + datetime.timedelta(days=notice_days())
    articles = Article.objects.filter(
        state=ArticleState.PUBLISHED, next_review_due__isnull=False, next_review_due__lte=horizon
    ).select_related("owner", "specialty")
    planned = []
    for article in articles:
        overdue = article.next_review_due < today
        stage = "overdue" if overdue else "due"
        days = (article.next_review_due - today).days
        message = Message(
            Kind.REREVIEW_OVERDUE if overdue else Kind.REREVIEW_DUE,
            (
                f"Re-review overdue: {article.title}"
                if overdue
                else f"Re-review due {article.next_review_due:%d %b %Y}: {article.title}"
            ),
            (
                f"The medical review of “{article.title}” expired on {article.next_review_due:%d %b %Y} "
                f"({-days} day(s) ago). Start a new version for the board to review."
                if overdue
                else f"The medical review of “{article.title}” expires on {article.next_review_due:%d %b %Y} "
                f"(in {days} day(s)). Start a new version for the board to review."
            ),
            links.article_url(article),
            {"article": article.slug, "next_review_due": article.next_review_due.isoformat(), "stage": stage},
        )
        people = {article.owner.pk: article.owner}
        people.update({me.pk: me for me in managing_editors_for(article.specialty_id)})
        for person in people.values():
            if person.is_active:
                key = f"rereview:{stage}:{article.pk}:{article.next_review_due.isoformat()}:{person.pk}"
                planned.append((article, person, message, key))
    done = existing_keys([p[3] for p in planned])
    written = 0
    for article, person, message, key in planned:
        if key not in done:
            with transaction.atomic():
                written += bool(notify(person, message, article=article, dedupe_key=key))
    return written
