"""The container's shared objects are built once, whichever threads ask for them first."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest
from dependency_injector import providers

from adapters.memory.store import InMemoryStore
from entrypoints.container import Container
from tests.platform import memory_platform

# How long the first construction stays open: the second thread needs far less to reach the provider.
OVERLAP_SECONDS = 0.2


def test_two_threads_asking_for_the_store_at_once_share_one(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # As when the event relay's first replay and a test (or a request) open their first units of work together:
    # a second store would hold every row one of them writes, and a login would not find the new account.
    platform = memory_platform(tmp_path, now=datetime(2026, 11, 25, 9, 0, tzinfo=UTC))
    first_building = threading.Event()
    second_asking = threading.Event()
    original = InMemoryStore.__init__
    builds = 0

    def held_open(store: InMemoryStore) -> None:
        nonlocal builds
        builds += 1
        if builds == 1:
            first_building.set()
            second_asking.wait(timeout=5)
            time.sleep(OVERLAP_SECONDS)  # the second thread reaches the provider meanwhile
        original(store)

    monkeypatch.setattr(InMemoryStore, "__init__", held_open)
    stores: list[InMemoryStore] = []
    relay = threading.Thread(target=lambda: stores.append(platform.container.memory_store()))
    relay.start()
    assert first_building.wait(timeout=5)
    second_asking.set()
    mine = platform.container.memory_store()
    relay.join(timeout=5)

    assert stores == [mine]
    assert builds == 1
    assert platform.container.memory_store() is mine


def test_no_provider_is_a_plain_singleton() -> None:
    plain = [p for p in providers.traverse(*Container.providers.values()) if type(p) is providers.Singleton]
    assert plain == []
