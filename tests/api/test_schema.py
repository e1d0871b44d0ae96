"""The API against its own OpenAPI schema, with schemathesis: generated requests (valid and
invalid) to every operation, as a managing editor, must never get a 500 and every answer must
match the schema. Bounded (a few derandomised examples per operation) so it runs in CI."""

from __future__ import annotations

import pytest
import schemathesis
from django.core.signals import request_finished, request_started
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.models import ApiToken
from config.wsgi import application

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.fixture
def same_connection():
    """Requests through the real WSGI handler would close the database connection when they end
    (and with it the test's transaction); the test client avoids that the same way."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(autouse=True)
def generous_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "100000/min", "anon": "100000/min", "login": "100000/min"},
    }


# Loaded from the running application, as a client would (schemathesis' lazy fixture loader does not
# work with pytest 9, so the schema is fetched when this module is collected; that needs no database).
schema = schemathesis.openapi.from_wsgi("/api/schema/", application)


@schema.parametrize()
@settings(
    max_examples=5,
    derandomize=True,
    deadline=None,
    suppress_health_check=list(HealthCheck),
    database=None,
)
def test_the_api_keeps_to_its_schema(case, world, same_connection):
    _token, key = ApiToken.issue(user=world.users["managing"], name="schemathesis")
    # Real objects and a real specialty, so that operations also answer about something (and their
    # success bodies get checked) rather than 404 or 400 every time.
    path = case.operation.path
    slug = "published" if "/public/" in path else "draft" if path.endswith("/draft/") else "under-review"
    real = {"slug": slug, "id": world.assignment.pk, "number": 1}
    if path.startswith("/api/v1/webhooks/"):
        real = {"id": world.endpoint.pk, "delivery_id": world.webhook.pk}
    for name in case.path_parameters or {}:
        if name in real:
            case.path_parameters[name] = real[name]
    drafts = case.body.get("drafts") if isinstance(case.body, dict) else None
    for draft in [case.body, *(drafts if isinstance(drafts, list) else [])]:
        if isinstance(draft, dict) and isinstance(draft.get("specialty"), str):
            draft["specialty"] = "obstetrics"
    case.call_and_validate(headers={"Authorization": f"Token {key}"}, checks=CHECKS)


def test_the_docs_page_loads_swagger_ui_from_our_own_static_files(client):
    page = client.get("/api/docs/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "swagger-ui" in html
    assert "/static/drf_spectacular_sidecar/swagger-ui-dist/" in html
    for cdn in ("cdn.jsdelivr.net", "unpkg.com", "cdnjs"):
        assert cdn not in html
    # Nothing inline, which the site's Content-Security-Policy would block: the page script is ?script.
    assert "<style" not in html and "<script>" not in html
    script = client.get("/api/docs/?script")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()
