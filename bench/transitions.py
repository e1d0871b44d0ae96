"""Bench (not a test): editorial transitions per second from concurrent workers, on PostgreSQL.

Each worker (a process with its own database connection, like a web process)
drives articles round the whole cycle through the real domain functions, one
transaction each, as the web pages would::

    revise -> save the draft -> submit -> assign (starts the review) -> accept
    -> declare no conflict -> approve (signed, with the password) -> publish

Audit events and notification outbox rows are written as in production (the
audit listeners run inside each transaction; delivery tasks go to the Redis
broker after commit; no Celery worker drains them here, so the broker only
queues). Re-reading the acting user for every step stands in for the
authentication middleware.

Reported: article transitions per second (``article.*`` audit events: five per
cycle), domain operations and audit events per second, latency per step,
refusals (expected under contention: someone else moved the article first)
and errors (anything else: must be zero), what the database's backends waited
on (``pg_stat_activity`` and ``pg_locks`` sampled every 50 ms: audit writes take
no shared lock since the review log, issue 16, so heavyweight lock waits should
be near zero), the review log's seal lag (a sealer runs alongside, as the beat
would, every ``LOG_SEAL_EVERY_SECONDS``: for each event written while measuring,
the time from its ``created_at`` to the signed checkpoint that first covered
it), and ``verify_audit`` afterwards.

Signing checks the reviewer's password with Django's default PBKDF2 (1.5M
iterations, ~0.5 s of CPU), which dominates a cycle on a small machine, so the
default run measures twice: as configured, and with a fast hasher to show what
the database path itself sustains; a third run makes every worker pick from one
shared pool of articles, so they collide (refusals expected, errors not).

Usage (PostgreSQL and Redis; the database is migrated; data is added, never removed):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vetted_bench \\
    REDIS_URL=redis://127.0.0.1:6379/8 .venv/bin/python bench/transitions.py [--seconds 30]
"""

from __future__ import annotations

import argparse
import datetime
import multiprocessing
import os
import random
import sys
import threading
import time
import traceback
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PASSWORD = "vetted-bench-transitions"
FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
SPECIALTY = "bench-transitions"


@dataclass
class Plan:
    """What one run does; passed to every worker."""

    workers: int
    seconds: float
    warmup: float  # seconds of stepping before measuring: imports, first connections, caches
    hasher: str  # "default" or "fast"
    shared: bool
    spread: bool  # each worker in a specialty of its own (else all in one)
    run_id: str
    editors: list[int] = field(default_factory=list)  # user id per worker
    reviewers: list[tuple[int, int]] = field(default_factory=list)  # (user id, member id) per worker
    managing: int = 0
    articles: list[list[int]] = field(default_factory=list)  # article ids per worker (own mode)


@dataclass
class WorkerStats:
    ops: Counter = field(default_factory=Counter)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    queries: Counter = field(default_factory=Counter)
    refusals: Counter = field(default_factory=Counter)
    errors: list[str] = field(default_factory=list)
    hashing: float = 0.0  # inside check_password
    busy: float = 0.0
    finished: float = 0.0  # when its last step ended (time.time())


# --- the worker --------------------------------------------------------------------------------


_op_state = threading.local()  # per thread: its stats
_instrumented = threading.Lock()


def _instrument() -> None:
    """Time password checks (once per process), without changing them."""
    import django.contrib.auth.base_user as base_user

    with _instrumented:
        if getattr(base_user.check_password, "bench_timed", False):
            return
        check_password = base_user.check_password

        def timed_check(*args, **kwargs):
            started = time.perf_counter()
            try:
                return check_password(*args, **kwargs)
            finally:
                _op_state.stats.hashing += time.perf_counter() - started

        timed_check.bench_timed = True
        base_user.check_password = timed_check


