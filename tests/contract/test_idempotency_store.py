"""IdempotencyStore contract, for the memory and SQL adapters."""

from __future__ import annotations

from datetime import timedelta

from adapters.memory import InMemoryIdempotencyStore
from adapters.sqlalchemy import SqlAlchemyIdempotencyStore
from ivr_domain.shared.ids import UserId, new_id
from ivr_domain.shared.ports import ClaimState, IdempotencyStore, StoredResponse
from tests.contract import builders
from tests.contract.conftest import Backend


def _store(backend: Backend) -> IdempotencyStore:
    backend.fresh()
    return InMemoryIdempotencyStore() if backend.engine is None else SqlAlchemyIdempotencyStore(backend.engine)


def test_claim_complete_replay_mismatch_release_and_expiry(backend: Backend) -> None:
    store = _store(backend)
    user, now = UserId(new_id()), builders.T0

    def claim(request_hash: str, at: object = now) -> ClaimState:
        return store.claim(user_id=user, key="k1", request_hash=request_hash, now=at, ttl_seconds=60).state  # type: ignore[arg-type]

    assert claim("h1") is ClaimState.NEW
    assert claim("h1") is ClaimState.IN_PROGRESS
    assert claim("h2") is ClaimState.MISMATCH
    response = StoredResponse(status=201, body=b'{"id": 1}', headers=(("location", "/x/1"),))
    store.complete(user_id=user, key="k1", response=response)
    done = store.claim(user_id=user, key="k1", request_hash="h1", now=now, ttl_seconds=60)
    assert (done.state, done.response) == (ClaimState.DONE, response)
    assert claim("h2", now + timedelta(seconds=61)) is ClaimState.NEW
    store.release(user_id=user, key="k1")
    assert claim("h3") is ClaimState.NEW
