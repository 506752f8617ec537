"""Counter stores for rate limits and lockouts: in memory or in Redis."""

from adapters.cache.memory import InMemoryCounterStore
from adapters.cache.redis_store import RedisCounterStore

__all__ = ["InMemoryCounterStore", "RedisCounterStore"]
