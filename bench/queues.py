"""Bench (not a test): how fast the staff lists answer on a big database (issue 7, queues).

Each page is requested through Django's test ``Client`` as a logged-in user: the
whole view runs (middleware, filters, queries, template), only the network is
missing. Pages: the managing editor's review queue in every tab and with each
filter; the editor dashboard with each filter and a search, as the busiest
editor of the seed and as a managing editor who sees every article; the audit
list unfiltered, by article and by date range. For each: p50 and p95 over
``--runs`` requests after ``--warmups``, and the SQL of one more request
(``CaptureQueriesContext``) whose slowest queries are run again under
``EXPLAIN (ANALYZE, BUFFERS)``; the plans go to ``var/bench-plans/queues/``
(not committed), and whether the slowest query reads an index or scans a big
table goes in ``bench/results.md``.

Goal: p95 under 100 ms for every page. The people, specialty, search words and
article are picked from the data (the busiest editor, the biggest specialty, a
condition word of a title, the article with the most audit events), so the
bench runs on any seed.

Usage (PostgreSQL, seeded with ``manage.py seed_bench``; nothing is written
except sessions for the two users):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vetted_bench \\
    .venv/bin/python bench/queues.py [--runs 30] [--warmups 3] [--only queue,dashboard,audit,api]
"""

from __future__ import annotations

import argparse
import datetime
import os
import re
import statistics
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlencode

BASE_DIR = Path(__file__).resolve().parent.parent
if str(BASE_DIR) not in sys.path:
    sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

PLAN_DIR = BASE_DIR / "var" / "bench-plans" / "queues"
GOAL_MS = 100.0
# A page slower than this is measured fewer times, so a run before the fixes still ends.
SLOW_PAGE_SECONDS = 20.0
MIN_RUNS = 5
EXPLAINED_PER_PAGE = 3
# Tables big enough that reading all of them is the problem (a scan of a small one is fine).
BIG_TABLES = (
    "articles_article",
    "articles_articleversion",
    "audit_auditevent",
    "reviews_reviewassignment",
    "reviews_review",
    "articles_section",
    "articles_reference",
)


@dataclass
class Page:
    group: str  # queue, dashboard, audit, api
    label: str
    path: str
    params: dict[str, str]
    user: str  # "manager" or "editor"

    @property
    def url(self) -> str:
        return f"{self.path}?{urlencode(self.params)}" if self.params else self.path

    @property
    def slug(self) -> str:
        return re.sub(r"[^a-z0-9]+", "-", f"{self.group} {self.label}".lower()).strip("-")


@dataclass
class Measured:
    page: Page
    runs: int
    p50: float
    p95: float
    queries: int
    query_ms: float
    explained: list[dict] = field(default_factory=list)

    @property
    def slowest(self) -> dict | None:
        return self.explained[0] if self.explained else None


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def load() -> str:
    one, five, fifteen = os.getloadavg()
    return f"{one:.2f}, {five:.2f}, {fifteen:.2f}"


def plan_summary(plan: str) -> dict:
    """What a plan reads: the indexes it uses and the big tables it scans whole."""
    indexes = sorted(set(re.findall(r"(?:Index Scan|Index Only Scan)(?: Backward)? using (\w+)", plan)))
    indexes += sorted(set(re.findall(r"Bitmap Index Scan on (\w+)", plan)) - set(indexes))
    seq = sorted({t for t in re.findall(r"Seq Scan on (\w+)", plan) if t in BIG_TABLES})
    execution = re.search(r"Execution Time: ([\d.]+) ms", plan)
    return {
        "indexes": indexes,
        "seq_scans": seq,
        "execution_ms": float(execution.group(1)) if execution else None,
    }


