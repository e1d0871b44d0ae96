"""Bench (not a test): the public article page under load, beside /healthz, served by gunicorn.

For each server shape (``--servers``, e.g. ``sync:2`` = 2 sync workers, ``gthread:2x4`` =
2 workers of 4 threads) it starts gunicorn on a free loopback port with the
production settings (DEBUG off, ``DATABASE_URL``, ``REDIS_URL`` as the cache),
then drives it with wrk from another process (``--connections`` connections,
2 wrk threads, ``--seconds`` per run):

1. a warm-up, not measured: each of the articles read once, then ``--warmup``
   seconds of the load below (a site that has been serving for a while; nothing
   else is pre-computed);
2. the article page: every request a random one of ``--slugs`` different
   published articles, default audience, no cookies (a first-time reader);
3. ``/healthz`` (a view that does no I/O) on the same server, right after: the
   ceiling. The figure is the ratio of the two.

Then, on the first shape, the cold case: the cached public pages are deleted
and gunicorn restarted (empty process memory), and every request is the first
visit of an article (each wrk thread walks its own part of a shuffled list of
published articles the warm runs did not use).

``uptime`` load averages are recorded with each figure: the machine may be
shared, and every figure here is CPU-bound.

``--profile`` instead measures in this process, through the full middleware
stack (Django's WSGI handler, no HTTP server), the CPU time per request of
/healthz and of the article page in several cache states, with a pyinstrument
profile of the warm article page: where its time goes.

Usage (PostgreSQL and Redis; the database is only read, apart from what the
cache writes to Redis):

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/vetted_bench \\
    REDIS_URL=redis://127.0.0.1:6379/4 .venv/bin/python bench/public_pages.py
        [--seconds 30] [--servers gthread:2x4,sync:2] [--slugs 2000] [--no-cold] [--no-write]
        [--profile]
"""

from __future__ import annotations

import argparse
import contextlib
import io
import json
import os
import random
import resource
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(BASE_DIR))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

GOAL = "≥ 60 % of /healthz req/s, p99 < 50 ms"
SKIPPED = 2

# wrk's Lua: the summary as one JSON line (latencies in µs), read back by parse_wrk.
_DONE = """
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format(
    'WRK_JSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, '
    .. '"status": %d, "timeout": %d, "p50": %d, "p90": %d, "p99": %d, "max": %d}\\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(90), latency:percentile(99), latency.max))
end
"""

# Random articles from a file of paths, a different random sequence per wrk thread.
_RANDOM_PATHS = """
local paths = {}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
end
init = function(args)
  for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
  math.randomseed(os.time() * 100 + id)
end
request = function()
  return wrk.format("GET", paths[math.random(#paths)])
end
"""

# Each path once: thread k of n requests paths k, k+n, k+2n, ... (never the same article twice).
_EACH_PATH_ONCE = """
local paths = {}
local counter = 0
setup = function(thread)
  counter = counter + 1
  thread:set("id", counter)
  thread:set("threads", %(threads)d)
end
init = function(args)
  for line in io.lines("%(paths)s") do paths[#paths + 1] = line end
  position = id - threads
end
request = function()
  position = position + threads
  return wrk.format("GET", paths[((position - 1) %% #paths) + 1])
end
"""


@dataclass(frozen=True)
class WrkResult:
    requests: int
    seconds: float
    errors: int
    p50_ms: float
    p90_ms: float
    p99_ms: float
    max_ms: float
    load: tuple[float, float, float]  # 1, 5, 15 minutes, read at the end of the run
    server_cpu: float = 0.0  # seconds of CPU the gunicorn processes used during the run
    client_cpu: float = 0.0  # seconds of CPU wrk used

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def cpu_per_request_us(self, seconds: float) -> float:
        return seconds / max(1, self.requests) * 1e6

    def describe(self) -> str:
        errors = f", {self.errors} errors" if self.errors else ""
        return f"{self.rate:,.0f} req/s, p50 {self.p50_ms:.1f} ms, p99 {self.p99_ms:.1f} ms{errors}"

    def describe_cpu(self) -> str:
        return (
            f"server CPU {self.cpu_per_request_us(self.server_cpu):.0f} µs/request, "
            f"wrk {self.cpu_per_request_us(self.client_cpu):.0f} µs"
        )


def parse_wrk(output: str) -> dict:
    for line in output.splitlines():
        if line.startswith("WRK_JSON "):
            return json.loads(line.removeprefix("WRK_JSON "))
    raise RuntimeError(f"wrk printed no summary:\n{output[-2000:]}")


