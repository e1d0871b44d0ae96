from notifications.inbox import inbox, mark_read, unread_count
from notifications.kinds import Kind
from notifications.notify import Message, notify


def test_unread_count_and_mark_read(managing, editor):
    first = notify(managing, Message(Kind.ARTICLE_SUBMITTED, "one"))
    notify(managing, Message(Kind.ARTICLE_SUBMITTED, "two"))
    notify(editor, Message(Kind.CHANGES_REQUESTED, "not hers"))
    assert unread_count(managing) == 2

    assert mark_read(managing, [first.pk]) == 1
    assert unread_count(managing) == 1
    assert mark_read(editor, [first.pk]) == 0  # nobody marks someone else's
    assert mark_read(managing) == 1
    assert unread_count(managing) == 0
    assert [n.title for n in inbox(managing)] == ["two", "one"]