def pages(manager, editor, specialty: str, word: str, words: str, article_slug: str, now) -> list[Page]:
    from reviews.filters import TABS

    queue, dashboard, audit = "/desk/reviews/queue/", "/desk/articles/", "/desk/audit/"
    result = [Page("queue", f"tab {tab}", queue, {"tab": tab}, "manager") for tab, _ in TABS]
    result += [
        Page(
            "queue",
            "tab unassigned, specialty",
            queue,
            {"tab": "unassigned", "specialty": specialty},
            "manager",
        ),
        Page(
            "queue",
            "tab in_review, specialty",
            queue,
            {"tab": "in_review", "specialty": specialty},
            "manager",
        ),
        Page(
            "queue", "tab rereview, specialty", queue, {"tab": "rereview", "specialty": specialty}, "manager"
        ),
        Page("queue", "tab unassigned, search", queue, {"tab": "unassigned", "q": word}, "manager"),
        Page("queue", "tab rereview, search", queue, {"tab": "rereview", "q": word}, "manager"),
        Page("queue", "tab in_review, page 2", queue, {"tab": "in_review", "page": "2"}, "manager"),
    ]
    week_ago = (now - datetime.timedelta(days=7)).date().isoformat()
    for who in ("manager", "editor"):
        filters = [
            ("no filter", {}),
            ("state published", {"state": "published"}),
            ("state submitted", {"state": "submitted"}),
            ("specialty", {"specialty": specialty}),
            ("search one word", {"q": word}),
            ("search two words", {"q": words}),
            ("updated in the last week", {"updated_after": week_ago}),
            ("page 2", {"page": "2"}),
        ]
        if who == "manager":
            filters.insert(4, ("owner", {"owner": editor.username}))
            filters.append(("state published, specialty", {"state": "published", "specialty": specialty}))
        result += [Page("dashboard", f"{who}, {label}", dashboard, params, who) for label, params in filters]
    month_start = (now - datetime.timedelta(days=365)).replace(
        day=1, hour=0, minute=0, second=0, microsecond=0
    )
    month_end = (month_start + datetime.timedelta(days=32)).replace(day=1)
    result += [
        Page("audit", "no filter", audit, {}, "manager"),
        Page("audit", "no filter, page 2", audit, {"page": "2"}, "manager"),
        Page("audit", "article filter", audit, {"article": article_slug}, "manager"),
        Page("audit", "article page", f"{audit}articles/{article_slug}/", {}, "manager"),
        Page(
            "audit",
            "last 7 days",
            audit,
            {"since": (now - datetime.timedelta(days=7)).isoformat()},
            "manager",
        ),
        Page(
            "audit",
            "a month a year ago",
            audit,
            {"since": month_start.isoformat(), "until": month_end.isoformat()},
            "manager",
        ),
        Page(
            "audit",
            "article and a year",
            audit,
            {"article": article_slug, "since": (now - datetime.timedelta(days=365)).isoformat()},
            "manager",
        ),
        Page("audit", "action filter, frequent", audit, {"action": "article.publish"}, "manager"),
        Page("audit", "action filter, rare", audit, {"action": "article.withdraw"}, "manager"),
        Page("audit", "actor filter, frequent", audit, {"actor": manager.username}, "manager"),
        Page("audit", "actor filter, rare", audit, {"actor": editor.username}, "manager"),
    ]
    # The same lists through the API (JSON; session authentication, as the bench logs in).
    api = "/api/v1/"
    result += [
        Page("api", "articles, manager", f"{api}articles/", {}, "manager"),
        Page(
            "api", "articles, manager, state submitted", f"{api}articles/", {"state": "submitted"}, "manager"
        ),
        Page("api", "articles, editor", f"{api}articles/", {}, "editor"),
        Page("api", "assignments, manager", f"{api}assignments/", {}, "manager"),
        Page("api", "audit, no filter", f"{api}audit/", {}, "manager"),
        Page("api", "audit, article filter", f"{api}audit/", {"article": article_slug}, "manager"),
        Page(
            "api",
            "audit, a month a year ago",
            f"{api}audit/",
            {"since": month_start.isoformat(), "until": month_end.isoformat()},
            "manager",
        ),
        Page("api", "audit, actor filter, frequent", f"{api}audit/", {"actor": manager.username}, "manager"),
        Page("api", "public articles", f"{api}public/articles/", {}, "manager"),
    ]
    return result


