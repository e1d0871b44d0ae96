"""The webhook endpoints of the API: registering, reading, changing, deleting, the delivery log."""

from __future__ import annotations

import pytest

from audit.models import AuditEvent
from outbox.models import DeliveryStatus
from reviews.workflow import Action, perform
from tests.api.helpers import client_for, error_of
from tests.factories import make_user
from webhooks.models import Endpoint, WebhookMessage

A = "/api/v1/webhooks/"
PUBLIC_URL = "https://93.184.215.14/hooks/vetted"


def body(**overrides):
    return {"client": "pipeline", "url": PUBLIC_URL, "kinds": ["article.changes_requested"], **overrides}


@pytest.fixture
def as_managing(managing):
    return client_for(managing)


@pytest.fixture
def as_bot(bot):
    return client_for(bot)


def test_registering_answers_the_secret_once_and_never_again(as_managing, bot):
    created = as_managing.post(A, body(description="Drafting pipeline"), format="json")

    assert created.status_code == 201, created.content
    data = created.json()
    assert data["secret"].startswith("whsec_") and len(data["secret"]) > 40
    assert (data["client"], data["url"], data["kinds"], data["active"]) == (
        "pipeline",
        PUBLIC_URL,
        ["article.changes_requested"],
        True,
    )
    endpoint = Endpoint.objects.get(pk=data["id"])
    assert endpoint.secret == data["secret"] and endpoint.client_id == bot.pk
    assert AuditEvent.objects.filter(action="webhook.created", target_id=str(endpoint.pk)).exists()

    again = as_managing.get(f"{A}{endpoint.pk}/").json()
    listed = as_managing.get(A).json()["results"]
    assert "secret" not in again and all("secret" not in e for e in listed)
    assert data["secret"] not in str(again) + str(listed)


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("https://10.1.2.3/hook", "The address 10.1.2.3 is in a private range"),
        ("https://127.0.0.1:8443/hook", "127.0.0.1 is a loopback address"),
        ("https://169.254.169.254/latest/", "a cloud metadata service"),
        ("http://93.184.215.14/hook", "must start with https://"),
        ("not a url", "must start with https://"),
    ],
)
def test_an_unsafe_url_is_refused_when_registered_with_a_clear_reason(as_managing, bot, url, says):
    response = as_managing.post(A, body(url=url), format="json")

    assert response.status_code == 400
    error = error_of(response)
    assert says in error["message"] and says in error["fields"]["url"][0]
    assert Endpoint.objects.count() == 0


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_an_endpoint_with_an_invalid_port_is_refused_on_create_and_on_change(as_managing, bot, port):
    says = f"The URL's port '{port}' is not valid: a port is a number from 1 to 65535."
    created = as_managing.post(A, body(url=f"https://93.184.215.14:{port}/hook"), format="json")
    assert created.status_code == 400
    assert error_of(created)["fields"]["url"] == [says]
    assert Endpoint.objects.count() == 0

    endpoint_id = as_managing.post(A, body(), format="json").json()["id"]
    changed = as_managing.patch(
        f"{A}{endpoint_id}/", {"url": f"https://93.184.215.14:{port}/"}, format="json"
    )
    assert changed.status_code == 400
    assert error_of(changed)["fields"]["url"] == [says]
    assert Endpoint.objects.get(pk=endpoint_id).url == PUBLIC_URL


def test_other_bad_input_is_a_400_naming_the_field(as_managing, bot, editor):
    cases = [
        (body(client="eddie"), "client"),  # an editor, not an integration client
        (body(client="nobody"), "client"),
        (body(kinds=[]), "kinds"),
        (body(kinds=["article.eaten"]), "kinds[0]"),
        (body(active="yes"), "active"),
        (body(url="https://93.184.215.14/" + "x" * 600), "url"),
    ]
    for payload, field in cases:
        response = as_managing.post(A, payload, format="json")
        assert response.status_code == 400, payload
        assert field in error_of(response)["fields"], (field, response.json())
    assert Endpoint.objects.count() == 0


