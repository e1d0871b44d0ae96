"""The audit trail: each event written with its own leaf hash, append-only, and safe under
concurrent writers (the log that seals them: test_log.py; tampering: test_verify.py)."""

from __future__ import annotations

import threading
from io import StringIO

import pytest
from django.core.management import call_command, execute_from_command_line
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER
from articles.models import Article, ArticleState
from audit import entries
from audit.models import AuditEvent, AuditTrailIsAppendOnly, LogLeaf
from audit.trail import RequestInfo, record
from audit.verify import verify
from reviews.workflow import Action, TransitionNotAllowed, perform
from tests.factories import approve_directly, make_article, make_user, reread, submit
from tests.factories import seal_log as seal


@pytest.fixture
def editor(db):
    return make_user("editor", EDITOR)


@pytest.fixture
def chain(editor):
    """A short real chain: an article created, saved and submitted."""
    submit(make_article(editor), editor)
    assert AuditEvent.objects.count() >= 2
    return list(AuditEvent.objects.order_by("seq"))


# Without PostgreSQL's trigger, raw SQL is the way around the model's refusal (the postgres tests
# below tamper with the trigger disabled).
no_trigger = pytest.mark.skipif(connection.vendor == "postgresql", reason="the trigger refuses raw SQL")


def _verify() -> str:
    out = StringIO()
    call_command("verify_audit", stdout=out)
    return out.getvalue()


def _tamper_with_sql(sql: str, params: list) -> None:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _check_deferred_constraints_now() -> None:
    # PostgreSQL will not ALTER or TRUNCATE a table with deferred foreign-key checks still
    # pending in this transaction (the events the test just wrote); run them first.
    _tamper_with_sql("SET CONSTRAINTS ALL IMMEDIATE", [])


# --- the chain ---------------------------------------------------------------------------------


def test_each_event_carries_its_own_leaf_hash_and_links_to_no_other(chain):
    assert [e.seq for e in chain] == [e.pk for e in chain]  # its number is its id
    assert [e.seq for e in chain] == sorted(e.seq for e in chain)
    for event in chain:
        assert event.prev_hash is None and event.hash is None
        fields = AuditEvent.objects.filter(pk=event.pk).values(*entries.COLUMNS).get()
        assert entries.leaf_hash_of(fields).hex() == event.leaf_hash
    assert len({e.request_salt for e in chain}) == len(chain)


def test_the_entry_commits_to_the_request_without_showing_it(db):
    event = record("test.ip", request_info=RequestInfo(ip_address="203.0.113.9", user_agent="Firefox"))
    entry = entries.entry(AuditEvent.objects.filter(pk=event.pk).values(*entries.COLUMNS).get())
    assert "203.0.113.9" not in str(entry) and "Firefox" not in str(entry)
    assert entry["request"] == entries.request_digest(event.request_salt, "203.0.113.9", "Firefox")
    assert entry["request"] != entries.request_digest(event.request_salt, "203.0.113.8", "Firefox")


def test_verify_audit_passes_on_a_clean_trail_and_prints_the_counts(chain):
    seal()
    assert f"{len(chain)} log entries, 1 checkpoints and 0 events not sealed yet" in _verify()


def test_verify_audit_passes_on_an_empty_trail(db):
    assert "0 log entries, 0 checkpoints and 0 events not sealed yet" in _verify()


@no_trigger
def test_verify_audit_fails_naming_an_unsealed_event_changed_behind_the_models_back(chain):
    target = chain[1]
    _tamper_with_sql("UPDATE audit_auditevent SET actor_label = %s WHERE id = %s", ["mallory", target.pk])

    with pytest.raises(CommandError, match=f"event #{target.seq} \\(id {target.pk}") as failed:
        _verify()
    assert failed.value.returncode != 0
    assert "no longer matches the leaf hash it was written with" in str(failed.value)


@no_trigger
def test_manage_py_verify_audit_exits_non_zero_on_a_tampered_trail(chain, capsys):
    seal()
    _tamper_with_sql("UPDATE audit_auditevent SET action = %s WHERE id = %s", ["forged", chain[0].pk])

    with pytest.raises(SystemExit) as exited:
        execute_from_command_line(["manage.py", "verify_audit"])

    assert exited.value.code == 1
    assert f"entry 0 (event #{chain[0].seq}" in capsys.readouterr().err


def test_an_ipv6_address_is_hashed_as_the_database_stores_it(db):
    event = record("test.ip", request_info=RequestInfo(ip_address="2001:0db8:0000:0000:0000:0000:0000:0001"))
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "2001:db8::1"
    assert verify().ok


def test_the_model_refuses_to_change_or_delete_an_event(chain):
    event = chain[0]
    event.actor_label = "someone else"
    with pytest.raises(AuditTrailIsAppendOnly):
        event.save()
    with pytest.raises(AuditTrailIsAppendOnly):
        event.delete()
    assert AuditEvent.objects.get(pk=event.pk).actor_label == "editor"


def test_the_queryset_refuses_update_bulk_update_and_delete(chain):
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.filter(pk=chain[0].pk).update(action="rewritten")
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.bulk_update(chain[:1], ["action"])
    with pytest.raises(AuditTrailIsAppendOnly):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.count() == len(chain)
    assert verify().ok


