"""Endpoint and message names never cost a query (core.display), and use what was loaded."""

from __future__ import annotations

import pytest

from reviews.workflow import Action, perform
from webhooks.models import Endpoint, WebhookMessage

pytestmark = pytest.mark.django_db


def test_names_cost_no_query_and_use_what_was_loaded(
    article, bot, endpoint, django_assert_num_queries, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False):  # the message is written, not sent
        perform(article, Action.SUBMIT, bot)
    message = WebhookMessage.objects.get()
    bare_endpoint = Endpoint.objects.get(pk=endpoint.pk)
    joined_endpoint = Endpoint.objects.select_related("client").get(pk=endpoint.pk)
    bare_message = WebhookMessage.objects.get(pk=message.pk)
    joined_message = WebhookMessage.objects.select_related("endpoint").get(pk=message.pk)
    with django_assert_num_queries(0):
        assert str(bare_endpoint) == f"{endpoint.url} (client #{bot.pk})"
        assert str(joined_endpoint) == f"{endpoint.url} ({bot})"
        assert str(bare_message) == f"article.submitted → endpoint #{endpoint.pk} ({message.webhook_id})"
        assert str(joined_message) == f"article.submitted → {endpoint.url} ({message.webhook_id})"
