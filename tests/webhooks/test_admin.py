"""Managing editors register endpoints and re-send deliveries from the admin."""

from __future__ import annotations

import pytest
from django.contrib.messages import get_messages

from outbox.models import DeliveryStatus
from reviews.workflow import Action, perform
from webhooks.models import Endpoint, WebhookMessage

ADD = "/admin/webhooks/endpoint/add/"


@pytest.fixture
def staff(client, managing):
    managing.is_staff = True
    managing.save()
    client.force_login(managing)
    return client


def test_registering_in_the_admin_shows_the_secret_once(staff, bot):
    response = staff.post(
        ADD,
        {
            "client": bot.pk,
            "url": "https://93.184.215.14/hooks",
            "kinds": ["article.changes_requested", "article.published"],
            "active": "on",
            "description": "",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    endpoint = Endpoint.objects.get()
    assert endpoint.kinds == ["article.changes_requested", "article.published"]
    shown = [str(m) for m in get_messages(response.wsgi_request)]
    assert any(endpoint.secret in m and "will not be shown again" in m for m in shown)
    staff.get("/admin/webhooks/endpoint/")  # the page after the redirect, showing the message once
    page = staff.get(f"/admin/webhooks/endpoint/{endpoint.pk}/change/").content.decode()
    assert endpoint.url in page and endpoint.secret not in page


def test_the_admin_refuses_a_private_address_and_says_why(staff, bot):
    response = staff.post(
        ADD,
        {
            "client": bot.pk,
            "url": "https://192.168.1.20/hooks",
            "kinds": ["article.published"],
            "active": "on",
        },
    )

    assert response.status_code == 200
    assert "192.168.1.20 is in a private range" in response.content.decode()
    assert not Endpoint.objects.exists()


def test_a_delivery_page_lists_its_attempts_and_the_resend_action_sends_it_again(
    staff, article, bot, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        perform(article, Action.SUBMIT, bot)
    message = WebhookMessage.objects.select_related("delivery").get()

    page = staff.get(f"/admin/webhooks/webhookmessage/{message.pk}/change/").content.decode()
    assert message.webhook_id in page and "500" in page

    with django_capture_on_commit_callbacks(execute=True):
        response = staff.post(
            "/admin/webhooks/webhookmessage/", {"action": "resend", "_selected_action": [message.pk]}
        )
    assert response.status_code == 302
    message.delivery.refresh_from_db()
    assert message.delivery.status == DeliveryStatus.SENT
    assert [a.status_code for a in message.attempts.all()] == [500, 200]


def test_the_outbox_list_names_the_endpoint_and_kind_of_webhook_rows(
    staff, article, bot, endpoint, receiver, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        perform(article, Action.SUBMIT, bot)

    page = staff.get("/admin/outbox/delivery/?channel=webhook").content.decode()
    assert endpoint.url in page and "article.submitted" in page


@pytest.mark.parametrize("port", ["0", "70000"])
def test_the_admin_refuses_an_invalid_port_and_says_why(staff, bot, port):
    response = staff.post(
        ADD,
        {"client": bot.pk, "url": f"https://93.184.215.14:{port}/hooks", "kinds": ["article.published"]},
    )

    assert response.status_code == 200
    assert (
        f"port &#x27;{port}&#x27; is not valid: a port is a number from 1 to 65535"
        in response.content.decode()
    )
    assert not Endpoint.objects.exists()
