"""Reading the site-wide switches without a query per request."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

from articles import pointer_memory

from .models import SiteSettings

CACHE_KEY = "site_content:settings:v1"
# The article page needs one switch on every request. It is cached on its own, as an int (which
# the Redis cache stores without pickling), so the page fetches it in the same round trip as the
# article's pointer instead of a second one.
SHOW_PENDING_KEY = "site_content:show-pending:v1"
# Saving refreshes the entries once it commits; the timeout only bounds the damage of a change
# made behind the model's back (a queryset update or raw SQL).
CACHE_TIMEOUT = 300


def _read() -> SiteSettings:
    site_settings, _ = SiteSettings.objects.get_or_create(pk=SiteSettings.SINGLETON_PK)
    return site_settings


def current_site_settings() -> SiteSettings:
    cached = cache.get(CACHE_KEY)
    if cached is not None:
        return cached
    site_settings = _read()
    # add, not set: if a save refreshed the entry meanwhile, its value wins.
    cache.add(CACHE_KEY, site_settings, CACHE_TIMEOUT)
    return site_settings


def shows_pending_versions(cached: int | None = None) -> bool:
    """Whether readers are shown a newer version while it is under review.

    ``cached`` is the value of ``SHOW_PENDING_KEY`` when the caller already fetched it
    (``None``: not cached, or not fetched)."""
    if cached is not None:
        return bool(cached)
    shown = current_site_settings().show_pending_versions
    cache.add(SHOW_PENDING_KEY, int(shown), CACHE_TIMEOUT)
    return shown


def forget_site_settings(**_kwargs) -> None:
    """On every save: drop the entries at once, and write them again from the database once the
    transaction commits, so that a reader who read the old row just before the commit cannot
    leave it in the cache (readers only ever ``add``)."""
    cache.delete_many([CACHE_KEY, SHOW_PENDING_KEY])

    def refresh() -> None:
        site_settings = SiteSettings.objects.filter(pk=SiteSettings.SINGLETON_PK).first()
        if site_settings is None:  # deleted: the next reader recreates the defaults
            cache.delete_many([CACHE_KEY, SHOW_PENDING_KEY])
            pointer_memory.announce([SHOW_PENDING_KEY])
            return
        cache.set_many(
            {CACHE_KEY: site_settings, SHOW_PENDING_KEY: int(site_settings.show_pending_versions)},
            CACHE_TIMEOUT,
        )
        # Web processes remember the switch between changes (articles.pointer_memory).
        pointer_memory.announce([SHOW_PENDING_KEY])

    transaction.on_commit(refresh)
