"""Client addresses: the socket peer, or behind trusted proxies the first hop they did not add."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

import pytest

from entrypoints.http.auth import SessionCache, client_address
from ivr_domain.shared.actor import SYSTEM_ACTOR


def _connection(peer: str, forwarded: str | None = None) -> Any:
    headers = {} if forwarded is None else {"x-forwarded-for": forwarded}
    return SimpleNamespace(client=SimpleNamespace(host=peer), headers=headers)


@pytest.mark.parametrize(
    ("peer", "forwarded", "trusted", "expected"),
    [
        ("203.0.113.7", None, (), "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", (), "203.0.113.7"),
        ("203.0.113.7", "198.51.100.1", ("10.0.0.0/8",), "203.0.113.7"),
        ("10.0.0.2", "198.51.100.1", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.2", "6.6.6.6, 198.51.100.1, 10.0.0.9", ("10.0.0.0/8",), "198.51.100.1"),
        ("10.0.0.2", "not-an-ip", ("10.0.0.2",), "10.0.0.2"),
        ("10.0.0.2", None, ("10.0.0.2",), "10.0.0.2"),
    ],
)
def test_client_address(peer: str, forwarded: str | None, trusted: tuple[str, ...], expected: str) -> None:
    assert client_address(_connection(peer, forwarded), trusted) == expected


def test_the_session_cache_expires_and_evicts_sessions() -> None:
    moment = [0.0]
    cache = SessionCache(5, now=lambda: moment[0])
    cache.put("token", SYSTEM_ACTOR)
    assert cache.get("token") is SYSTEM_ACTOR
    moment[0] = 6.0
    assert cache.get("token") is None
    cache.put("token", SYSTEM_ACTOR)
    cache.evict_session(SYSTEM_ACTOR.session_id)
    assert cache.get("token") is None


def test_a_zero_lifetime_disables_the_cache() -> None:
    cache = SessionCache(0)
    cache.put("token", SYSTEM_ACTOR)
    assert cache.get("token") is None