def _worker(index: int, plan: Plan, ready, results) -> None:
    """One worker: its own connection, stepping articles until the time is up."""
    import django

    django.setup()
    from django.db import connection

    import articles.content
    import config.celery  # noqa: F401  (the broker client, imported before the clock starts)
    import notifications.events  # noqa: F401
    import reviews.decisions  # noqa: F401

    articles.content.reading_grade("Warm the readability dictionary up before measuring anything.")

    stats = WorkerStats()
    _op_state.stats = stats
    try:
        if plan.hasher == "fast":
            from django.test.utils import override_settings

            override_settings(PASSWORD_HASHERS=FAST_HASHERS).enable()
        _instrument()
        stepper = _Stepper(index, plan, stats)
        rng = random.Random(index)
        pool = [a for articles in plan.articles for a in articles] if plan.shared else plan.articles[index]
        counter = [0]

        def count_queries(execute, sql, params, many, context):
            counter[0] += 1
            return execute(sql, params, many, context)

        ready.wait()  # everyone imported and connected: the clock starts for all at once
        measure_from = time.time() + plan.warmup
        stop_at = measure_from + plan.seconds
        turn = 0
        with connection.execute_wrapper(count_queries):
            while (now := time.time()) < stop_at:
                if now < measure_from:
                    stepper.stats = _op_state.stats = WorkerStats()  # warm-up steps are not counted
                else:
                    stepper.stats = _op_state.stats = stats
                article_id = rng.choice(pool) if plan.shared else pool[turn % len(pool)]
                turn += 1
                counter[0] = 0
                started = time.perf_counter()
                name = stepper.step(article_id)
                ended = time.perf_counter()
                current = _op_state.stats
                current.busy += ended - started
                if name:
                    current.latencies[name].append(ended - started)
                    current.queries[name] += counter[0]
    except BaseException:
        stats.errors.append("worker crashed: " + traceback.format_exc())
    finally:
        stats.finished = time.time()
        connection.close()
        results.put(stats)


class _Stepper:
    """Takes one article one step further, as whoever that step belongs to."""

    def __init__(self, index: int, plan: Plan, stats: WorkerStats) -> None:
        from django.contrib.auth import get_user_model

        self.User = get_user_model()
        self.plan = plan
        self.stats = stats
        self.index = index
        self.rng = random.Random(1000 + index)

    def user(self, pk: int):
        # A fresh instance per step, as each request's authentication would load it.
        return self.User.objects.get(pk=pk)

    def step(self, article_id: int) -> str | None:
        from core.errors import DomainError

        try:
            name, action = self._next(article_id)
        except DomainError as exc:
            self.stats.refusals[type(exc).__name__] += 1
            return None
        if action is None:
            return None
        try:
            action()
        except DomainError as exc:
            self.stats.refusals[f"{name}: {type(exc).__name__}"] += 1
            return None
        except Exception as exc:  # anything else is a bug or a database failure
            self.stats.errors.append(f"{name} on article {article_id}: {type(exc).__name__}: {exc}")
            return None
        self.stats.ops[name] += 1
        return name

    def _next(self, article_id: int):
        from django.utils import timezone

        from articles.drafting import DraftContent, save_draft
        from articles.models import Article, ArticleState
        from reviews.assignments import accept_assignment, assign_reviewer, declare_conflict
        from reviews.board import version_under_review
        from reviews.decisions import submit_review
        from reviews.models import CHECKLIST_ITEMS, BoardMember, ConflictCategory, ReviewAssignment
        from reviews.workflow import Action, perform

        S = ArticleState
        article = Article.objects.select_related("specialty").get(pk=article_id)
        owner = article.owner_id
        if article.state == S.PUBLISHED:
            return "revise", lambda: perform(article, Action.REVISE, self.user(owner))
        if article.state == S.DRAFT:
            draft = article.working_draft()
            if draft.number > 1 and not draft.change_summary:
                content = DraftContent.from_version(draft)
                content.change_summary = f"Bench revision {draft.number}: references checked."
                return "save_draft", lambda: save_draft(
                    article, content, expected_revision=draft.revision, actor=self.user(owner)
                )
            return "submit", lambda: perform(article, Action.SUBMIT, self.user(owner))
        if article.state == S.APPROVED:
            return "publish", lambda: perform(article, Action.PUBLISH, self.user(owner))
        if article.state not in (S.SUBMITTED, S.UNDER_REVIEW):
            return f"stuck in {article.state}", None
        version = version_under_review(article)
        open_ = (
            ReviewAssignment.objects.filter(version=version, status__in=["invited", "accepted"])
            .select_related("reviewer")
            .order_by("pk")
            .first()
        )
        if open_ is None:
            if self.plan.shared:
                taken = set(
                    ReviewAssignment.objects.filter(version=version).values_list("reviewer_id", flat=True)
                )
                free = [m for _, m in self.plan.reviewers if m not in taken] or [self.plan.reviewers[0][1]]
                member_id = self.rng.choice(free)
            else:
                member_id = self.plan.reviewers[self.index][1]
            member = BoardMember.objects.get(pk=member_id)
            return "assign", lambda: assign_reviewer(article, member, self.user(self.plan.managing))
        reviewer = open_.reviewer.user_id
        if open_.status == "invited":
            return "accept", lambda: accept_assignment(open_, self.user(reviewer))
        if open_.conflict_declared_at is None:
            return "declare", lambda: declare_conflict(
                open_, self.user(reviewer), category=ConflictCategory.NONE
            )
        return "sign", lambda: submit_review(
            open_,
            self.user(reviewer),
            decision="approve",
            comments="Accurate and well referenced.",
            checklist=dict.fromkeys(CHECKLIST_ITEMS, True),
            password=PASSWORD,
            session_last_activity=timezone.now(),
        )


