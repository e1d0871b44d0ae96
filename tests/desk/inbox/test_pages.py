"""The in-app inbox at /desk/inbox/ and the unread count in the staff header."""

from __future__ import annotations

from django.urls import reverse

from notifications.inbox import unread_count
from notifications.kinds import Kind
from notifications.models import Notification
from notifications.notify import Message, notify
from tests.desk.articles.desk_setup import client_for

INBOX = "/desk/inbox/"


def note(user, title: str, kind: str = Kind.ARTICLE_SUBMITTED, url: str = "") -> Notification:
    return notify(user, Message(kind, title, url=url))


def test_inbox_lists_only_your_notifications(editor, managing):
    note(editor, "For the editor")
    note(managing, "For the managing editor")

    response = client_for(editor).get(INBOX)

    assert response.status_code == 200
    assert [n.title for n in response.context["page"].object_list] == ["For the editor"]


def test_unread_filter(editor):
    read = note(editor, "Old news")
    note(editor, "Fresh")
    Notification.objects.filter(pk=read.pk).update(read_at=read.created_at)

    response = client_for(editor).get(INBOX, {"unread": "true"})

    assert [n.title for n in response.context["page"].object_list] == ["Fresh"]


def test_mark_one_read(editor):
    first = note(editor, "One")
    note(editor, "Two")

    response = client_for(editor).post(reverse("inbox:read", args=[first.pk]))

    assert response.status_code == 302 and response["Location"] == INBOX
    first.refresh_from_db()
    assert first.read_at is not None
    assert unread_count(editor) == 1


def test_nobody_marks_someone_elses_notification(editor, managing):
    theirs = note(managing, "Not yours")

    client_for(editor).post(reverse("inbox:read", args=[theirs.pk]))

    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_mark_all_read(editor, managing):
    note(editor, "One")
    note(editor, "Two")
    note(managing, "Theirs")

    response = client_for(editor).post(reverse("inbox:read-all"), follow=True)

    assert unread_count(editor) == 0
    assert unread_count(managing) == 1
    assert "Marked 2 notifications as read." in response.content.decode()


def test_open_marks_read_and_goes_to_the_page(editor, draft_article):
    link = reverse("desk:article", args=[draft_article.slug])
    item = note(editor, "Look at this", url=link)

    response = client_for(editor).post(reverse("inbox:read", args=[item.pk]), {"open": "1"})

    assert response.status_code == 302 and response["Location"] == link
    item.refresh_from_db()
    assert item.read_at is not None


def test_open_never_leaves_the_site(editor):
    item = note(editor, "Phish", url="https://evil.example/steal")

    response = client_for(editor).post(
        reverse("inbox:read", args=[item.pk]), {"open": "1", "next": "https://evil.example/"}
    )

    assert response["Location"] == INBOX


def test_header_shows_the_unread_count_on_staff_pages(editor):
    note(editor, "One")
    note(editor, "Two")

    html = client_for(editor).get(reverse("desk:dashboard")).content.decode()

    assert '<span class="count-badge">2<span class="visually-hidden"> unread</span></span>' in html


def test_public_pages_never_carry_the_count_or_the_user(editor, managing, fresh_cache):
    from tests.public.public_setup import publish_article, reviewer

    article = publish_article(editor, managing, [reviewer("ana")])
    note(editor, "Unread")
    client = client_for(editor)

    for url in (reverse("public:article", args=[article.slug]), reverse("public:index")):
        html = client.get(url).content.decode()
        assert "count-badge" not in html
        assert "Log out" not in html and "csrfmiddlewaretoken" not in html


def test_inbox_needs_a_login(client):
    response = client.get(INBOX)

    assert response.status_code == 302 and response["Location"].startswith(reverse("accounts:login"))
