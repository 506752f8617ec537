"""The CounterStore contract, against the in-memory store (movable clock) and Redis (real time)."""

from __future__ import annotations

import os
import time
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta

import pytest
import redis

from adapters.cache import InMemoryCounterStore, RedisCounterStore
from ivr_domain.shared.clock import MovableClock
from ivr_domain.shared.ports import CounterStore
from tests.services import require_or_skip

REDIS_URL = os.environ.get("IVR_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# One prefix per test run, so runs sharing a Redis never see each other's keys.
RUN_PREFIX = f"ivr-test:{uuid.uuid4().hex}:"


class Harness:
    """A store under test and a way to let time pass for it."""

    def __init__(self, store: CounterStore, wait: Callable[[float], None]) -> None:
        self.store = store
        self.wait = wait


@pytest.fixture(scope="module")
def redis_client() -> Iterator[redis.Redis]:
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=1, socket_timeout=2)
    try:
        client.ping()
    except redis.RedisError as exc:
        require_or_skip("Redis", f"cannot reach {REDIS_URL} ({type(exc).__name__}); set IVR_TEST_REDIS_URL")
    yield client
    for name in client.scan_iter(match=f"{RUN_PREFIX}*"):
        client.delete(name)
    client.close()


@pytest.fixture(params=["memory", "redis"])
def harness(request: pytest.FixtureRequest) -> Harness:
    if request.param == "memory":
        clock = MovableClock(datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
        return Harness(InMemoryCounterStore(clock), lambda seconds: clock.advance(timedelta(seconds=seconds)))
    client = request.getfixturevalue("redis_client")
    return Harness(RedisCounterStore(client, prefix=f"{RUN_PREFIX}{request.node.name}:"), time.sleep)


def test_increments_count_from_one(harness: Harness) -> None:
    store = harness.store
    assert [store.increment("login:a", window_seconds=60) for _ in range(3)] == [1, 2, 3]
    assert store.count("login:a") == 3


def test_keys_are_independent(harness: Harness) -> None:
    store = harness.store
    store.increment("a", window_seconds=60)
    store.increment("a", window_seconds=60)
    assert store.increment("b", window_seconds=60) == 1
    assert store.count("a") == 2


def test_absent_key_counts_zero_and_has_no_retry_after(harness: Harness) -> None:
    assert harness.store.count("never") == 0
    assert harness.store.retry_after("never") == 0


def test_retry_after_is_the_rest_of_the_window(harness: Harness) -> None:
    store = harness.store
    store.increment("k", window_seconds=60)
    assert 59 <= store.retry_after("k") <= 60


def test_window_starts_at_the_first_hit_does_not_slide_and_then_starts_anew(harness: Harness) -> None:
    # One test for all expiry behaviour keeps the real-time Redis run near one second.
    store = harness.store
    store.increment("k", window_seconds=1)
    harness.wait(0.5)
    assert store.increment("k", window_seconds=1) == 2
    assert store.retry_after("k") == 1
    harness.wait(0.6)
    assert store.count("k") == 0
    assert store.retry_after("k") == 0
    assert store.increment("k", window_seconds=60) == 1
    assert store.retry_after("k") >= 59


def test_clear_forgets_the_key(harness: Harness) -> None:
    store = harness.store
    store.increment("k", window_seconds=60)
    store.clear("k")
    assert store.count("k") == 0
    assert store.retry_after("k") == 0
    assert store.increment("k", window_seconds=60) == 1


def test_clearing_an_absent_key_is_harmless(harness: Harness) -> None:
    harness.store.clear("never")
    assert harness.store.count("never") == 0


@pytest.mark.parametrize("window", [0, -1])
def test_window_must_be_positive(harness: Harness, window: int) -> None:
    with pytest.raises(ValueError, match="positive"):
        harness.store.increment("k", window_seconds=window)
