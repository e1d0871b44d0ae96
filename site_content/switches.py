"""Reading the site-wide switches without a query per request."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from .models import SiteSettings

CACHE_KEY = "site_content:settings:v1"
# Saving invalidates the entry at once; the timeout only bounds the damage of a
# change made behind the model's back (a queryset update or raw SQL).
CACHE_TIMEOUT = 300


def current_site_settings() -> SiteSettings:
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    site_settings, _ = SiteSettings.objects.get_or_create(pk=SiteSettings.SINGLETON_PK)
    cache.set(CACHE_KEY, site_settings, CACHE_TIMEOUT)
    return site_settings


def forget_site_settings(**_kwargs) -> None:
    cache.delete(CACHE_KEY)
    # A reader between this save and its commit may have cached the old row again.
    transaction.on_commit(lambda: cache.delete(CACHE_KEY))
