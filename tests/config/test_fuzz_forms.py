"""Issue 14, property 5, for the HTML site: no form answers a 500, whatever is typed into it.

Every page of the URL walker's table (``test_url_walker.py``) that a role may open is opened as
that role, and every form on it (the desk's, the reviewer's, the managing editor's, the login
page, the readers' feedback form, the admin's add and change forms, the filters of every list)
is read back from the HTML. Hypothesis then fills the fields, each with what the page offered
(its value, one of its options), nothing at all, or something hostile (``tests/fuzzing.py``:
absurd offsets and years, NUL bytes, lone surrogates, huge text, enormous numbers), and sends the
form as the page would. The answer must be below 500 (a refusal: an HTML page), and a refused
form must leave every stored row as it was. Each example runs in a savepoint, so every example
meets the same world.
"""

from __future__ import annotations

from urllib.parse import quote, urljoin

import pytest
from django.db import transaction
from django.test import Client
from hypothesis import given
from hypothesis import strategies as st

from tests import fuzzing
from tests.config import test_url_walker as walker
from tests.config.url_world import ROLES, World
from tests.html_forms import Field, Form, forms_of

pytestmark = pytest.mark.fuzz

CASES, Case = walker.CASES, walker.Case
# The walker's world, built once for this module too.
_module_world, world = walker._module_world, walker.world

# The language menu and the like post elsewhere; the logout button has nothing to fill.
NOT_FUZZED_ACTIONS = ("/accounts/logout/", "/admin/logout/")


NO_FORMS = ("healthz", "readyz", "public:feed", "public:sitemap", "api:", "api/")
# In CI a page is fuzzed as one person who may open it (a reader's page as a reader), and the
# admin's pages (Django's own, and many) by one test drawing among them; a campaign fuzzes every
# page as every person who may open it.
CI_ADMIN_EXAMPLES = 40


def _openers(case: Case) -> list[str]:
    return [role for role, expected in zip(ROLES, case.get, strict=True) if expected == 200]


def _pages(*, admin: bool) -> list[tuple[Case, str]]:
    pages = []
    for case in CASES:
        if case.key.startswith(NO_FORMS) or case.key.startswith("admin") != admin:
            continue
        openers = _openers(case)
        if not fuzzing.CAMPAIGN_EXAMPLES and not admin:  # the admin's pages are sampled from all
            signed_in = [role for role in openers if role != "anonymous"]
            openers = openers[:1] if "anonymous" in openers else signed_in[:1]
        pages += [(case, role) for role in openers]
    return pages


# What the views read from the query string (request.GET), beside their forms' fields.
QUERY_FIELDS = {
    name: Field(name, "text")
    for name in ("page", "p", "o", "q", "state", "tab", "replaces", "format", "audience", "reader", "version")
}
QUERY_FIELDS |= {
    "a": Field("a", "number", "1"),
    "b": Field("b", "number", "2"),
    "sent": Field("sent", "text", "1"),
}


def _client(world: World, role: str) -> Client:
    # The CSRF check on, as a browser meets it; every form sends the page's own token.
    client = Client(raise_request_exception=False, enforce_csrf_checks=True)
    if world.users[role] is not None:
        client.force_login(world.users[role])
    return client


def _value(field: Field, data: st.DataObject) -> list[str] | None:
    """What to send for one field: what the page offered, nothing, or something hostile."""
    if field.name == "csrfmiddlewaretoken":
        return [field.value]
    offered = [field.value, *field.options] if field.options else [field.value]
    choice = data.draw(st.sampled_from(["offered", "offered", "omit", "hostile"]), label=f"{field.name}: how")
    if choice == "omit":
        return None
    if choice == "offered":
        return [data.draw(st.sampled_from(offered), label=field.name)]
    if field.kind in {"date", "datetime-local"} or "date" in field.name or field.name.endswith("_at"):
        hostile = st.one_of(fuzzing.datetime_texts(), fuzzing.date_texts())
    elif field.kind in {"number", "hidden"}:
        hostile = st.one_of(st.sampled_from(fuzzing.HUGE_NUMBERS), fuzzing.hostile_text())
    else:
        hostile = fuzzing.hostile_text()
    values = data.draw(st.lists(hostile, min_size=1, max_size=2), label=field.name)
    return values


