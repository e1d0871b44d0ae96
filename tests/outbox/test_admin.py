"""The outbox in the admin: every channel's rows in one list, and retrying the failed ones."""

from __future__ import annotations

from django.contrib.admin import site

from outbox.models import Delivery, DeliveryStatus

from .conftest import queued_row

LIST = "/admin/outbox/delivery/"


def test_the_admin_retry_action_sends_a_failed_row_again(
    channel, admin_client, django_capture_on_commit_callbacks
):
    delivery = queued_row(status=DeliveryStatus.FAILED, attempts=6, last_error="boom")

    with django_capture_on_commit_callbacks(execute=True):
        response = admin_client.post(LIST, {"action": "retry_now", "_selected_action": [delivery.pk]})

    assert response.status_code == 302
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.SENT, 1)
    assert channel.sent == [delivery.pk]


def test_the_list_shows_what_each_channel_says_of_its_rows_and_a_dash_for_an_unknown_channel(
    channel, admin_client
):
    queued_row(payload={"to": "first@example.org"})
    unknown = queued_row(channel="carrier-pigeon")

    page = admin_client.get(LIST).content.decode()
    pigeons = admin_client.get(f"{LIST}?channel=carrier-pigeon")

    assert "first@example.org" in page and "test message" in page
    assert list(pigeons.context["cl"].result_list) == [unknown]
    delivery_admin = site.get_model_admin(Delivery)
    assert (delivery_admin.recipient(unknown), delivery_admin.kind(unknown)) == ("-", "-")