def process_cpu(pids: list[int]) -> float:
    """Seconds of CPU (user + system) these processes have used so far."""
    ticks = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # gone (a worker restarted): its time is lost, the run is still valid
        ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return ticks / os.sysconf("SC_CLK_TCK")


def run_wrk(
    url: str,
    script: str,
    *,
    seconds: float,
    connections: int,
    threads: int = 2,
    server: Gunicorn | None = None,
) -> WrkResult:
    with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as lua:
        lua.write(script + _DONE)
    pids = server.pids() if server else []
    server_before = process_cpu(pids)
    children_before = resource.getrusage(resource.RUSAGE_CHILDREN)
    try:
        completed = subprocess.run(
            [
                "wrk",
                f"-t{threads}",
                f"-c{connections}",
                f"-d{seconds:g}s",
                "--timeout",
                "10s",
                "-s",
                lua.name,
                url,
            ],
            capture_output=True,
            text=True,
            check=True,
        )
    finally:
        os.unlink(lua.name)
    children_after = resource.getrusage(resource.RUSAGE_CHILDREN)
    server_cpu = process_cpu(pids) - server_before
    data = parse_wrk(completed.stdout)
    return WrkResult(
        requests=data["requests"],
        seconds=data["duration_us"] / 1e6,
        errors=sum(data[k] for k in ("connect", "read", "write", "status", "timeout")),
        p50_ms=data["p50"] / 1000,
        p90_ms=data["p90"] / 1000,
        p99_ms=data["p99"] / 1000,
        max_ms=data["max"] / 1000,
        load=os.getloadavg(),
        server_cpu=server_cpu,
        client_cpu=(children_after.ru_utime + children_after.ru_stime)
        - (children_before.ru_utime + children_before.ru_stime),
    )


@dataclass(frozen=True)
class ServerShape:
    worker_class: str
    workers: int
    threads: int = 1
    pointer_leases: bool = True

    @classmethod
    def parse(cls, text: str) -> ServerShape:
        """``sync:2`` or ``gthread:2x4`` (workers x threads); ``+nolease``: pointer leases off."""
        text, _, option = text.partition("+")
        kind, _, size = text.partition(":")
        if kind not in ("sync", "gthread") or not size or option not in ("", "nolease"):
            raise argparse.ArgumentTypeError(
                f"{text!r}: expected sync:<workers> or gthread:<workers>x<threads>, optionally +nolease"
            )
        workers, _, threads = size.partition("x")
        return cls(kind, int(workers), int(threads or 1), pointer_leases=option != "nolease")

    def __str__(self) -> str:
        if self.worker_class == "sync":
            text = f"{self.workers} sync workers"
        else:
            text = f"{self.workers} gthread workers x {self.threads} threads"
        return text if self.pointer_leases else f"{text}, pointer leases off"

    def arguments(self) -> list[str]:
        arguments = ["--worker-class", self.worker_class, "--workers", str(self.workers)]
        if self.worker_class == "gthread":
            arguments += ["--threads", str(self.threads)]
        return arguments


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class Gunicorn:
    """``gunicorn config.wsgi`` in a process group of its own, stopped on exit."""

    def __init__(self, shape: ServerShape) -> None:
        self.shape = shape
        self.port = free_port()
        self.log = tempfile.NamedTemporaryFile(prefix="vetted-bench-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen | None = None

    def pids(self) -> list[int]:
        """The master and its workers."""
        if self.process is None:
            return []
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children").read_text().split()
        return [self.process.pid, *map(int, children)]

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> Gunicorn:
        environment = {
            **os.environ,
            "DEBUG": "0",
            "SECRET_KEY": os.environ.get("SECRET_KEY", "bench-" + os.urandom(16).hex()),
            "LOG_LEVEL": "WARNING",
        }
        if not self.shape.pointer_leases:
            environment["POINTER_LEASE_SECONDS"] = "0"  # every request asks Redis for the pointer
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi",
                "--bind",
                f"127.0.0.1:{self.port}",
                "--worker-tmp-dir",
                "/dev/shm" if Path("/dev/shm").is_dir() else tempfile.gettempdir(),
                "--log-level",
                "warning",
                *self.shape.arguments(),
            ],
            cwd=BASE_DIR,
            env=environment,
            stdout=self.log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"{self.base_url}/healthz", timeout=2) as response:
                    if response.status == 200:
                        return self
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.__exit__(None, None, None)
                raise RuntimeError(f"gunicorn did not start:\n{Path(self.log.name).read_text()[-3000:]}")
            time.sleep(0.2)

    def __exit__(self, *exc_info) -> None:
        if self.process is not None and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.log.close()
        os.unlink(self.log.name)


