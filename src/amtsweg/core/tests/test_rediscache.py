"""The shared Redis cache with one client per process (amtsweg.core.rediscache, issue 18), against a real Redis
(the shared `redis_url` fixture: skipped with a reason only when none answers)."""

import os
import subprocess
import sys
import uuid
from unittest import mock

import pytest
import redis
from django.core.cache.backends.redis import RedisCache as DjangoRedisCache

from amtsweg.core.rediscache import RedisCache


@pytest.fixture
def backend(redis_url):
    """The backend under a key prefix of its own (the tests' Redis database is shared with the broker tests)."""
    prefix = f"test-rediscache-{uuid.uuid4().hex}"
    cache = RedisCache(redis_url, {"KEY_PREFIX": prefix, "OPTIONS": {"socket_timeout": 1}})
    yield cache
    keys = list(cache.client.scan_iter(f"{prefix}:*"))
    if keys:
        cache.client.delete(*keys)


def test_it_keeps_django_s_cache_semantics(backend):
    backend.set("session", {"drafts": ["d1"]}, 60)
    assert backend.get("session") == {"drafts": ["d1"]}
    assert backend.get("missing", "default") == "default"
    assert backend.has_key("session") and not backend.has_key("missing")
    assert backend.add("session", "other") is False and backend.get("session") == {"drafts": ["d1"]}
    assert backend.add("new", 1, 60) is True
    assert backend.incr("new", 2) == 3 and backend.get("new") == 3
    with pytest.raises(ValueError):
        backend.incr("missing")
    assert backend.touch("new", None) is True and backend.client.ttl(backend.make_key("new")) == -1
    assert backend.touch("new", 30) is True and 0 < backend.client.ttl(backend.make_key("new")) <= 30
    backend.set("gone", "x", 0)  # a timeout of 0 or less: not kept
    assert backend.get("gone") is None
    assert backend.add("gone", "x", 0) is True and backend.get("gone") is None
    assert backend.set_many({"a": 1, "b": [2]}, 60) == []
    assert backend.get_many(["a", "b", "c"]) == {"a": 1, "b": [2]}
    assert 0 < backend.client.ttl(backend.make_key("a")) <= 60
    backend.delete_many(["a", "b"])
    assert backend.get_many(["a", "b"]) == {}
    assert backend.delete("session") is True and backend.delete("session") is False
    backend.set("forever", "x", None)
    assert backend.client.ttl(backend.make_key("forever")) == -1


def test_entries_are_shared_with_django_s_backend(backend, redis_url):
    """The same keys and the same stored bytes as Django's backend: during a rolling update, processes with the
    old backend and the new one read each other's sessions."""
    django_cache = DjangoRedisCache(redis_url, {"KEY_PREFIX": backend.key_prefix})
    django_cache.set("from-django", {"drafts": ["d1"]}, 60)
    assert backend.get("from-django") == {"drafts": ["d1"]}
    backend.set("from-here", {"receipts": ["r1"]}, 60)
    backend.set("counter", 5, 60)
    assert django_cache.get("from-here") == {"receipts": ["r1"]}
    assert django_cache.incr("counter") == 6 and backend.get("counter") == 6


def test_operations_share_one_client(backend):
    """Django's backend builds a redis-py client for every operation (about 0.14 ms of CPU each, 16 per
    application through the form); this one builds it once per process."""
    backend.set("warm", 1, 60)
    with mock.patch.object(redis.Redis, "__init__", side_effect=AssertionError("a new client")):
        backend.set("a", 1, 60)
        assert backend.get("a") == 1 and backend.has_key("a")
        backend.delete("a")


def test_the_platform_uses_it_with_redis(tmp_path):
    code = "from amtsweg import settings as s; print(s.CACHES['default']['BACKEND'])"
    clean = {k: v for k, v in os.environ.items() if k != "REDIS_URL"}
    result = subprocess.run([sys.executable, "-c", code],
                            env={**clean, "AMTSWEG_VAR_DIR": str(tmp_path), "REDIS_URL": "redis://127.0.0.1:6379/0"},
                            capture_output=True, text=True, check=True, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "amtsweg.core.rediscache.RedisCache"
