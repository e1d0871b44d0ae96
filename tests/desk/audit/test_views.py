"""The audit trail pages: site-wide and per article, filters, CSV export, who may see them."""

from __future__ import annotations

import csv
import datetime
import io

import pytest
import time_machine
from django.urls import reverse

from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from audit.models import AuditEvent
from audit.trail import record
from tests.factories import make_article, make_user, submit, valid_content

pytestmark = pytest.mark.django_db
EVENTS = reverse("audit:events")


@pytest.fixture
def editor(db):
    return make_user("editor", EDITOR)


@pytest.fixture
def managing(db):
    return make_user("managing", MANAGING_EDITOR)


@pytest.fixture
def as_managing(client, managing):
    client.force_login(managing)
    return client


@pytest.fixture
def two_articles(editor):
    with time_machine.travel(datetime.datetime(2026, 1, 10, 9, tzinfo=datetime.UTC), tick=False):
        knee = submit(make_article(editor, content=valid_content(title="Knee pain")), editor)
    with time_machine.travel(datetime.datetime(2026, 2, 10, 9, tzinfo=datetime.UTC), tick=False):
        heart = make_article(editor, content=valid_content(title="Heart failure"))
    return knee, heart


def listed(response) -> list[AuditEvent]:
    return list(response.context["page"].object_list)


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    body = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(body)))


def test_site_wide_trail_lists_every_event_newest_first(as_managing, two_articles):
    response = as_managing.get(EVENTS)
    assert response.status_code == 200
    events = listed(response)
    assert [e.seq for e in events] == sorted((e.seq for e in AuditEvent.objects.all()), reverse=True)
    assert "article.submit" in response.content.decode()


def test_article_trail_shows_only_that_article(as_managing, two_articles):
    knee, _heart = two_articles
    response = as_managing.get(reverse("audit:article-events", args=[knee.slug]))
    assert response.status_code == 200
    assert {e.article_id for e in listed(response)} == {knee.pk}


@pytest.mark.parametrize(
    "params, expected_actions",
    [
        ({"action": "article.submit"}, {"article.submit"}),
        ({"article": "heart-failure"}, {"article.created"}),
        ({"since": "2026-02-01T00:00"}, {"article.created"}),
        ({"until": "2026-01-31T23:59", "action": "article.created"}, {"article.created"}),
        ({"actor": "nobody"}, set()),
    ],
)
def test_filters(as_managing, two_articles, params, expected_actions):
    events = listed(as_managing.get(EVENTS, params))
    assert {e.action for e in events} == expected_actions
    if "since" in params:
        assert {e.article.title for e in events} == {"Heart failure"}
    if "until" in params:
        assert {e.article.title for e in events} == {"Knee pain"}


def test_actor_filter_matches_the_username(as_managing, editor, two_articles):
    record("custom.system_event", payload={"note": "by the system"})
    by_editor = listed(as_managing.get(EVENTS, {"actor": "editor"}))
    assert by_editor and all(e.actor_id == editor.pk for e in by_editor)
    assert [e.action for e in listed(as_managing.get(EVENTS, {"actor": "system"}))] == ["custom.system_event"]


def test_csv_export_has_every_column_and_the_same_filters(as_managing, two_articles):
    knee, _heart = two_articles
    response = as_managing.get(EVENTS, {"article": knee.slug, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="audit.csv"'
    rows = csv_rows(response)
    expected = AuditEvent.objects.filter(article=knee).order_by("seq")
    assert [int(r["seq"]) for r in rows] == [e.seq for e in expected]
    submitted = next(r for r in rows if r["action"] == "article.submit")
    event = expected.get(action="article.submit")
    assert submitted["actor"] == "editor"
    assert submitted["article"] == knee.slug
    assert (submitted["state_before"], submitted["state_after"]) == ("draft", "submitted")
    assert submitted["leaf_hash"] == event.leaf_hash and len(event.leaf_hash) == 64
    assert submitted["hash"] == submitted["prev_hash"] == ""  # the old chain's columns, empty since the log
    assert '"content_hash"' in submitted["payload"]


def test_article_csv_export_is_named_after_the_article(as_managing, two_articles):
    knee, _heart = two_articles
    response = as_managing.get(reverse("audit:article-events", args=[knee.slug]), {"format": "csv"})
    assert response["Content-Disposition"] == f'attachment; filename="audit-{knee.slug}.csv"'
    assert {r["article"] for r in csv_rows(response)} == {knee.slug}


def test_csv_cells_cannot_become_spreadsheet_formulas(as_managing, db):
    record("custom.note", payload={"reason": "x"}, target_type='=HYPERLINK("http://evil")', target_id="1")
    rows = csv_rows(as_managing.get(EVENTS, {"format": "csv"}))
    assert rows[-1]["target_type"].startswith("'=HYPERLINK")


def test_csv_export_refuses_unreadable_filters(as_managing, two_articles):
    response = as_managing.get(EVENTS, {"since": "last tuesday", "format": "csv"})
    assert response.status_code == 400
    assert b"since" in response.content


def test_unreadable_filter_is_reported_on_the_page(as_managing, two_articles):
    response = as_managing.get(EVENTS, {"since": "last tuesday"})
    assert response.status_code == 400
    assert "Some filters could not be read" in response.content.decode()


@pytest.mark.parametrize("role", [EDITOR, REVIEWER])
def test_people_without_the_audit_permission_are_refused(client, two_articles, role):
    client.force_login(make_user("someone", role))
    assert client.get(EVENTS).status_code == 403
    assert client.get(EVENTS, {"format": "csv"}).status_code == 403
    assert client.get(reverse("audit:article-events", args=[two_articles[0].slug])).status_code == 403


def test_anonymous_visitors_are_sent_to_log_in(client, two_articles):
    response = client.get(EVENTS, {"format": "csv"})
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_unknown_article_is_not_found(as_managing):
    assert as_managing.get(reverse("audit:article-events", args=["no-such-article"])).status_code == 404


def test_a_trail_longer_than_the_cap_is_counted_up_to_it_and_says_so(as_managing, monkeypatch):
    monkeypatch.setattr("desk.audit.views.LISTED_EVENTS_CAP", 60)
    for n in range(61):
        record("custom.note", payload={"n": n})

    first = as_managing.get(EVENTS)
    paginator = first.context["page"].paginator
    assert paginator.is_capped and paginator.count == 60 and paginator.num_pages == 2
    html = first.content.decode()
    assert "More than 60 events" in html and "Page 1 of the first 2" in html
    # The pages stop at the cap: the oldest event is reached through filters or the CSV export.
    last = as_managing.get(EVENTS, {"page": 5})
    assert [e.payload["n"] for e in listed(last)] == list(range(10, 0, -1))
    assert len(csv_rows(as_managing.get(EVENTS, {"format": "csv"}))) == 61


def test_a_trail_within_the_cap_is_counted_exactly(as_managing, monkeypatch):
    monkeypatch.setattr("desk.audit.views.LISTED_EVENTS_CAP", 60)
    for n in range(60):
        record("custom.note", payload={"n": n})

    response = as_managing.get(EVENTS)
    paginator = response.context["page"].paginator
    assert not paginator.is_capped and paginator.count == 60
    assert "60 events" in response.content.decode() and "More than" not in response.content.decode()
    narrowed = as_managing.get(EVENTS, {"action": "nothing.like.this"})
    assert narrowed.context["page"].paginator.count == 0 and "0 events" in narrowed.content.decode()