def _encoded(fields: dict[str, list[str]]) -> str:
    # Lone surrogates go out as the bytes they would be in UTF-8 (not UTF-8 at all): as a
    # broken client would send them.
    return "&".join(
        f"{quote(name, safe='')}={quote(value.encode('utf-8', 'surrogatepass'), safe='')}"
        for name, values in fields.items()
        for value in values
    )


def _send(client: Client, page: str, form: Form, fields: dict[str, list[str]]):
    action = urljoin(page, form.action or page)
    if form.method == "get":
        return action, client.get(action.split("?")[0] + "?" + _encoded(fields))
    return action, client.generic(
        "POST", action, _encoded(fields), content_type="application/x-www-form-urlencoded"
    )


def _fuzz(world: World, case: Case, role: str, data: st.DataObject, pages: dict) -> None:
    """Open the page as ``role`` (once per test), fill one of its forms, send it, check the answer."""
    if (case.id, role) not in pages:
        client = _client(world, role)
        page = case.path(world)
        response = client.get(page)
        assert response.status_code == 200, fuzzing.describe(response)
        html = response.content.decode()
        forms = [f for f in forms_of(html) if not f.action.startswith(NOT_FUZZED_ACTIONS)]
        pages[case.id, role] = (client, page, forms)
    client, page, forms = pages[case.id, role]
    # The page itself, asked with what its views read from the query string besides their forms.
    query_only = Form(action=page.split("?")[0], method="get", fields=QUERY_FIELDS)
    form = data.draw(st.sampled_from([*forms, query_only]), label="form")
    fields = {}
    for field in form.fields.values():
        value = _value(field, data)
        if value is not None:
            fields[field.name] = value
    if form.buttons:
        name, value = data.draw(st.sampled_from(form.buttons), label="button")
        fields[name] = [value]
    with transaction.atomic():
        before = fuzzing.snapshot()
        action, answer = _send(client, page, form, fields)
        fuzzing.covered(f"form {form.method.upper()} {case.key}", answer.status_code)
        what = f"{form.method.upper()} {action} as {role} with {sorted(fields)}"
        fuzzing.check_answer(answer, action, what)
        if 400 <= answer.status_code < 500:
            assert fuzzing.snapshot() == before, f"{what} was refused but changed stored data"
        transaction.set_rollback(True)


@pytest.mark.parametrize(
    ("case", "role"), [pytest.param(c, r, id=f"{c.id}-{r}") for c, r in _pages(admin=False)]
)
def test_no_form_answers_500(world, case: Case, role: str):
    pages: dict = {}

    @given(data=st.data())
    @fuzzing.fuzz_settings(6, campaign_share=0.1)
    def fill_in(data):
        _fuzz(world, case, role, data, pages)

    fill_in()


ADMIN_PAGES = _pages(admin=True)


if fuzzing.CAMPAIGN_EXAMPLES:

    @pytest.mark.parametrize(("case", "role"), [pytest.param(c, r, id=f"{c.id}-{r}") for c, r in ADMIN_PAGES])
    def test_no_admin_form_answers_500(world, case: Case, role: str):
        pages: dict = {}

        @given(data=st.data())
        @fuzzing.fuzz_settings(2, campaign_share=0.02)
        def fill_in(data):
            _fuzz(world, case, role, data, pages)

        fill_in()

else:

    def test_no_admin_form_answers_500_on_a_sample_of_pages(world):
        pages: dict = {}

        @given(data=st.data())
        @fuzzing.fuzz_settings(CI_ADMIN_EXAMPLES)
        def fill_in(data):
            case, role = data.draw(st.sampled_from(ADMIN_PAGES), label="page")
            _fuzz(world, case, role, data, pages)

        fill_in()