def test_an_integration_client_reads_its_own_endpoints_and_no_one_elses(as_managing, as_bot, bot):
    mine = as_managing.post(A, body(), format="json").json()
    make_user("other-pipeline", "Integration client")
    theirs = as_managing.post(A, body(client="other-pipeline"), format="json").json()

    listed = as_bot.get(A).json()
    assert [e["id"] for e in listed["results"]] == [mine["id"]]
    assert as_bot.get(f"{A}{mine['id']}/").status_code == 200
    assert as_bot.get(f"{A}{theirs['id']}/").status_code == 404
    assert as_bot.get(f"{A}{theirs['id']}/deliveries/").status_code == 404
    # Reading only: the managing editors register and change them.
    assert as_bot.post(A, body(), format="json").status_code == 403
    assert as_bot.patch(f"{A}{mine['id']}/", {"active": False}, format="json").status_code == 403
    assert as_bot.delete(f"{A}{mine['id']}/").status_code == 403
    assert Endpoint.objects.get(pk=mine["id"]).active


def test_lists_filter_by_client_and_active(as_managing, bot):
    as_managing.post(A, body(), format="json")
    make_user("other-pipeline", "Integration client")
    as_managing.post(A, body(client="other-pipeline", active=False), format="json")

    assert [e["client"] for e in as_managing.get(f"{A}?client=pipeline").json()["results"]] == ["pipeline"]
    assert [e["client"] for e in as_managing.get(f"{A}?active=false").json()["results"]] == ["other-pipeline"]


def test_changing_an_endpoint_checks_the_url_again_and_enabling_forgets_the_failures(as_managing, bot):
    created = as_managing.post(A, body(), format="json").json()
    Endpoint.objects.filter(pk=created["id"]).update(
        active=False, disabled_reason="Failing.", failing_since="2026-01-01T00:00Z"
    )
    path = f"{A}{created['id']}/"

    refused = as_managing.patch(path, {"url": "https://192.168.0.4/"}, format="json")
    assert refused.status_code == 400 and "private range" in error_of(refused)["message"]
    assert Endpoint.objects.get(pk=created["id"]).url == PUBLIC_URL

    changed = as_managing.patch(
        path, {"active": True, "kinds": ["article.published", "article.approved"]}, format="json"
    )
    assert changed.status_code == 200
    data = changed.json()
    assert data["active"] and data["failing_since"] is None and data["disabled_reason"] == ""
    assert data["kinds"] == ["article.approved", "article.published"]


def test_the_delivery_log_shows_every_attempt_and_a_delivery_can_be_resent(
    as_managing, as_bot, article, bot, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.answers = [500]
    with django_capture_on_commit_callbacks(execute=True):
        perform(article, Action.SUBMIT, bot)
    path = f"{A}{endpoint.pk}/deliveries/"

    [delivery] = as_bot.get(path).json()["results"]
    message = WebhookMessage.objects.get()
    assert (delivery["id"], delivery["webhook_id"], delivery["kind"], delivery["article"]) == (
        message.pk,
        message.webhook_id,
        "article.submitted",
        "iron-in-pregnancy",
    )
    assert (delivery["status"], delivery["attempt_count"]) == (DeliveryStatus.PENDING, 1)
    [attempt] = delivery["attempts"]
    assert attempt["status_code"] == 500 and attempt["succeeded"] is False and attempt["latency_ms"] >= 0
    assert delivery["body"]["type"] == "article.submitted"

    assert as_bot.post(f"{path}{message.pk}/resend/").status_code == 403
    with django_capture_on_commit_callbacks(execute=True):
        resent = as_managing.post(f"{path}{message.pk}/resend/")
    assert resent.status_code == 200
    after = as_managing.get(f"{path}?status=sent").json()["results"]
    assert [d["id"] for d in after] == [message.pk]
    assert [a["status_code"] for a in after[0]["attempts"]] == [500, 200]
    assert {r.headers["webhook-id"] for r in receiver.received} == {message.webhook_id}
    assert as_managing.get(f"{path}?status=failed").json()["count"] == 0
    assert as_managing.post(f"{path}999999/resend/").status_code == 404


def test_deleting_an_endpoint_skips_what_it_was_still_to_send(
    as_managing, article, bot, endpoint, receiver, django_capture_on_commit_callbacks
):
    receiver.stop()
    with django_capture_on_commit_callbacks(execute=True):
        perform(article, Action.SUBMIT, bot)
    delivery = WebhookMessage.objects.select_related("delivery").get().delivery

    assert as_managing.delete(f"{A}{endpoint.pk}/").status_code == 204

    assert not Endpoint.objects.filter(pk=endpoint.pk).exists()
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SKIPPED and "deleted" in delivery.last_error
    assert AuditEvent.objects.filter(action="webhook.deleted").count() == 1


def test_editors_and_anonymous_callers_are_refused(editor):
    assert client_for(editor).get(A).status_code == 403
    assert client_for(None).get(A).status_code == 401
