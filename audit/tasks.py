"""The review log's periodic job: the beat runs it every ``LOG_SEAL_EVERY_SECONDS``."""

from __future__ import annotations

from celery import shared_task

from . import log


@shared_task(name="audit.seal_log", ignore_result=True)
def seal_log() -> int:
    """Seal what has settled since the last run; returns the log's size (for the worker's log)."""
    done = log.seal()
    return done.size if done is not None else -1
