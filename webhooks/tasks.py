"""The periodic scan that disables endpoints failing for a day (failed attempts check too)."""

from __future__ import annotations

from celery import shared_task

from . import endpoints


@shared_task(name="webhooks.disable_failing_endpoints", ignore_result=True)
def disable_failing_endpoints() -> int:
    return len(endpoints.disable_failing())
