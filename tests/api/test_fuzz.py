"""Issue 14, property 5, for the JSON API: no request gets a 500.

Three fuzzers, each with a small fixed budget in CI and ``VETTED_FUZZ_EXAMPLES`` for a campaign
(``make fuzz``; see ``tests/fuzzing.py``):

- every operation of the OpenAPI schema, with requests schemathesis generates from it (valid and
  invalid), then made hostile: absurd offsets, years and time zones in every date and time, huge
  and negative page numbers and sizes, NUL bytes, lone surrogates and huge strings in every text;
- every operation that takes a body, sent bodies no serializer should ever see: deeply nested
  JSON, invalid UTF-8, NaN, the wrong content type;
- chains of calls following the links between operations: the slug, id or number a success
  names is used by the later calls (create an article, then read, submit, withdraw it; create
  a webhook, then patch, delete it ...), as different people.

Every answer must be below 500 and, when a refusal, the API's JSON error; a refused request must
leave every stored row as it was. The response bodies' conformance to the schema is
``test_schema.py``'s business.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import quote

import pytest
import schemathesis
from django.core.cache import cache
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st
from schemathesis import GenerationMode
from schemathesis.core import NOT_SET

from api.models import ApiToken
from config.wsgi import application
from tests import fuzzing
from tests.api.helpers import World

pytestmark = pytest.mark.fuzz

schema = schemathesis.openapi.from_wsgi("/api/schema/", application)

# Names of parameters and body fields that hold a date and time, a date, or a number of rows/pages.
DATE_TIMES = {"updated_after", "since", "until", "due_at", "respond_by"}
DATES = {"updated_since", "accessed_on"}
NUMBERS = {"page", "page_size", "against", "number", "id", "delivery_id", "year", "revision"}
# Hypothesis starts from (and leans to) the first: the one who may do most, the anonymous caller last.
ROLES = ("managing", "editor", "reviewer", "integration", "anonymous")


@pytest.fixture(autouse=True)
def generous_rates(settings):
    settings.REST_FRAMEWORK = {
        **settings.REST_FRAMEWORK,
        "DEFAULT_THROTTLE_RATES": {"user": "1000000/min", "anon": "1000000/min", "login": "1000000/min"},
    }


def _client(world: World, role: str) -> Client:
    # The CSRF check on, as a real client meets it (the test client turns it off by default).
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    user = world.users[role]
    if user is not None:
        _token, key = ApiToken.issue(user=user, name=f"fuzz {role}")
        client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
    return client


def _real_path_parameters(case, world: World) -> None:
    """Mostly real objects, so that operations get past the 404 and read what was sent."""
    path = case.operation.path
    slug = "published" if "/public/" in path else "draft" if path.endswith("/draft/") else "under-review"
    real = {"slug": slug, "id": world.assignment.pk, "number": 1}
    if path.startswith("/api/v1/webhooks/"):
        real = {"id": world.endpoint.pk, "delivery_id": world.webhook.pk}
    for name in case.path_parameters or {}:
        if name in real:
            case.path_parameters[name] = real[name]


def _hostile(value: Any, name: str, data: st.DataObject) -> Any:
    """``value``, or in its place (about half the time) something hostile of the kind its name says."""
    if not data.draw(st.booleans(), label=f"replace {name}"):
        if isinstance(value, dict):
            return {k: _hostile(v, str(k), data) for k, v in value.items()}
        if isinstance(value, list):
            return [_hostile(v, f"{name}[]", data) for v in value]
        return value
    if name in DATE_TIMES:
        return data.draw(fuzzing.datetime_texts(), label=name)
    if name in DATES:
        return data.draw(fuzzing.date_texts(), label=name)
    if name in NUMBERS:
        return data.draw(st.sampled_from(fuzzing.HUGE_NUMBERS), label=name)
    if isinstance(value, str):
        return data.draw(fuzzing.hostile_text(), label=name)
    return data.draw(fuzzing.hostile_json_values(), label=name)


def _quoted(value: Any) -> str:
    # Lone surrogates go out as the bytes they would be in UTF-8 (not UTF-8 at all), as a client may send.
    return quote(str(value).encode("utf-8", "surrogatepass"), safe="")


def _send(
    client: Client, method: str, path: str, query: dict | None, body: Any, media_type: str | None, headers
):
    if query:
        path += "?" + "&".join(
            f"{_quoted(k)}={_quoted(v)}"
            for k, vs in query.items()
            for v in (vs if isinstance(vs, list) else [vs])
        )
    # The caller is the role's token: a generated Authorization header would make nearly every
    # request a 401 that reaches no view.
    extra = {
        f"HTTP_{k.upper().replace('-', '_')}": str(v)
        for k, v in (headers or {}).items()
        if k.lower() not in {"authorization", "cookie"}
    }
    if body is NOT_SET:
        return client.generic(method, path, **extra)
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return client.generic(method, path, raw, content_type=media_type or "application/json", **extra)


def _checked(response, method: str, path: str, before: str) -> None:
    what = f"{method} {path}"
    fuzzing.check_answer(response, path, what, head=method == "HEAD")
    if 400 <= response.status_code < 500:
        assert fuzzing.snapshot() == before, (
            f"{what} was refused ({response.status_code}) but changed stored data"
        )


def _in_savepoint(send):
    # Whatever one example changes is undone before the next: every example meets the same world.
    with transaction.atomic():
        before = fuzzing.snapshot()
        try:
            return send(before)
        finally:
            transaction.set_rollback(True)


@schema.parametrize()
@schema.given(data=st.data(), role=st.sampled_from(ROLES))
@fuzzing.fuzz_settings(4, campaign_share=0.2)
def test_no_api_operation_answers_500(case, data, role, world):
    _real_path_parameters(case, world)
    query = {name: _hostile(value, name, data) for name, value in (case.query or {}).items()}
    body = case.body if case.body is NOT_SET else _hostile(case.body, "body", data)
    client = _client(world, role)
    method, path = case.method.upper(), case.formatted_path

    def send(before):
        response = _send(client, method, path, query, body, case.media_type, case.headers)
        fuzzing.covered(f"api {method} {case.operation.path}", response.status_code)
        _checked(response, method, path, before)

    _in_savepoint(send)


WRITES = [
    (op.method.upper(), op.path)
    for op in (result.ok() for result in schema.get_all_operations())
    if op.method.upper() in {"POST", "PUT", "PATCH"}
]


@pytest.mark.parametrize(("method", "template"), WRITES, ids=[f"{m} {p}" for m, p in WRITES])
def test_no_api_write_answers_500_to_a_body_it_cannot_read(world, method, template):
    path = (
        template.replace("{slug}", "draft" if template.endswith("/draft/") else "under-review")
        .replace("{id}", str(world.endpoint.pk if "webhooks" in template else world.assignment.pk))
        .replace("{delivery_id}", str(world.webhook.pk))
    )
    client = _client(world, "managing" if "webhooks" in template or "assignments/" in template else "editor")
    if "/assignments/{id}/" in template:
        client = _client(world, "reviewer")
    for content_type, raw in fuzzing.RAW_BODIES:

        def send(before, content_type=content_type, raw=raw):
            response = client.generic(method, path, raw, content_type=content_type, HTTP_IF_MATCH='"1"')
            fuzzing.covered(f"api raw body {method} {template}", response.status_code)
            _checked(response, method, f"{path} ({content_type}, {raw[:40]!r})", before)

        _in_savepoint(send)


# --- following links ------------------------------------------------------------------------------
# Schemathesis infers links between the operations (``schema.as_state_machine()``), but its state
# machine cannot replay a run here: ids come from database sequences, which a rolled-back run does
# not rewind, so Hypothesis sees a different run each time (FlakyStrategyDefinition). The chain
# below follows the same links by hand: whatever slug, id or number a success answer names is used
# by the later steps' paths, and its draws never depend on what the answers held.

OPERATIONS = [result.ok() for result in schema.get_all_operations()]
LINKED = {"slug", "id", "number", "delivery_id"}


def _harvest(body: Any, pool: dict[str, list]) -> None:
    pending = [body]
    while pending:
        value = pending.pop()
        if isinstance(value, list):
            pending.extend(value)
        elif isinstance(value, dict):
            pending.extend(value.values())
            for name in LINKED & value.keys():
                if isinstance(value[name], int | str) and value[name] not in pool[name]:
                    pool[name].append(value[name])


@given(data=st.data())
@fuzzing.fuzz_settings(6)
def test_no_api_chain_of_linked_calls_answers_500(world, data):
    pool: dict[str, list] = {
        "slug": ["draft", "under-review", "approved", "published", "invited"],
        "id": [world.assignment.pk, world.invitation.pk, world.endpoint.pk],
        "number": [1, 2],
        "delivery_id": [world.webhook.pk],
    }
    clients = {role: _client(world, role) for role in ROLES}
    cache.clear()
    with transaction.atomic():
        for step in range(8):
            operation = OPERATIONS[data.draw(st.integers(0, len(OPERATIONS) - 1), label=f"step {step}")]
            # Mostly valid requests, so that the chain gets somewhere; some invalid ones on the way.
            mode = data.draw(st.sampled_from([GenerationMode.POSITIVE] * 3 + [GenerationMode.NEGATIVE]))
            case = data.draw(operation.as_strategy(generation_mode=mode), label="case")
            for name in case.path_parameters or {}:
                if pool.get(name):
                    # An index, not a choice among the values: the values differ from run to run.
                    index = data.draw(st.integers(0, 99), label=name)
                    case.path_parameters[name] = pool[name][index % len(pool[name])]
            role = data.draw(st.sampled_from(ROLES), label="role")
            method, path = case.method.upper(), case.formatted_path
            before = fuzzing.snapshot()
            response = _send(
                clients[role], method, path, case.query, case.body, case.media_type, case.headers
            )
            fuzzing.covered(f"api chain {method} {operation.path}", response.status_code)
            _checked(response, method, f"{path} as {role} (step {step})", before)
            if response.status_code < 300 and response.get("Content-Type", "").startswith("application/json"):
                _harvest(json.loads(response.content), pool)
        transaction.set_rollback(True)
