"""Issue 14, property 5, for addresses: no path, known or unknown, asked with any method, gets a 500.

- Paths that lead nowhere, under ``/api/`` and everywhere else, with every HTTP method (and one
  that does not exist), signed in or not: a 4xx, the API's JSON error under ``/api/``.
- Every URL pattern of the project (``django.urls.get_resolver()``, the admin's included) with its
  parameters filled by hostile values: ids past any database integer, negative and zero numbers,
  slugs far too long, reserved words, text with NUL bytes and lone surrogates.

Each request runs in a savepoint; a refusal must leave every stored row as it was.
"""

from __future__ import annotations

import re
from urllib.parse import quote

import pytest
from django.db import transaction
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver
from django.urls.resolvers import RoutePattern
from hypothesis import given
from hypothesis import strategies as st

from api.models import ApiToken
from tests import fuzzing
from tests.config import test_url_walker as walker
from tests.config.url_world import World

pytestmark = pytest.mark.fuzz

# The walker's world, built once for this module too.
_module_world, world = walker._module_world, walker.world

METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "PROPFIND"]
ROLES = ("owner", "managing", "reviewer", "integration", "superuser", "anonymous")
UNKNOWN = [
    "/api/",
    "/api/v1/",
    "/api/v2/articles/",
    "/api/v1/no-such-endpoint/",
    "/api/v1/articles/x/no-such-action/",
    "/api/v1/assignments/99999999999999999999/",
    "/api/v1/webhooks/-1/",
    "/api/v1/no-slash",
    "/desk/no-such-page/",
    "/desk/reviews/assignments/99999999999999999999/",
    "/admin/no-such-app/no-such-model/",
    "/no-such-page/",
    "/articles/no-such-article/versions/99999999999999999999/",
    "/%00/",
    "/%ED%A0%80/",
    "/%FF/",
    "/..%2F..%2Fetc/passwd",
]


def _client(world: World, role: str, path: str) -> Client:
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    user = world.users[role]
    if user is not None:
        if path.startswith("/api/"):
            _token, key = ApiToken.issue(user=user, name="fuzz paths")
            client.defaults["HTTP_AUTHORIZATION"] = f"Token {key}"
        else:
            client.force_login(user)
    return client


def _ask(world: World, role: str, method: str, path: str) -> None:
    client = _client(world, role, path)
    with transaction.atomic():
        before = fuzzing.snapshot()
        response = client.generic(method, path)
        fuzzing.covered(f"path {method} {path.split('/')[1] or '/'}", response.status_code)
        what = f"{method} {path} as {role}"
        fuzzing.check_answer(response, path, what, head=method == "HEAD")
        if 400 <= response.status_code < 500:
            assert fuzzing.snapshot() == before, f"{what} was refused but changed stored data"
        transaction.set_rollback(True)
    return response


@pytest.mark.parametrize("method", METHODS)
def test_unknown_paths_answer_4xx_with_every_method(world, method):
    for path in UNKNOWN:
        for role in ("anonymous", "owner", "integration"):
            response = _ask(world, role, method, path)
            assert 400 <= response.status_code < 500 or response.status_code in (301, 302), (
                f"{method} {path} as {role}: {response.status_code}"
            )


@given(
    data=st.data(),
    method=st.sampled_from(METHODS),
    role=st.sampled_from(ROLES),
    segments=st.lists(fuzzing.hostile_text().map(lambda t: t[:300]), min_size=1, max_size=4),
    prefix=st.sampled_from(["/api/", "/api/v1/", "/desk/", "/admin/", "/articles/", "/"]),
)
@fuzzing.fuzz_settings(40)
def test_made_up_paths_never_answer_500(world, data, method, role, segments, prefix):
    path = prefix + "/".join(quote(s.encode("utf-8", "surrogatepass"), safe="") for s in segments)
    _ask(world, role, method, path)


# --- every pattern, filled with hostile values -------------------------------------------------------


def _routes(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    """Every pattern written as a route (``path()``), the admin's included, joined to its prefix."""
    routes = []
    for pattern in (resolver or get_resolver()).url_patterns:
        if not isinstance(pattern.pattern, RoutePattern):
            continue  # regular expressions: the API's catch-all, the admin's app index
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            routes += _routes(pattern, route)
        elif isinstance(pattern, URLPattern):
            routes.append(route)
    return routes


ROUTES = [route for route in _routes() if "<" in route]
CONVERTER = re.compile(r"<(?:(?P<kind>[^>:]+):)?(?P<name>[^>]+)>")
NUMBERS = ["0", "-1", "99999999999999999999", "9223372036854775808", "9223372036854775807", "00000001"]
SLUGS = ["a" * 300, "-", "_", "new", "batch", "walk-published", "walk-draft", "walk-under-review"]


def _values_for(kind: str | None) -> st.SearchStrategy[str]:
    if kind in {"int", "id", "desk_id"}:
        return st.sampled_from(NUMBERS)
    if kind == "slug":
        return st.sampled_from(SLUGS)
    return fuzzing.hostile_text().map(lambda t: quote(t[:300].encode("utf-8", "surrogatepass"), safe=""))


@given(
    data=st.data(),
    route=st.sampled_from(ROUTES),
    method=st.sampled_from(["GET", "POST", "HEAD", "DELETE"]),
    role=st.sampled_from(ROLES),
)
@fuzzing.fuzz_settings(60)
def test_every_pattern_with_hostile_parameters_never_answers_500(world, data, route, method, role):
    def fill(match: re.Match) -> str:
        return data.draw(_values_for(match["kind"]), label=match["name"])

    path = "/" + CONVERTER.sub(fill, route)
    _ask(world, role, method, path)