def check_page(base_url: str, path: str) -> int:
    """The page answers 200 (a benchmark of 404s would measure nothing); its size in bytes."""
    with urllib.request.urlopen(base_url + path, timeout=30) as response:
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return len(response.read())


def visit_each(base_url: str, paths: list[str], concurrency: int = 8) -> float:
    """Read every page once (readers arriving over time would); seconds taken."""
    from concurrent.futures import ThreadPoolExecutor

    started = time.perf_counter()
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in pool.map(lambda path: check_page(base_url, path), paths):
            pass
    return time.perf_counter() - started


def forget_cached_pages() -> int:
    """Delete every cached public-site entry (pointers, rendered versions, pages) from Redis."""
    from django.core.cache import cache

    from articles.public import CACHE_SCHEMA
    from core.cache import shared_redis_client

    client = shared_redis_client()
    pattern = cache.make_key(f"public:{CACHE_SCHEMA}:*")
    deleted = 0
    batch: list[bytes] = []
    for key in client.scan_iter(match=pattern, count=1000):
        batch.append(key)
        if len(batch) == 1000:
            deleted += client.delete(*batch)
            batch = []
    if batch:
        deleted += client.delete(*batch)
    return deleted


def pick_articles(count: int) -> tuple[list[str], list[str]]:
    """``count`` article paths for the warm runs, and every other public article, shuffled (for
    the cold run); the same for the same database, so runs can be compared."""
    from articles.public import public_articles

    slugs = sorted(public_articles().values_list("slug", flat=True))
    if len(slugs) < count:
        raise RuntimeError(f"only {len(slugs)} published articles; seed more (manage.py seed_bench)")
    random.Random(7).shuffle(slugs)
    paths = [f"/articles/{slug}/" for slug in slugs]
    return paths[:count], paths[count:]


def load_text(load: tuple[float, float, float]) -> str:
    return f"{load[0]:.2f}, {load[1]:.2f}, {load[2]:.2f}"


def report(label: str, result: WrkResult) -> None:
    print(
        f"  {label:<13} {result.describe()}; {result.describe_cpu()}  (load {load_text(result.load)})",
        flush=True,
    )


def announce_latency(
    base_url: str, script: str, key: str, *, connections: int, count: int = 50
) -> list[float]:
    """Milliseconds that ``announce`` (what every publish runs after its commit) takes while the
    server is under the article page's load: until every worker has acknowledged."""
    import threading

    from articles.pointer_memory import announce

    took: list[float] = []
    load = threading.Thread(
        target=run_wrk,
        args=(base_url, script),
        kwargs={"seconds": count * 0.1 + 2, "connections": connections},
    )
    load.start()
    time.sleep(1)
    for _ in range(count):
        started = time.perf_counter()
        announce([key])
        took.append((time.perf_counter() - started) * 1000)
        time.sleep(0.1)
    load.join()
    return sorted(took)