def pick_data():
    """The users, specialty, search words and article the pages are requested with."""
    from django.contrib.auth import get_user_model
    from django.db.models import Count

    from accounts.roles import EDITOR, MANAGING_EDITOR
    from articles.models import Article, ArticleState
    from audit.models import AuditEvent

    User = get_user_model()
    manager = User.objects.filter(groups__name=MANAGING_EDITOR, is_active=True).order_by("username").first()
    busiest = (
        Article.objects.filter(owner__groups__name=EDITOR)
        .values("owner")
        .annotate(n=Count("pk"))
        .order_by("-n", "owner")
        .first()
    )
    if manager is None or busiest is None:
        return None
    editor = User.objects.get(pk=busiest["owner"])
    specialty = (
        Article.objects.values("specialty__slug")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()["specialty__slug"]
    )
    # A word people search for: the condition at the start of a title ("Angina: in pregnancy").
    sample = (
        Article.objects.filter(state=ArticleState.PUBLISHED).order_by("pk").values_list("title", flat=True)
    )
    titles = list(sample[:200])
    condition = titles[len(titles) // 2].split(":")[0].split()[-1].lower()
    second = next((t.split(":")[1].split()[-1].lower() for t in titles if ":" in t), condition)
    # The article with the longest audit trail among a sample (grouping all events is slow).
    recent = AuditEvent.objects.order_by("-seq").values_list("article_id", flat=True)[:20000]
    counted = (
        AuditEvent.objects.filter(article_id__in=[a for a in recent if a])
        .values("article_id")
        .annotate(n=Count("pk"))
        .order_by("-n")
        .first()
    )
    article_slug = Article.objects.get(pk=counted["article_id"]).slug
    return {
        "manager": manager,
        "editor": editor,
        "editor_articles": busiest["n"],
        "specialty": specialty,
        "word": condition,
        "words": f"{condition} {second}",
        "article_slug": article_slug,
    }


def measure(page: Page, client, runs: int, warmups: int, explain: bool) -> Measured:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def get() -> float:
        started = time.perf_counter()
        response = client.get(page.url)
        took = time.perf_counter() - started
        if response.status_code != 200:
            raise RuntimeError(f"{page.url} answered {response.status_code}")
        return took

    first = max(get() for _ in range(warmups))
    runs = runs if first * runs <= SLOW_PAGE_SECONDS else max(MIN_RUNS, int(SLOW_PAGE_SECONDS / first))
    times = [get() * 1000 for _ in range(runs)]
    with CaptureQueriesContext(connection) as captured:
        get()
    queries = [(float(q["time"]) * 1000, q["sql"]) for q in captured.captured_queries]
    measured = Measured(
        page,
        runs,
        statistics.median(times),
        percentile(times, 95),
        len(queries),
        sum(ms for ms, _ in queries),
    )
    if explain:
        PLAN_DIR.mkdir(parents=True, exist_ok=True)
        slowest = sorted(queries, key=lambda q: -q[0])[:EXPLAINED_PER_PAGE]
        out = [f"{page.url} as {page.user}: {len(queries)} queries, {measured.query_ms:.1f} ms in SQL\n"]
        for ms, sql in slowest:
            if not sql.lstrip("( ").upper().startswith("SELECT"):
                continue
            with connection.cursor() as cursor:
                cursor.execute(f"EXPLAIN (ANALYZE, BUFFERS) {sql}")
                plan = "\n".join(row[0] for row in cursor.fetchall())
            summary = plan_summary(plan)
            measured.explained.append({"ms": ms, "sql": sql, **summary})
            out.append(f"-- {ms:.1f} ms in the page\n{sql}\n\n{plan}\n")
        (PLAN_DIR / f"{page.slug}.txt").write_text("\n".join(out), encoding="utf-8")
    return measured


def describe(m: Measured) -> str:
    text = f"p50 {m.p50:.0f} ms, p95 {m.p95:.0f} ms ({m.runs} runs); "
    text += f"{m.queries} queries, {m.query_ms:.0f} ms in SQL"
    slow = m.slowest
    if slow:
        reads = []
        if slow["indexes"]:
            reads.append("index " + ", ".join(slow["indexes"]))
        if slow["seq_scans"]:
            reads.append("SEQ SCAN " + ", ".join(slow["seq_scans"]))
        text += f"; slowest {slow['ms']:.0f} ms ({'; '.join(reads) or 'no table read'})"
    if m.p95 >= GOAL_MS:
        text += "; MISSES the goal"
    return text


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=30, help="timed requests per page (30)")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests first (3)")
    parser.add_argument("--only", default="", help="comma-separated groups: queue, dashboard, audit, api")
    parser.add_argument("--match", default="", help="only pages whose label contains this")
    parser.add_argument(
        "--no-explain", action="store_true", help="skip EXPLAIN ANALYZE of the slowest queries"
    )
    parser.add_argument("--no-write", action="store_true", help="print only, leave bench/results.md alone")
    parser.add_argument(
        "--no-parallel",
        action="store_true",
        help="no parallel query workers (max_parallel_workers_per_gather = 0): their start-up on a busy box",
    )
    args = parser.parse_args()
    if not os.environ.get("DATABASE_URL", "").startswith("postgres"):
        print(
            "bench/queues.py measures PostgreSQL: set DATABASE_URL=postgres://... (a seeded database).",
            file=sys.stderr,
        )
        return 2

    if args.no_parallel:
        # For every connection the pool opens (libpq reads PGOPTIONS).
        os.environ["PGOPTIONS"] = (
            os.environ.get("PGOPTIONS", "") + " -c max_parallel_workers_per_gather=0"
        ).strip()
    import django

    # The bench asks hundreds of pages a minute as one user: far past the API's rate limit, which
    # still runs (its cache round trip is part of every API request).
    os.environ.setdefault("VETTED_API_THROTTLE", "1000000/min")
    os.environ.setdefault("VETTED_API_ANON_THROTTLE", "1000000/min")
    django.setup()
    from django.db import connection
    from django.test import Client
    from django.utils import timezone

    from articles.models import Article
    from bench.results import Row, machine, merge_notes, merge_rows

    articles = Article.objects.count()
    if articles < 1000:
        print(
            f"{connection.settings_dict['NAME']} holds {articles} articles: seed it first (seed_bench).",
            file=sys.stderr,
        )
        return 2
    data = pick_data()
    if data is None:
        print("No managing editor or editor in this database: seed it with seed_bench.", file=sys.stderr)
        return 2
    from audit.models import AuditEvent

    events = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    clients = {}
    for who in ("manager", "editor"):
        clients[who] = Client()
        clients[who].force_login(data[who])

    groups = {g for g in args.only.split(",") if g}
    todo = [
        p
        for p in pages(
            data["manager"],
            data["editor"],
            data["specialty"],
            data["word"],
            data["words"],
            data["article_slug"],
            timezone.now(),
        )
        if (not groups or p.group in groups) and args.match in p.label
    ]
    load_before = load()
    scale = f"{articles:,} articles, {events:,} audit events"
    print(
        f"{connection.settings_dict['NAME']}: {scale}; {machine()}; load {load_before}\n"
        f"manager {data['manager'].username}, editor {data['editor'].username} "
        f"({data['editor_articles']} articles), specialty {data['specialty']}, "
        f"search {data['word']!r} / {data['words']!r}, article {data['article_slug']}"
    )
    results: list[Measured] = []
    for page in todo:
        m = measure(page, clients[page.user], args.runs, args.warmups, not args.no_explain)
        results.append(m)
        print(f"  {page.group:<9} {page.label:<40} {describe(m)}", flush=True)
    load_after = load()
    missed = [m for m in results if m.p95 >= GOAL_MS]
    print(
        f"{len(results) - len(missed)}/{len(results)} pages with p95 under {GOAL_MS:.0f} ms; "
        f"load {load_after}"
    )
    if args.no_write:
        return 0

    merge_rows(
        [
            Row(f"Queues: {m.page.group}, {m.page.label}", describe(m), f"p95 < {GOAL_MS:.0f} ms")
            for m in results
        ],
        family="Queues:",
    )
    lines = [
        f"Generated by `bench/queues.py` on {datetime.date.today().isoformat()}: {scale}, {machine()}, "
        f"load average {load_before} before and {load_after} after (1, 5, 15 min; the machine is shared). "
        f"Managing editor `{data['manager'].username}` (sees every article), editor "
        f"`{data['editor'].username}` ({data['editor_articles']} articles, the busiest), specialty "
        f"`{data['specialty']}`, searches `{data['word']}` and `{data['words']}`, article "
        f"`{data['article_slug']}`. Plans: `var/bench-plans/queues/` (not committed).",
        "",
        "| Page | p95 | Slowest query | Reads |",
        "|---|---|---|---|",
    ]
    for m in results:
        slow = m.slowest
        reads = ""
        if slow:
            parts = [f"`{i}`" for i in slow["indexes"]] + [f"seq scan {t}" for t in slow["seq_scans"]]
            reads = ", ".join(parts)
        lines.append(
            f"| {m.page.group}, {m.page.label} | {m.p95:.0f} ms | "
            f"{f'{slow["ms"]:.0f} ms' if slow else ''} | {reads} |"
        )
    merge_notes("Queues: what each page reads (generated)", "\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
