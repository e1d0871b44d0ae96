"""Issue 14, property 5 (no request gets a 500): where the inbox sends you back to (found by
tests/config/test_fuzz_forms.py on "Mark all as read")."""

from __future__ import annotations

import pytest
from django.urls import reverse


@pytest.mark.parametrize("next_page", ["0", "list", "inbox:list", "https://evil.example/", "//evil.example/"])
def test_no_500_when_inbox_next_is_a_bare_word(client, editor, next_page):
    # redirect() reads a bare word as a view name: "0" raised NoReverseMatch. Anything that is not
    # a path of this site goes back to the inbox.
    client.force_login(editor)
    response = client.post(reverse("inbox:read-all"), {"next": next_page})
    assert response.status_code == 302
    assert response["Location"] == reverse("inbox:list")


def test_the_inbox_still_sends_you_back_to_the_list_as_filtered(client, editor):
    client.force_login(editor)
    response = client.post(reverse("inbox:read-all"), {"next": "/desk/inbox/?unread=on"})
    assert response["Location"] == "/desk/inbox/?unread=on"
