import os

import pytest
from django.db import connection, models
from django.db.backends.signals import connection_created
from django.db.models import query

# Every query in the test session runs in FETCH_RAISE: touching a relation or a deferred
# field that the query did not load raises FieldFetchBlocked instead of quietly running one
# more query. In a loop that quiet query is an N+1; here it fails the test that walks the
# page. Django documents a per-queryset and per-manager mode, not a global one, so this sets
# the module default QuerySet() reads (django.db.models.query.DEFAULT_FETCH_MODE, 6.1);
# tests/test_fetch_mode.py proves it still takes effect. Production keeps Django's FETCH_ONE.
# Where one lazy fetch of one object is deliberate, the code says so with
# .fetch_mode(models.FETCH_ONE) on that queryset (docs/queries.md).
FETCH_MODES = {"raise": models.FETCH_RAISE, "one": models.FETCH_ONE, "peers": models.FETCH_PEERS}


def pytest_addoption(parser):
    parser.addoption(
        "--fetch-mode",
        choices=sorted(FETCH_MODES),
        default="raise",
        help="Default fetch mode of every queryset in the session (default: raise). "
        "'one' is Django's own default: use it to tell whether a failure is a blocked lazy fetch.",
    )


def pytest_configure(config):
    if not hasattr(query, "DEFAULT_FETCH_MODE"):
        raise pytest.UsageError(
            "django.db.models.query.DEFAULT_FETCH_MODE is gone: find where this Django "
            "version keeps the default fetch mode and update tests/conftest.py."
        )
    query.DEFAULT_FETCH_MODE = FETCH_MODES[config.getoption("--fetch-mode")]


def _allow_test_flush(sender, connection, **kwargs):
    # Transactional tests empty every table with TRUNCATE between tests; the
    # audit trigger refuses TRUNCATE unless this session setting is on. The
    # trigger tests switch it off again to prove the refusal.
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SET vetted.allow_audit_truncate = 'on'")


connection_created.connect(_allow_test_flush, dispatch_uid="vetted-test-flush")


def pytest_collection_modifyitems(config, items):
    on_postgres = connection.vendor == "postgresql"
    for item in items:
        if "postgres" in item.keywords and not on_postgres:
            item.add_marker(pytest.mark.skip(reason="needs PostgreSQL (set DATABASE_URL)"))
        if "redis" in item.keywords and not os.environ.get("REDIS_URL"):
            item.add_marker(pytest.mark.skip(reason="needs Redis (set REDIS_URL)"))


@pytest.fixture(autouse=True, scope="session")
def _pointer_leases_off():
    # Web processes' pointer memory (public/pointer_memory.py) runs a listener thread; the
    # tests that are about it turn it on (tests/public/test_pointer_memory.py and the
    # freshness tests), the rest count Redis round trips as a process without it makes them.
    from django.conf import settings

    settings.VETTED["POINTER_LEASE_SECONDS"] = 0
    yield


@pytest.fixture(autouse=True, scope="session")
def _celery_tasks_run_in_process():
    # Tasks queued after commit run in the test process (emails land in mail.outbox)
    # instead of piling up in the developer's broker; the real-worker tests switch
    # this off for themselves.
    from config.celery import app

    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fresh_page_memory():
    # Each test starts with this process's memory of public pages empty, as a new web process
    # would: test databases reuse primary keys, so one test's pages must not meet the next's.
    from public.render_cache import local_pages

    local_pages.clear()
    yield
    local_pages.clear()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # What the fuzzers asked and what came back (issue 14, property 5): printed by `make fuzz` and
    # by any run that selects them (-m fuzz), so a campaign says what it covered.
    from tests import fuzzing

    if fuzzing.COVERAGE and (fuzzing.CAMPAIGN_EXAMPLES or "fuzz" in (config.option.markexpr or "")):
        terminalreporter.section("fuzzing: answers by target (status: count)")
        for line in fuzzing.coverage_report():
            terminalreporter.write_line(line)
