"""Re-review notices: editors and managing editors are told when an article's review gets old."""

from __future__ import annotations

import datetime

import pytest

from accounts.roles import MANAGING_EDITOR
from articles.models import Article
from notifications.kinds import Kind
from notifications.models import StaffProfile
from notifications.rereview_due import check_rereview_due
from tests.factories import make_article, make_user, submit
from tests.reviews.helpers import gout_content, publish

from .conftest import notes_for


@pytest.fixture
def cerclage(editor, specialty, managing, reviewer):
    return publish(submit(make_article(editor, specialty), editor), editor, managing, reviewer)


@pytest.fixture
def gout(editor, specialty, managing, reviewer):
    return publish(
        submit(make_article(editor, specialty, gout_content()), editor), editor, managing, reviewer
    )


def test_editor_and_managing_editors_hear_once_when_the_review_is_due_within_30_days(
    cerclage, gout, editor, managing, other_specialty
):
    elsewhere = make_user("cleo", MANAGING_EDITOR)
    StaffProfile.objects.create(user=elsewhere).specialties.add(other_specialty)
    today = datetime.date(2026, 3, 2)
    now = datetime.datetime.combine(today, datetime.time(9), datetime.UTC)
    Article.objects.filter(pk=cerclage.pk).update(next_review_due=today + datetime.timedelta(days=20))
    Article.objects.filter(pk=gout.pk).update(next_review_due=today + datetime.timedelta(days=40))

    assert check_rereview_due(now) == 2
    assert check_rereview_due(now + datetime.timedelta(hours=1)) == 0

    due = notes_for(editor, Kind.REREVIEW_DUE).get()
    assert due.article_id == cerclage.pk and not due.is_essential
    assert notes_for(managing, Kind.REREVIEW_DUE).count() == 1
    assert not notes_for(elsewhere).exists()


def test_an_overdue_re_review_is_an_essential_notice_sent_once_per_due_date(cerclage, editor, managing):
    today = datetime.date(2026, 3, 2)
    now = datetime.datetime.combine(today, datetime.time(9), datetime.UTC)
    Article.objects.filter(pk=cerclage.pk).update(next_review_due=today - datetime.timedelta(days=1))

    check_rereview_due(now)
    check_rereview_due(now + datetime.timedelta(days=1))

    overdue = notes_for(editor, Kind.REREVIEW_OVERDUE).get()
    assert overdue.is_essential
    Article.objects.filter(pk=cerclage.pk).update(next_review_due=today + datetime.timedelta(days=365))
    assert check_rereview_due(now + datetime.timedelta(days=340)) == 2  # a new due date: told again
