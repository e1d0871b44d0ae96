import os

import pytest
from django.db import connection
from django.db.backends.signals import connection_created


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
    from articles.public import local_pages

    local_pages.clear()
    yield
    local_pages.clear()