# --- alongside the workers: the sealer, and what the database waits on ---------------------------


class _Sealer(threading.Thread):
    """Seals the review log every ``LOG_SEAL_EVERY_SECONDS``, as the beat's task would."""

    def __init__(self, every: float) -> None:
        super().__init__(name="bench-sealer", daemon=True)
        self.every = every
        self.stop = threading.Event()
        self.seconds: list[float] = []  # how long each seal that added entries took
        self.added: list[int] = []
        self.errors: list[str] = []

    def run(self) -> None:
        from django.db import connection

        from audit.log import seal

        try:
            while not self.stop.is_set():
                started = time.perf_counter()
                try:
                    done = seal()
                except Exception:
                    self.errors.append("sealer: " + traceback.format_exc())
                    done = None
                if done is not None and done.added:
                    self.seconds.append(time.perf_counter() - started)
                    self.added.append(done.added)
                # The beat starts one every period; a seal running long delays the next, like
                # the task's ``expires`` does (no backlog of seals).
                self.stop.wait(max(0.0, self.every - (time.perf_counter() - started)))
        finally:
            connection.close()


# Backends of this database that are running a statement, by what they wait on (none: on a CPU),
# and every lock not granted, by the table it is on (or its kind: a row lock waits for the
# transaction holding it, "transactionid").
_ACTIVITY_SQL = """
    SELECT coalesce(wait_event_type, 'CPU'), coalesce(wait_event, ''), count(*)
    FROM pg_stat_activity
    WHERE datname = current_database() AND state = 'active' AND pid <> pg_backend_pid()
    GROUP BY 1, 2
"""
_WAITING_LOCKS_SQL = """
    SELECT coalesce(l.relation::regclass::text, l.locktype), count(*)
    FROM pg_locks l
    WHERE NOT l.granted
      AND l.pid IN (SELECT pid FROM pg_stat_activity WHERE datname = current_database())
    GROUP BY 1
"""


class _WaitSampler(threading.Thread):
    """Samples what the database's busy backends wait on, every ``every`` seconds."""

    def __init__(self, every: float = 0.05) -> None:
        super().__init__(name="bench-wait-sampler", daemon=True)
        self.every = every
        self.stop = threading.Event()
        self.samples = 0
        self.activity: Counter = Counter()  # (wait type, wait event) -> backend-samples
        self.locks: Counter = Counter()  # table or lock kind -> waiting-lock samples

    def run(self) -> None:
        from django.db import connection

        try:
            with connection.cursor() as cursor:
                while not self.stop.wait(self.every):
                    cursor.execute(_ACTIVITY_SQL)
                    for kind, event, count in cursor.fetchall():
                        self.activity[kind, event] += count
                    cursor.execute(_WAITING_LOCKS_SQL)
                    for what, count in cursor.fetchall():
                        self.locks[what] += count
                    self.samples += 1
        finally:
            connection.close()

    def summary(self) -> str:
        busy = sum(self.activity.values())
        if not self.samples or not busy:
            return "no samples"
        waiting = sum(n for (kind, _), n in self.activity.items() if kind == "Lock")
        top = ", ".join(
            f"{kind}{':' + event if event else ''} {n / busy:.0%}"
            for (kind, event), n in self.activity.most_common(6)
        )
        locks = ", ".join(f"{what} {n / self.samples:.2f}" for what, n in self.locks.most_common(4))
        return (
            f"{busy / self.samples:.1f} backends busy on average ({self.samples} samples); waiting on a "
            f"lock {waiting / busy:.1%} of busy backend time; by state: {top}"
            + (f"; mean locks waited for per sample: {locks}" if locks else "; no lock waited for")
        )