def measure(args: argparse.Namespace) -> int:
    from django.db import connection

    from bench.results import Row, merge_rows

    warm_paths, cold_paths = pick_articles(args.slugs)
    connection.close()
    print(
        f"database {connection.settings_dict['NAME']}, cache {os.environ['REDIS_URL']}, {os.cpu_count()} "
        f"cores; {len(warm_paths):,} articles for the warm runs, {len(cold_paths):,} for the cold one; "
        f"{args.connections} connections, {args.seconds:g} s per run; "
        f"load average {load_text(os.getloadavg())}",
        flush=True,
    )
    workdir = Path(tempfile.mkdtemp(prefix="vetted-bench-public-"))
    (workdir / "warm.txt").write_text("\n".join(warm_paths) + "\n")
    (workdir / "cold.txt").write_text("\n".join(cold_paths) + "\n")
    at_random = _RANDOM_PATHS % {"paths": workdir / "warm.txt"}
    each_once = _EACH_PATH_ONCE % {"paths": workdir / "cold.txt", "threads": 2}
    load = {"seconds": args.seconds, "connections": args.connections}
    rows = []
    try:
        for shape in args.servers:
            with Gunicorn(shape) as server:
                size = check_page(server.base_url, warm_paths[0])
                took = visit_each(server.base_url, warm_paths)
                print(
                    f"\n{shape}: every article read once in {took:.0f} s, then {args.warmup:g} s at random "
                    f"(not measured; a page is {size:,} bytes)",
                    flush=True,
                )
                run_wrk(server.base_url, at_random, seconds=args.warmup, connections=args.connections)
                page = run_wrk(server.base_url, at_random, server=server, **load)
                report("article page", page)
                ceiling = run_wrk(server.base_url + "/healthz", "", server=server, **load)
                report("/healthz", ceiling)
                if shape.pointer_leases:
                    from articles.public import _pointer_key

                    slug = warm_paths[0].strip("/").split("/")[-1]
                    took = announce_latency(
                        server.base_url, at_random, _pointer_key(slug), connections=args.connections
                    )
                    publish_wait = (
                        f"publish waits for {shape.workers} workers' acknowledgements: p50 "
                        f"{took[len(took) // 2]:.1f} ms, p95 {took[int(len(took) * 0.95)]:.1f} ms, max "
                        f"{took[-1]:.1f} ms under this load"
                    )
                    print(f"  {publish_wait}", flush=True)
            ratio = page.rate / ceiling.rate
            page_cpu = page.cpu_per_request_us(page.server_cpu)
            ceiling_cpu = ceiling.cpu_per_request_us(ceiling.server_cpu)
            print(f"  ratio {ratio:.0%} (server CPU per request: {ceiling_cpu / page_cpu:.0%})", flush=True)
            lease_note = f"; {publish_wait}" if shape.pointer_leases else ""
            rows.append(
                Row(
                    f"Public pages: article page vs /healthz, gunicorn {shape}, warm",
                    f"article {page.describe()}; /healthz {ceiling.describe()}; **ratio {ratio:.0%}**; "
                    f"server CPU per request: article {page_cpu:.0f} µs, /healthz {ceiling_cpu:.0f} µs "
                    f"({args.slugs:,} articles at random, each read once before; {args.connections} "
                    f"connections, {args.seconds:g} s each; load average {load_text(page.load)} / "
                    f"{load_text(ceiling.load)}){lease_note}",
                    GOAL,
                )
            )
        if not args.no_cold:
            shape = args.servers[0]
            deleted = forget_cached_pages()
            print(f"\ncold: {deleted:,} cached public entries deleted; {shape} restarted", flush=True)
            with Gunicorn(shape) as server:
                cold = run_wrk(server.base_url, each_once, server=server, **load)
            wrapped = " (the list wrapped: some repeated)" if cold.requests > len(cold_paths) else ""
            report("first visits", cold)
            rows.append(
                Row(
                    f"Public pages: article page, first visits (empty caches), gunicorn {shape}",
                    f"{cold.describe()}, p90 {cold.p90_ms:.0f} ms; server CPU "
                    f"{cold.cpu_per_request_us(cold.server_cpu):.0f} µs per request; every request a "
                    f"different article{wrapped} ({args.connections} connections, {args.seconds:g} s; "
                    f"load average {load_text(cold.load)})",
                    "report",
                )
            )
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    if not args.no_write and rows:
        merge_rows(rows, family="Public pages:")
    return 0


# --- --profile: where a request's time goes, in this process ---------------------------------------


def _wsgi_environ(path: str) -> dict:
    return {
        "REQUEST_METHOD": "GET",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "HTTP_HOST": "127.0.0.1:8000",
        "wsgi.url_scheme": "http",
        "wsgi.input": io.BytesIO(b""),
        "wsgi.errors": sys.stderr,
    }


