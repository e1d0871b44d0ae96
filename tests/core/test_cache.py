"""The Redis cache backend reuses one redis-py client instead of building one per call."""

import pytest
from django.core.cache import caches

from core.cache import ReusingRedisCache, shared_redis_client

pytestmark = pytest.mark.redis


def test_the_configured_cache_is_the_reusing_backend():
    assert isinstance(caches["default"], ReusingRedisCache)


def test_one_client_serves_every_call_and_still_round_trips():
    backend = caches["default"]
    client = backend._cache.get_client()
    assert backend._cache.get_client(write=True) is client
    backend.set("config-test:answer", {"n": 42}, 10)
    assert backend.get_many(["config-test:answer", "config-test:missing"]) == {
        "config-test:answer": {"n": 42}
    }
    backend.delete("config-test:answer")
    assert backend.get("config-test:answer") is None


def test_the_shared_redis_client_is_the_caches_own(settings):
    client = shared_redis_client()
    assert client is caches["default"]._cache.get_client(write=True)
    assert client.ping() is True
    settings.REDIS_URL = ""
    assert shared_redis_client() is None
