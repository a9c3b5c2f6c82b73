"""The shared Redis cache (sessions, rate limits) with one redis-py client per process.

Django's `RedisCache` makes a new `redis.Redis` client for every operation (on its shared connection pool).
Building one sets up its table of about 170 response callbacks, about 0.14 ms of CPU, and every citizen page
reads its session from the cache: on the form's 13 pages that was 16 clients and about 3 % of the CPU of an
application (issue 18, `benchmarks/application_cost.py`). A redis-py client is safe to share between threads
(every command takes a connection from its pool), so this backend keeps one, made on first use.

It stores exactly what Django's backend stores (its keys through `BaseCache.make_and_validate_key`, values through
Django's `RedisSerializer`: pickled, integers as such for INCR), so processes with either backend share entries,
e.g. during a rolling update. Only one server (`LOCATION`), as the platform configures it; `OPTIONS` go to
`redis.Redis.from_url` (e.g. the short socket timeouts that keep pages answering without Redis).
"""

from __future__ import annotations

import re
from functools import cached_property
from typing import Any

from django.core.cache.backends.base import DEFAULT_TIMEOUT, BaseCache
from django.core.cache.backends.redis import RedisSerializer


class RedisCache(BaseCache):
    """Django's Redis cache semantics (timeouts in seconds, `None` for ever, 0 or less: gone at once)."""

    def __init__(self, server: str | list[str], params: dict):
        super().__init__(params)
        servers = re.split("[;,]", server) if isinstance(server, str) else list(server)
        if len(servers) != 1:
            raise ValueError("amtsweg.core.rediscache.RedisCache takes exactly one server (LOCATION)")
        self.url = servers[0].strip()
        self.options = dict(params.get("OPTIONS") or {})
        self.serializer = RedisSerializer()

    @cached_property
    def client(self):
        """This process's client; its connection pool opens connections as threads need them."""
        import redis

        return redis.Redis.from_url(self.url, **self.options)

    def get_backend_timeout(self, timeout: float | None = DEFAULT_TIMEOUT) -> int | None:
        if timeout == DEFAULT_TIMEOUT:
            timeout = self.default_timeout
        return None if timeout is None else max(0, int(timeout))

    def add(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        data = self.serializer.dumps(value)
        if timeout == 0:
            if added := bool(self.client.set(key, data, nx=True)):
                self.client.delete(key)
            return added
        return bool(self.client.set(key, data, ex=timeout, nx=True))

    def get(self, key, default=None, version=None) -> Any:
        key = self.make_and_validate_key(key, version=version)
        value = self.client.get(key)
        return default if value is None else self.serializer.loads(value)

    def set(self, key, value, timeout=DEFAULT_TIMEOUT, version=None) -> None:
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        if timeout == 0:
            self.client.delete(key)
        else:
            self.client.set(key, self.serializer.dumps(value), ex=timeout)

    def touch(self, key, timeout=DEFAULT_TIMEOUT, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        timeout = self.get_backend_timeout(timeout)
        if timeout is None:
            return bool(self.client.persist(key))
        return bool(self.client.expire(key, timeout))

    def delete(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return bool(self.client.delete(key))

    def get_many(self, keys, version=None) -> dict:
        key_map = {self.make_and_validate_key(key, version=version): key for key in keys}
        if not key_map:
            return {}
        values = self.client.mget(list(key_map))
        return {key_map[k]: self.serializer.loads(v) for k, v in zip(key_map, values, strict=True) if v is not None}

    def has_key(self, key, version=None) -> bool:
        key = self.make_and_validate_key(key, version=version)
        return bool(self.client.exists(key))

    def incr(self, key, delta=1, version=None) -> int:
        key = self.make_and_validate_key(key, version=version)
        if not self.client.exists(key):
            raise ValueError(f"Key '{key}' not found.")
        return self.client.incr(key, delta)

    def set_many(self, data, timeout=DEFAULT_TIMEOUT, version=None) -> list:
        if not data:
            return []
        timeout = self.get_backend_timeout(timeout)
        values = {self.make_and_validate_key(key, version=version): value for key, value in data.items()}
        if timeout == 0:
            self.client.delete(*values)
            return []
        pipeline = self.client.pipeline()
        pipeline.mset({key: self.serializer.dumps(value) for key, value in values.items()})
        if timeout is not None:  # MSET takes no expiry
            for key in values:
                pipeline.expire(key, timeout)
        pipeline.execute()
        return []

    def delete_many(self, keys, version=None) -> None:
        keys = [self.make_and_validate_key(key, version=version) for key in keys]
        if keys:
            self.client.delete(*keys)

    def clear(self) -> None:
        self.client.flushdb()