def _seal_lags(measure_from: float, finished: float) -> tuple[list[float], int]:
    """Seconds from each event written while measuring to the checkpoint that first covered it,
    and how many of those events no checkpoint covers yet."""
    import bisect

    from audit.models import AuditEvent, Checkpoint, LogLeaf

    window = {
        "created_at__gte": datetime.datetime.fromtimestamp(measure_from, datetime.UTC),
        "created_at__lte": datetime.datetime.fromtimestamp(finished, datetime.UTC),
    }
    leaves = list(
        LogLeaf.objects.filter(**{f"event__{k}": v for k, v in window.items()}).values_list(
            "index", "event__created_at"
        )
    )
    first = min((index for index, _ in leaves), default=0)
    checkpoints = list(
        Checkpoint.objects.filter(size__gt=first).order_by("size").values_list("size", "created_at")
    )
    sizes = [size for size, _ in checkpoints]
    lags, unsealed = [], AuditEvent.objects.filter(**window, leaf__isnull=True).count()
    for index, created in leaves:
        at = bisect.bisect_right(sizes, index)  # the first checkpoint with size > index
        if at == len(sizes):
            unsealed += 1
        else:
            lags.append((checkpoints[at][1] - created).total_seconds())
    return lags, unsealed


# --- setting up and running ------------------------------------------------------------------


def _prepare(
    workers: int, seconds: float, warmup: float, hasher: str, shared: bool, spread: bool, per_worker: int
) -> Plan:
    """Users, board members and fresh articles (version 1 drafts) for one run."""
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.contrib.auth.models import Group
    from django.utils import timezone

    from accounts.roles import EDITOR, MANAGING_EDITOR, REVIEWER, ensure_role_groups
    from articles.drafting import DraftContent, ReferenceInput, SectionInput, create_article
    from articles.models import Audience, ReferenceKind, Specialty
    from notifications.models import StaffProfile
    from reviews.models import BoardMember

    ensure_role_groups()
    User = get_user_model()

    def specialty_for(worker: int) -> Specialty:
        slug = f"{SPECIALTY}-{worker}" if spread else SPECIALTY
        return Specialty.objects.get_or_create(
            slug=slug, defaults={"name": slug.replace("-", " ").capitalize(), "required_approvals": 1}
        )[0]

    if hasher == "fast":
        from django.test.utils import override_settings

        with override_settings(PASSWORD_HASHERS=FAST_HASHERS):
            password = make_password(PASSWORD)
    else:
        password = make_password(PASSWORD)

    def person(username: str, group: str):
        user, _ = User.objects.get_or_create(username=username, defaults={"email": f"{username}@example.org"})
        user.password = password
        user.is_active = True
        user.save(update_fields=["password", "is_active"])
        user.groups.add(Group.objects.get(name=group))
        return user

    managing = person("bench-tx-managing", MANAGING_EDITOR)
    profile, _ = StaffProfile.objects.get_or_create(user=managing)
    profile.specialties.set({specialty_for(i) for i in range(workers)})
    run_id = timezone.now().strftime("%Y%m%d%H%M%S%f")
    plan = Plan(workers, seconds, warmup, hasher, shared, spread, run_id, managing=managing.pk)
    for i in range(workers):
        specialty = specialty_for(i)
        editor = person(f"bench-tx-editor-{i}", EDITOR)
        reviewer = person(f"bench-tx-reviewer-{i}", REVIEWER)
        member, _ = BoardMember.objects.update_or_create(
            user=reviewer,
            defaults={
                "display_name": f"Dr Bench Reviewer {i}",
                "credentials": "MD",
                "max_open_assignments": 1000,
                "is_active": True,
                "credentials_verified_by": managing,
                "credentials_verified_at": timezone.now(),
                "credentials_expire_on": timezone.localdate() + datetime.timedelta(days=730),
            },
        )
        member.specialties.add(specialty)
        plan.editors.append(editor.pk)
        plan.reviewers.append((reviewer.pk, member.pk))
        content = DraftContent(
            title="Bench article",
            summary="A short summary that cites nothing.",
            sections=[
                SectionInput(Audience.PATIENT, "What it is", "A common condition [1]. Treatment helps [2]."),
                SectionInput(Audience.PROFESSIONAL, "Management", "First-line therapy per guideline [1, 2]."),
            ],
            references=[
                ReferenceInput(1, ReferenceKind.GUIDELINE, "A guideline", "A national body", 2023),
                ReferenceInput(2, ReferenceKind.RCT, "A trial", "A journal", 2021, doi="10.1000/bench.1"),
            ],
        )
        articles = []
        for k in range(per_worker):
            article = create_article(
                owner=editor, specialty=specialty, content=content, slug=f"bench-tx-{run_id}-{i}-{k}"
            )
            articles.append(article.pk)
        plan.articles.append(articles)
    return plan


