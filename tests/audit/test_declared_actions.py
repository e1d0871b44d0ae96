"""``record`` writes only declared actions, and the audit page reads them out."""

from __future__ import annotations

import pytest
from django.urls import reverse

import core.audit_actions as audit_actions
from accounts.roles import EDITOR, MANAGING_EDITOR
from audit.models import AuditEvent
from audit.trail import record
from tests.factories import make_article, make_user, submit, valid_content

pytestmark = pytest.mark.django_db


def test_an_undeclared_action_is_refused_and_nothing_is_written():
    record(audit_actions.ARTICLE_IMPORTED, target_type="article", target_id="1")
    with pytest.raises(ValueError, match=r"'article\.publsh' is not a declared audit action"):
        record("article.publsh", target_type="article", target_id="1")
    assert list(AuditEvent.objects.values_list("action", flat=True)) == ["article.imported"]


def test_a_declared_action_is_stored_as_its_dotted_name():
    # One nobody listens for: this tests the chain, not the notifications.
    record(audit_actions.ARTICLE_IMPORTED, target_type="article", target_id="1", state_after="published")
    stored = AuditEvent.objects.get()
    assert stored.action == "article.imported" and type(stored.action) is str
    assert stored.description == "The article's earlier history was imported, in state published"


def test_the_audit_page_shows_each_event_in_words(client):
    managing = make_user("maria", MANAGING_EDITOR)
    editor = make_user("ed", EDITOR)
    submit(make_article(editor, content=valid_content(title="Knee pain")), editor)
    client.force_login(managing)
    html = client.get(reverse("audit:events"), {"action": "article.submit"}).content.decode()
    assert "<code>article.submit</code>" in html
    assert "ed submitted version 1 for review" in html
