"""The review log's tables are append-only in the database too, and event numbers come from the id.

- On PostgreSQL the trigger function of migration 0002 now also refuses UPDATE, DELETE and
  TRUNCATE on the log's leaves, nodes and checkpoints.
- Since the log, an event's number (``seq``) is its id, drawn from the id column's sequence
  (audit.trail): the sequence is moved past every number the old chain used, so the two never meet.
"""

from django.db import migrations

TABLES = ("audit_logleaf", "audit_lognode", "audit_checkpoint")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(
            f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION vetted_audit_refuse_change()"
        )
        schema_editor.execute(
            f"CREATE TRIGGER {table}_no_truncate BEFORE TRUNCATE ON {table} "
            "FOR EACH STATEMENT EXECUTE FUNCTION vetted_audit_refuse_change()"
        )
    schema_editor.execute(
        "SELECT setval(pg_get_serial_sequence('audit_auditevent', 'id'), "
        "GREATEST((SELECT max(id) FROM audit_auditevent), (SELECT max(seq) FROM audit_auditevent), 1))"
    )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table in TABLES:
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_append_only ON {table}")
        schema_editor.execute(f"DROP TRIGGER IF EXISTS {table}_no_truncate ON {table}")


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_review_log")]

    operations = [migrations.RunPython(forward, backward)]