@dataclass
class RunResult:
    plan: Plan
    wall: float
    stats: list[WorkerStats]
    transitions: int
    audit_events: int
    notifications: int
    deliveries: int
    waits: _WaitSampler
    sealer: _Sealer
    seal_lags: list[float]
    unsealed: int

    def total(self, attr: str) -> float:
        return sum(getattr(s, attr) for s in self.stats)

    @property
    def ops(self) -> Counter:
        return sum((s.ops for s in self.stats), Counter())

    @property
    def refusals(self) -> Counter:
        return sum((s.refusals for s in self.stats), Counter())

    @property
    def errors(self) -> list[str]:
        return [e for s in self.stats for e in s.errors] + self.sealer.errors

    def latencies(self, name: str) -> list[float]:
        return [x for s in self.stats for x in s.latencies.get(name, [])]


def _broker_length() -> int | None:
    try:
        import redis
        from django.conf import settings

        return redis.Redis.from_url(settings.CELERY_BROKER_URL, socket_timeout=3).llen("celery")
    except Exception:
        return None


def run_once(
    workers: int,
    seconds: float,
    hasher: str,
    *,
    warmup: float = 5.0,
    shared: bool = False,
    spread: bool = False,
    threads: bool = False,
    per_worker: int = 2,
) -> RunResult:
    from django.conf import settings
    from django.db import connection

    from audit.log import seal
    from audit.models import AuditEvent
    from notifications.models import Notification
    from outbox.models import Delivery

    plan = _prepare(workers, seconds, warmup, hasher, shared, spread, per_worker)
    seal()  # the events written while preparing: the measured seals start from a sealed log
    connection.close()  # nothing shared with the workers
    sealer = _Sealer(float(settings.VETTED["LOG_SEAL_EVERY_SECONDS"]))
    waits = _WaitSampler()

    if threads:
        import queue

        results, ready = queue.Queue(), threading.Barrier(workers + 1)
        runners = [threading.Thread(target=_worker, args=(i, plan, ready, results)) for i in range(workers)]
    else:
        context = multiprocessing.get_context("spawn")
        results, ready = context.Queue(), context.Barrier(workers + 1)
        runners = [context.Process(target=_worker, args=(i, plan, ready, results)) for i in range(workers)]
    for runner in runners:
        runner.start()
    ready.wait(timeout=300)  # every worker has imported and connected
    start_at = time.time()
    sealer.start()
    waits_started = threading.Timer(warmup, waits.start)  # sample the measured seconds only
    waits_started.start()
    stats = [results.get(timeout=warmup + seconds + 300) for _ in runners]
    waits.stop.set()
    for runner in runners:
        runner.join(timeout=60)
    # The last events, written just before the workers stopped, are sealed by the next seals.
    drain_until = time.time() + 30
    while time.time() < drain_until and AuditEvent.objects.filter(leaf__isnull=True).exists():
        time.sleep(0.2)
    sealer.stop.set()
    sealer.join()
    waits.join()
    # Until the last step ended: steps started before the deadline count, so does their time.
    measure_from = start_at + plan.warmup
    finished = max(s.finished for s in stats)
    wall = finished - measure_from
    window = {
        "created_at__gte": datetime.datetime.fromtimestamp(measure_from, datetime.UTC),
        "created_at__lte": datetime.datetime.fromtimestamp(finished, datetime.UTC),
    }
    new = AuditEvent.objects.filter(**window)
    lags, unsealed = _seal_lags(measure_from, finished)
    return RunResult(
        plan,
        wall=wall,
        stats=stats,
        transitions=new.filter(action__startswith="article.").count(),
        audit_events=new.count(),
        notifications=Notification.objects.filter(**window).count(),
        deliveries=Delivery.objects.filter(**window).count(),
        waits=waits,
        sealer=sealer,
        seal_lags=lags,
        unsealed=unsealed,
    )


