"""Real Celery worker processes for the integration tests, and ways to watch them.

A worker is started exactly as in production (``celery -A config worker``),
pointed at the test database, the Redis database of the test run, and a mail
directory of its own. Nothing here is imported by the application.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from django.conf import settings
from django.db import connection

CELERY = Path(sys.executable).with_name("celery")


def test_database_url() -> str:
    db = connection.settings_dict
    auth = db["USER"] + (f":{db['PASSWORD']}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


class Worker:
    def __init__(
        self, mail_dir: Path, log_path: Path, *, app: str = "config", env: dict | None = None
    ) -> None:
        self.mail_dir = mail_dir
        self.log_path = log_path
        environment = {
            key: value for key, value in os.environ.items() if not key.startswith(("CELERY_", "EMAIL_"))
        }
        environment.update(
            {
                "DJANGO_SETTINGS_MODULE": "config.settings",
                "DATABASE_URL": test_database_url(),
                "REDIS_URL": os.environ["REDIS_URL"],
                "EMAIL_FILE_PATH": str(mail_dir),
                "LOG_LEVEL": "INFO",
                **(env or {}),
            }
        )
        self._log = open(log_path, "ab")  # noqa: SIM115 (kept open for the process's life)
        self.process = subprocess.Popen(
            [
                str(CELERY),
                "-A",
                app,
                "worker",
                "--pool=solo",
                "--loglevel=INFO",
                "--without-gossip",
                "--without-mingle",
                "--without-heartbeat",
                "-n",
                f"test-{uuid.uuid4().hex[:8]}@%h",
            ],
            cwd=settings.BASE_DIR,
            env=environment,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        wait_until(lambda: b" ready." in log_path.read_bytes() or self.process.poll() is not None, timeout=60)
        if self.process.poll() is not None:
            raise RuntimeError(f"The worker did not start:\n{log_path.read_text()[-3000:]}")

    def kill(self) -> None:
        """SIGKILL: no warm shutdown, no chance to acknowledge or restore anything."""
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self._log.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.kill()
                return
        self._log.close()


def wait_until(condition: Callable[[], bool], *, timeout: float = 20.0, interval: float = 0.1) -> bool:
    """Poll until ``condition()`` holds or ``timeout`` passes; returns whether it held."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(interval)
    return condition()


def emails_for(mail_dir: Path, delivery_id: int) -> int:
    """How many emails in ``mail_dir`` carry this outbox row's id."""
    header = f"X-Vetted-Delivery: {delivery_id}\n".encode()
    return sum(path.read_bytes().count(header) for path in mail_dir.glob("*"))


@contextlib.contextmanager
def broker_at(url: str) -> Iterator[None]:
    """Make this process publish to ``url`` (a dead port: the broker is down)."""
    from config.celery import app

    def reset_pools() -> None:
        app._pool = None
        app.amqp._producer_pool = None

    previous = app.conf.broker_url
    app.conf.broker_url = url
    reset_pools()
    try:
        yield
    finally:
        app.conf.broker_url = previous
        reset_pools()


@contextlib.contextmanager
def publishing_to_the_real_broker() -> Iterator[None]:
    """Queue tasks for real (the suite otherwise runs them in-process) on this run's Redis database."""
    import redis

    from config.celery import app

    redis.Redis.from_url(os.environ["REDIS_URL"]).flushdb()  # no leftovers from an earlier run
    app.conf.task_always_eager = False
    try:
        yield
    finally:
        app.conf.task_always_eager = True
