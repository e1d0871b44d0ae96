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
