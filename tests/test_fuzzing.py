"""The fuzzers' own checks (tests/fuzzing.py) can fail: a change to any row changes the fingerprint,
and a 500 or an HTML refusal under /api/ is caught."""

from __future__ import annotations

import pytest
from django.http import HttpResponse, JsonResponse

from accounts.roles import EDITOR
from tests import fuzzing
from tests.factories import make_specialty, make_user
from tests.html_forms import forms_of

pytestmark = pytest.mark.django_db


def test_the_fingerprint_changes_with_any_row_but_not_with_a_login():
    user = make_user("fingerprinted", EDITOR)
    before = fuzzing.snapshot()
    assert fuzzing.snapshot() == before
    user.first_name = "Changed"
    user.save(update_fields=["first_name"])
    changed = fuzzing.snapshot()
    assert changed != before
    make_specialty("cardiology")
    assert fuzzing.snapshot() != changed
    # Signing in writes last_login (and a session): no stored data of the kind a refusal may not touch.
    after_rows = fuzzing.snapshot()
    user.last_login = user.date_joined
    user.save(update_fields=["last_login"])
    assert fuzzing.snapshot() == after_rows


def test_a_server_error_or_an_html_refusal_under_the_api_fails_the_check():
    with pytest.raises(AssertionError, match="500"):
        fuzzing.check_answer(HttpResponse(status=500), "/desk/", "GET /desk/")
    with pytest.raises(AssertionError, match="text/html"):
        fuzzing.check_answer(HttpResponse("<h1>Forbidden</h1>", status=403), "/api/v1/x/", "POST /api/v1/x/")
    fuzzing.check_answer(JsonResponse({"error": {"message": "No."}}, status=404), "/api/v1/x/", "GET")
    fuzzing.check_answer(HttpResponse("<p>No.</p>", status=400), "/desk/articles/", "POST")


def test_forms_are_read_as_a_browser_reads_them():
    [form] = forms_of(
        '<form method="post" action="/x/"><input name="csrfmiddlewaretoken" type="hidden" value="t">'
        '<select name="kind"><option value="a">A</option><option value="b" selected>B</option></select>'
        '<input type="radio" name="status" value="r"><input type="radio" name="status" value="n" checked>'
        '<textarea name="body">Some &amp; text</textarea><button name="save" value="1">Save</button></form>'
    )
    assert (form.method, form.action) == ("post", "/x/")
    assert form.fields["kind"].value == "b" and form.fields["kind"].options == ["a", "b"]
    assert form.fields["status"].value == "n" and form.fields["status"].options == ["r", "n"]
    assert form.fields["body"].value == "Some & text"
    assert form.fields["csrfmiddlewaretoken"].value == "t"
    assert form.buttons == [("save", "1")]