def _ms(values: list[float], p: float) -> str:
    if not values:
        return "-"
    ordered = sorted(values)
    return f"{ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))] * 1000:.0f}"


def _where(plan: Plan) -> str:
    return "a specialty per worker" if plan.spread else "one specialty"


def describe(result: RunResult) -> str:
    p = result.plan
    ops = result.ops
    n_ops = sum(ops.values())
    lines = [
        f"{p.workers} workers, {p.seconds:g} s, hasher {p.hasher}, "
        f"{'shared' if p.shared else 'own'} articles, {_where(p)}:",
        f"  article transitions: {result.transitions} ({result.transitions / result.wall:.1f}/s); "
        f"cycles (publishes): {ops['publish']} ({ops['publish'] / result.wall:.2f}/s)",
        f"  domain operations: {n_ops} ({n_ops / result.wall:.1f}/s); audit events: {result.audit_events} "
        f"({result.audit_events / result.wall:.1f}/s); notifications {result.notifications}, "
        f"outbox rows {result.deliveries}",
        f"  errors: {len(result.errors)}; refusals: {sum(result.refusals.values())} {dict(result.refusals)}",
    ]
    for name in ("revise", "save_draft", "submit", "assign", "accept", "declare", "sign", "publish"):
        values = result.latencies(name)
        if values:
            queries = sum(s.queries[name] for s in result.stats) / len(values)
            lines.append(
                f"    {name:<10} n={len(values):<5} p50 {_ms(values, 50):>5} ms  "
                f"p99 {_ms(values, 99):>5} ms  {queries:.0f} queries"
            )
    lines.append(f"  database: {result.waits.summary()}")
    lines.append(f"  review log: {_seal_figure(result)}")
    busy = result.total("busy")
    if busy:
        lines.append(
            f"  password checks: {result.total('hashing'):.1f} s of {busy:.1f} s worker time "
            f"({result.total('hashing') / busy:.0%})"
        )
    for error in result.errors[:5]:
        lines.append(f"  ERROR {error[:500]}")
    return "\n".join(lines)


def _seal_figure(result: RunResult) -> str:
    lags, sealer = result.seal_lags, result.sealer
    if not lags:
        return f"no event sealed ({result.unsealed} unsealed)"
    seals = len(sealer.seconds)
    return (
        f"seal lag p50 {_ms(lags, 50)} ms, p95 {_ms(lags, 95)} ms, max {_ms(lags, 100)} ms "
        f"({len(lags)} events; {result.unsealed} not sealed); {seals} seals every "
        f"{sealer.every:g} s, mean {sum(sealer.added) / max(1, seals):.0f} entries and "
        f"{sum(sealer.seconds) / max(1, seals) * 1000:.0f} ms each"
        + (f"; SEALER ERRORS {len(sealer.errors)}: {sealer.errors[0][-300:]}" if sealer.errors else "")
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workers", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=30.0, help="per measured run (30)")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds first (5)")
    parser.add_argument("--hasher", choices=["default", "fast", "both"], default="both")
    parser.add_argument(
        "--no-contention",
        action="store_true",
        help="skip the run where all workers share one pool of articles",
    )
    parser.add_argument("--threads", action="store_true", help="threads instead of processes")
    parser.add_argument(
        "--scaling", action="store_true", help="also run 1, 2 and 4 workers (fast hasher) to see it scale"
    )
    parser.add_argument("--no-verify", action="store_true", help="skip verify_audit at the end")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results.md")
    args = parser.parse_args()

    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing or not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "bench/transitions.py needs PostgreSQL and Redis: set DATABASE_URL=postgres://... and "
            f"REDIS_URL=redis://... (missing or not PostgreSQL: {', '.join(missing) or 'DATABASE_URL'}).",
            file=sys.stderr,
        )
        return 2
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    from audit.verify import verify as verify_trail

    if _broker_length() is None:
        print(f"Redis at {os.environ['REDIS_URL']} does not answer.", file=sys.stderr)
        return 2
    call_command("migrate", verbosity=0)
    print(
        f"database {connection.settings_dict['NAME']}, broker {os.environ['REDIS_URL']}, "
        f"{os.cpu_count()} cores"
    )

    hashers = ["default", "fast"] if args.hasher == "both" else [args.hasher]
    # (hasher, shared articles, a specialty per worker)
    configs = [(hasher, False, spread) for hasher in hashers for spread in (False, True)]
    if not args.no_contention:
        configs.append(("fast", True, False))
    results: list[RunResult] = []
    for hasher, shared, spread in configs:
        result = run_once(
            args.workers,
            args.seconds,
            hasher,
            warmup=args.warmup,
            shared=shared,
            spread=spread,
            threads=args.threads,
        )
        print(describe(result), flush=True)
        results.append(result)
    scaling: list[RunResult] = []
    if args.scaling:
        for workers in (1, 2, 4):
            result = run_once(
                workers, args.seconds, "fast", warmup=args.warmup, spread=True, threads=args.threads
            )
            print(describe(result), flush=True)
            scaling.append(result)

    verified = None
    if not args.no_verify:
        started = time.perf_counter()
        report = verify_trail()
        verified = (report.ok, report.checked, time.perf_counter() - started)
        print(
            f"verify_audit: {'intact' if report.ok else 'BROKEN: ' + report.problem}, "
            f"{report.checked} events in {verified[2]:.0f} s"
        )
    errors = sum(len(r.errors) for r in results + scaling)
    if not args.no_write:
        _write(results, scaling, verified, every_hasher=args.hasher == "both")
    return 1 if errors or (verified is not None and not verified[0]) else 0