def profile(args: argparse.Namespace) -> int:
    from django.core.cache import cache
    from django.core.cache.backends.redis import RedisCacheClient
    from django.core.wsgi import get_wsgi_application
    from pyinstrument import Profiler

    from articles import pointer_memory, public

    application = get_wsgi_application()
    paths, unvisited = pick_articles(min(args.slugs, 500))

    def get(path: str) -> None:
        statuses: list[str] = []
        body = application(
            _wsgi_environ(path), lambda status, headers, exc_info=None: statuses.append(status)
        )
        b"".join(body)
        body.close()
        if not statuses[0].startswith("200"):
            raise RuntimeError(f"{path}: {statuses[0]}")

    def article(i: int) -> str:
        return paths[i % len(paths)]

    @contextlib.contextmanager
    def page_from_redis():
        budget = public.local_pages.budget_bytes
        public.local_pages.budget_bytes = 0
        public.local_pages.clear()
        try:
            yield
        finally:
            public.local_pages.budget_bytes = budget

    @contextlib.contextmanager
    def stock_redis_client():
        with page_from_redis():
            client = cache._cache
            client.get_client = RedisCacheClient.get_client.__get__(client)  # a new client per call
            try:
                yield
            finally:
                del client.get_client

    @contextlib.contextmanager
    def no_round_trip():
        # Not an option (the pointer must be read from Redis); it prices the round trip itself.
        answers: dict = {}
        real_get_many = cache.get_many

        def remembering(keys, version=None):
            found = real_get_many(keys, version=version)
            answers.update(found)
            return found

        cache.get_many = remembering
        for i in range(len(paths)):
            get(article(i))
        cache.get_many = lambda keys, version=None: {k: answers[k] for k in keys if k in answers}
        try:
            yield
        finally:
            del cache.get_many

    @contextlib.contextmanager
    def no_pointer_lease():
        real = pointer_memory.active_memory
        pointer_memory.active_memory = lambda: None
        try:
            yield
        finally:
            pointer_memory.active_memory = real

    @contextlib.contextmanager
    def chained(*states):
        with contextlib.ExitStack() as stack:
            for state in states:
                stack.enter_context(state())
            yield

    pointer_memory.active_memory().wait_for_lease()
    variants = [
        ("/healthz", lambda i: "/healthz", contextlib.nullcontext),
        ("article, page and pointer in process memory (lease)", article, contextlib.nullcontext),
        ("article, page in process memory, pointer from Redis", article, no_pointer_lease),
        (
            "  same, the Redis round trip answered from a dict (its cost)",
            article,
            lambda: chained(no_pointer_lease, no_round_trip),
        ),
        (
            "article, page fetched from Redis with the pointer",
            article,
            lambda: chained(no_pointer_lease, page_from_redis),
        ),
        (
            "  same, with Django's stock Redis client",
            article,
            lambda: chained(no_pointer_lease, stock_redis_client),
        ),
    ]
    count = 2000
    for path in paths:
        get(path)  # rendered and cached everywhere
    # The best of 5 rounds, the variants taking turns within each round: other processes' load
    # only ever adds CPU time (cache misses, migrations), and drifts over a run.
    figures = dict.fromkeys((name for name, _, _ in variants), float("inf"))
    for _ in range(5):
        for name, make_path, state in variants:
            with state():
                for i in range(200):
                    get(make_path(i))  # this variant's steady state
                started = time.process_time()
                for i in range(count):
                    get(make_path(i))
                figures[name] = min(figures[name], (time.process_time() - started) / count * 1e6)
    forget_cached_pages()
    public.local_pages.clear()
    started = time.process_time()
    for path in unvisited[:100]:
        get(path)
    figures["article, first visit (pointer read, page rendered)"] = (
        (time.process_time() - started) / 100 * 1e6
    )
    print(
        f"CPU per request through the full middleware stack (best of 5; {os.cpu_count()} cores, "
        f"load average {load_text(os.getloadavg())}):"
    )
    for name, micros in figures.items():
        print(f"  {name:<62} {micros:8.0f} µs")

    for path in paths:
        get(path)
    profiler = Profiler(interval=0.0001)
    profiler.start()
    for i in range(count * 2):
        get(article(i))
    profiler.stop()
    print(profiler.output_text(unicode=True, color=False, show_all=args.show_all))
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=30.0, help="per measured run (30)")
    parser.add_argument(
        "--warmup", type=float, default=10.0, help="unmeasured seconds of load before each shape (10)"
    )
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--slugs", type=int, default=2000, help="different articles in the warm runs (2000)")
    parser.add_argument(
        "--servers",
        type=lambda text: [ServerShape.parse(part) for part in text.split(",") if part],
        default=[
            ServerShape("gthread", 2, 4),
            ServerShape("sync", 2),
            ServerShape("sync", 2, pointer_leases=False),
        ],
        help="gunicorn shapes to measure, e.g. sync:2,gthread:2x4,sync:2+nolease (the first also runs the "
        "cold case)",
    )
    parser.add_argument("--no-cold", action="store_true", help="skip the first-visit run")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/results.md")
    parser.add_argument("--profile", action="store_true", help="profile in this process instead (see above)")
    parser.add_argument("--show-all", action="store_true", help="with --profile: every frame, libraries too")
    args = parser.parse_args()

    missing = [name for name in ("DATABASE_URL", "REDIS_URL") if not os.environ.get(name)]
    if missing:
        print(
            f"Set {' and '.join(missing)}: the bench serves from PostgreSQL with Redis as the cache.",
            file=sys.stderr,
        )
        return SKIPPED
    if not args.profile and shutil.which("wrk") is None:
        print("wrk is not installed (apt-get install wrk): it generates the load.", file=sys.stderr)
        return SKIPPED
    import django

    django.setup()
    return profile(args) if args.profile else measure(args)


if __name__ == "__main__":
    sys.exit(main())