# --- PostgreSQL: the trigger -------------------------------------------------------------------


LOG_TABLES = ["audit_auditevent", "audit_logleaf", "audit_lognode", "audit_checkpoint"]


@pytest.mark.postgres
@pytest.mark.parametrize("table", LOG_TABLES)
@pytest.mark.parametrize("statement", ["UPDATE {table} SET {column} = {column}", "DELETE FROM {table}"])
def test_the_trigger_refuses_update_and_delete_on_events_and_the_log(chain, table, statement):
    seal()
    column = {"audit_auditevent": "actor_label", "audit_checkpoint": "note"}.get(table, "hash")
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
        _tamper_with_sql(statement.format(table=table, column=column), [])
    assert AuditEvent.objects.count() == len(chain)
    assert verify().ok


@pytest.mark.postgres
@pytest.mark.parametrize("table", LOG_TABLES)
def test_the_trigger_refuses_truncate(chain, table):
    seal()
    with transaction.atomic():
        # The test suite switches TRUNCATE on for its own table flushes (tests/conftest.py);
        # SET LOCAL turns it off again until this test's transaction ends.
        _tamper_with_sql("SET LOCAL vetted.allow_audit_truncate = 'off'", [])
        _check_deferred_constraints_now()
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic():
            _tamper_with_sql(f"TRUNCATE {table} CASCADE", [])
    assert AuditEvent.objects.count() == len(chain)
    assert verify().ok


# --- PostgreSQL: concurrent writers ------------------------------------------------------------


def _race(*calls) -> list[object]:
    """Run the calls at the same moment, each in its own thread and connection; return result or error."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[object] = [None] * len(calls)

    def run(index: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[index] = call()
        except Exception as exc:
            outcomes[index] = exc
        finally:
            connection.close()  # each thread has its own connection: close it, or the test DB stays busy

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert not any(thread.is_alive() for thread in threads), "a thread never finished"
    return outcomes


def _one_success_one_refusal(outcomes: list[object]) -> None:
    refusals = [o for o in outcomes if isinstance(o, Exception)]
    assert len(refusals) == 1, outcomes
    assert isinstance(refusals[0], TransitionNotAllowed), repr(refusals[0])


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_submits_give_one_success_and_one_clear_refusal():
    editor = make_user("editor", EDITOR)
    article = make_article(editor)

    outcomes = _race(
        lambda: perform(article.pk, Action.SUBMIT, editor),
        lambda: perform(article.pk, Action.SUBMIT, editor),
    )

    _one_success_one_refusal(outcomes)
    assert "is 'Submitted'" in next(o for o in outcomes if isinstance(o, Exception)).message
    assert Article.objects.get(pk=article.pk).state == ArticleState.SUBMITTED
    assert AuditEvent.objects.filter(action="article.submit", article_id=article.pk).count() == 1
    assert verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_simultaneous_publishes_give_one_success_and_one_clear_refusal():
    editor = make_user("editor", EDITOR)
    managing = make_user("managing", MANAGING_EDITOR)
    submitted = submit(make_article(editor), editor)
    article = approve_directly(submitted, make_user("reviewer", REVIEWER), managing)

    outcomes = _race(
        lambda: perform(article.pk, Action.PUBLISH, editor),
        lambda: perform(article.pk, Action.PUBLISH, managing),
    )

    _one_success_one_refusal(outcomes)
    article = reread(article)
    assert article.state == ArticleState.PUBLISHED
    assert article.published_version.number == 1
    assert AuditEvent.objects.filter(action="article.publish", article_id=article.pk).count() == 1
    assert verify().ok


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_take_no_shared_lock_and_the_log_gets_each_event_once_without_gaps():
    writers, events_each = 6, 5

    def write_many(n: int):
        for i in range(events_each):
            with transaction.atomic():
                record("test.concurrent", target_type="writer", target_id=str(n), payload={"i": i})
                if i == 2:
                    # A writer whose transaction rolls back leaves a number unused, never a hole
                    # in the log.
                    with transaction.atomic():
                        record("test.concurrent", target_type="writer", target_id=str(n), payload={"x": 1})
                        transaction.set_rollback(True)
        return n

    outcomes = _race(*[lambda n=n: write_many(n) for n in range(writers)])

    assert outcomes == list(range(writers))
    events = list(AuditEvent.objects.order_by("seq"))
    assert len(events) == writers * events_each
    assert len({e.seq for e in events}) == len(events)
    seal()
    leaves = list(LogLeaf.objects.order_by("index").values_list("index", "event_id"))
    assert [index for index, _ in leaves] == list(range(len(events)))
    assert sorted(event for _, event in leaves) == sorted(e.pk for e in events)
    assert verify().ok


def test_an_event_from_a_request_behind_a_trusted_proxy_records_the_client(db, rf, settings):
    settings.VETTED = {**settings.VETTED, "TRUSTED_PROXIES": 1}
    request = rf.get("/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR="6.6.6.6, 203.0.113.7")
    event = record("test.ip", request_info=RequestInfo.from_request(request))
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "203.0.113.7"

    settings.VETTED = {**settings.VETTED, "TRUSTED_PROXIES": 0}
    event = record("test.ip", request_info=RequestInfo.from_request(request))
    assert AuditEvent.objects.get(pk=event.pk).ip_address == "10.0.0.1"