def _hashing(r: RunResult) -> str:
    if r.plan.hasher != "default" or not r.total("busy"):
        return ""
    signs = len(r.latencies("sign")) or 1
    return (
        f"; password checks {r.total('hashing') / r.total('busy'):.0%} of worker time "
        f"({r.total('hashing') / signs * 1000:.0f} ms per signature)"
    )


def _write(results: list[RunResult], scaling: list[RunResult], verified, *, every_hasher: bool) -> None:
    from bench.results import Row, merge_rows

    mode = "threads" if "--threads" in sys.argv else "processes"
    check = (
        ""
        if verified is None
        else f"; verify_audit {'passes' if verified[0] else 'FAILS'} ({verified[1]:,} events)"
    )
    rows = []
    for r in results:
        n_ops = sum(r.ops.values())
        hasher = "PBKDF2 1.5M iterations" if r.plan.hasher == "default" else "fast hasher (MD5)"
        who = "shared articles (collisions)" if r.plan.shared else "own articles"
        who += f", {_where(r.plan)}"
        rows.append(
            Row(
                f"Transitions: {r.plan.workers} {mode}, {who}, {hasher}",
                f"{r.transitions / r.wall:.1f} article transitions/s ({n_ops / r.wall:.1f} operations/s, "
                f"{r.audit_events / r.wall:.1f} audit events/s); {len(r.errors)} errors, "
                f"{sum(r.refusals.values())} refusals{_hashing(r)}{check}",
                "0 errors other than refusals; verify_audit passes",
            )
        )
    # What the database waited on, and the seal lag: without a shared specialty row queueing the
    # same transactions first, if that run was made.
    candidates = [r for r in results if r.plan.hasher == "fast" and not r.plan.shared]
    base = next((r for r in candidates if r.plan.spread), candidates[0] if candidates else None)
    if base is not None:
        where = f"{base.plan.workers} workers, fast hasher, {_where(base.plan)}"
        rows.append(
            Row(
                "Transitions: database waits (review log, no audit lock)",
                f"at {where}: {base.waits.summary()}",
                "lock waits near 0 (issue 16)",
            )
        )
        rows.append(Row("Transitions: seal lag", f"at {where}: {_seal_figure(base)}", "p95 < 5 s (issue 16)"))
    if scaling and base is not None:
        points = sorted([*scaling, base], key=lambda r: r.plan.workers)
        rows.append(
            Row(
                "Transitions: scaling (fast hasher, own articles, a specialty per worker)",
                ", ".join(f"{r.plan.workers}w {r.transitions / r.wall:.1f}/s" for r in points),
                "",
            )
        )
    # A run of every configuration replaces the whole family; a partial one only its own rows
    # (and the chain-head lock's, a lock that no longer exists).
    merge_rows(rows, family="Transitions:" if every_hasher else "Transitions: audit chain-head lock")


if __name__ == "__main__":
    sys.exit(main())
