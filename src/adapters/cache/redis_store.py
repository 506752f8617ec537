"""Fixed-window counters in Redis, shared by every process."""

from __future__ import annotations

import math
from typing import Any

from redis import Redis

DEFAULT_PREFIX = "ivr:counter:"


class RedisCounterStore:
    """INCR plus EXPIRE NX in one transaction, so the window starts at the first hit and never slides."""

    def __init__(self, client: Redis, *, prefix: str = DEFAULT_PREFIX) -> None:
        self._client = client
        self._prefix = prefix

    @classmethod
    def from_url(cls, url: str, *, prefix: str = DEFAULT_PREFIX) -> RedisCounterStore:
        """Connect to the Redis at `url` (e.g. redis://host:6379/0)."""
        return cls(Redis.from_url(url), prefix=prefix)

    def increment(self, key: str, *, window_seconds: int) -> int:
        """Add one to `key` and return its count; a new key expires after the window."""
        if window_seconds <= 0:
            raise ValueError("window_seconds must be positive")
        name = self._prefix + key
        pipeline = self._client.pipeline(transaction=True)
        pipeline.incr(name)
        pipeline.expire(name, window_seconds, nx=True)
        results: list[Any] = pipeline.execute()
        return int(results[0])

    def count(self, key: str) -> int:
        """Return the current count of `key`, 0 when absent or expired."""
        value: Any = self._client.get(self._prefix + key)
        return 0 if value is None else int(value)

    def retry_after(self, key: str) -> int:
        """Return the whole seconds (rounded up) until `key` expires, 0 when absent."""
        milliseconds: Any = self._client.pttl(self._prefix + key)
        # -2: no such key; -1: no expiry, which increment never leaves behind.
        if int(milliseconds) < 0:
            return 0
        return max(1, math.ceil(int(milliseconds) / 1000))

    def clear(self, key: str) -> None:
        """Forget `key`."""
        self._client.delete(self._prefix + key)
