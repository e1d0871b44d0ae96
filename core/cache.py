"""Django's Redis cache backend, without rebuilding a Redis client for every call.

Django's ``RedisCacheClient.get_client`` wraps its connection pool in a new
``redis.Redis`` object on every cache call, and redis-py's constructor rebuilds
its table of ~170 response callbacks each time (redis/redis-py#3624). Profiling
the public article page under load (bench/public_pages.py --profile) showed
that construction costing more CPU than the Redis round trip it wraps. A
``redis.Redis`` object holds no connection of its own (it borrows one from the
pool per command) and is safe to share between threads, so one per pool is
enough. Django's class is kept for everything else; django-redis would do the
same but replaces far more than this one method.
"""

from __future__ import annotations

from typing import Any

from django.core.cache.backends.redis import RedisCache, RedisCacheClient


class ReusingRedisCacheClient(RedisCacheClient):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._clients: dict[int, Any] = {}

    def get_client(self, key: str | bytes | memoryview | None = None, *, write: bool = False) -> Any:
        # Both are private to Django's class (what its own get_client uses), so django-stubs
        # leaves them out.
        pool = self._get_connection_pool(write)  # type: ignore[attr-defined]
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)  # type: ignore[attr-defined]
        return client


class ReusingRedisCache(RedisCache):
    """``django.core.cache.backends.redis.RedisCache`` with one client per connection pool."""

    def __init__(self, server: str | list[str], params: dict[str, Any]) -> None:
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


def shared_redis_client() -> Any | None:
    """The default cache's redis-py client, for what Django's cache API has no verb for
    (pub/sub, sorted sets, TIME); ``None`` when the cache is not Redis."""
    from django.conf import settings
    from django.core.cache import caches

    backend = caches["default"]  # the backend itself: django.core.cache.cache is a proxy
    if not settings.REDIS_URL or not isinstance(backend, RedisCache):
        return None
    return backend._cache.get_client(write=True)
