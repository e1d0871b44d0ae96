"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Playwright's own browser download does not work here (and CI must not depend on it), so the
browser is whatever ``chromium`` is on PATH. A developer without it gets a skip that says so;
CI (``CI=true``, set by ``.ci/run``, which installs chromium) fails instead of skipping.

Screenshots and accessibility reports land in ``var/browser-artifacts/<test>/`` (or under
``BROWSER_ARTIFACTS_DIR``); the folder is printed at the end of the run.
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from django.conf import settings as django_settings

from tests import factories
from tests.browser.pages import Artifacts

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def artifacts_root() -> Path:
    configured = os.environ.get("BROWSER_ARTIFACTS_DIR")
    root = Path(configured) if configured else Path(django_settings.BASE_DIR) / "var" / "browser-artifacts"
    return root.resolve()


def _on_ci() -> bool:
    return os.environ.get("CI", "").lower() in ("1", "true", "yes")


def pytest_collection_modifyitems(config, items):
    if shutil.which("chromium") or _on_ci():
        return  # on CI a missing browser must fail the run, not skip it
    skip = pytest.mark.skip(reason="needs Chromium: `apt-get install chromium` (CI installs it)")
    for item in items:
        if "browser" in item.keywords:
            item.add_marker(skip)


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    ran = [
        report
        for key in ("passed", "failed", "error")
        for report in terminalreporter.stats.get(key, [])
        if getattr(report, "when", None) == "call" and "tests/browser/" in report.nodeid
    ]
    if ran:
        terminalreporter.write_sep("-", "browser test artefacts")
        terminalreporter.write_line(f"Screenshots and accessibility reports: {artifacts_root()}")


@pytest.fixture(scope="package")
def browser():
    """One Chromium for the package, closed (with Playwright's event loop) after its last test.

    Playwright's sync API keeps an asyncio loop running in this thread, and Django refuses ORM
    calls from a thread with a running loop. The tests here set up and check the database from
    this same thread, strictly between browser steps, so the guard is lifted while the loop
    lives, and for these tests only.
    """
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("chromium is not installed: .ci/run installs it with apt (`apt-get install chromium`)")
    from playwright.sync_api import sync_playwright

    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
        with sync_playwright() as playwright:
            launched = playwright.chromium.launch(executable_path=chromium, args=CHROMIUM_ARGS)
            yield launched
            launched.close()


@pytest.fixture
def fast_passwords(settings):
    """MD5 first, so logins and the signing password check are quick; the password is still
    checked for real. The shared factory hash is made first with the real hasher (see
    tests/reviews/conftest.py), so no other test is ever handed an MD5 hash."""
    factories._password_hash()
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher", *settings.PASSWORD_HASHERS]


@pytest.fixture
def site(live_server, fast_passwords) -> Iterator[str]:
    """The live server's root URL, with an empty cache (test databases reuse primary keys, and
    the public pages are cached by them)."""
    from django.core.cache import cache

    cache.clear()
    yield live_server.url
    cache.clear()


@pytest.fixture
def artifacts(request) -> Artifacts:
    name = re.sub(r"[^A-Za-z0-9_.-]+", "-", request.node.name).strip("-")
    folder = artifacts_root() / name
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    return Artifacts(folder)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    report = yield
    if report.when == "call":
        item.browser_call_failed = report.failed
    return report


@pytest.fixture
def open_context(request, browser, site, artifacts):
    """Opens fresh browser profiles (one per person in a journey), closed after the test; when
    the test failed, every page still open is screenshotted first, to show where it stopped."""
    opened = []

    def open_one():
        context = browser.new_context(base_url=site, viewport={"width": 1280, "height": 900}, locale="en-GB")
        context.set_default_timeout(10_000)
        opened.append(context)
        return context

    yield open_one
    for context in opened:
        if getattr(request.node, "browser_call_failed", False):
            for page in context.pages:
                artifacts.shot(page, "at-failure")
        context.close()


@pytest.fixture
def context(open_context):
    """A fresh browser profile for the test: no cookies carried over from another test."""
    return open_context()
