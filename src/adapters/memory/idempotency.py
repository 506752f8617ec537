"""Idempotency keys remembered in memory, for tests and embedding."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from attrs import define, field, frozen

from ivr_domain.shared.ids import UserId
from ivr_domain.shared.ports import ClaimState, IdempotencyClaim, StoredResponse


@frozen(kw_only=True)
class _Record:
    request_hash: str
    expires_at: datetime
    response: StoredResponse | None = None


@define
class InMemoryIdempotencyStore:
    """Claims and answers per (user, key), expiring after their time to live."""

    _records: dict[tuple[UserId, str], _Record] = field(factory=dict)
    _lock: threading.Lock = field(factory=threading.Lock)

    def claim(
        self, *, user_id: UserId, key: str, request_hash: str, now: datetime, ttl_seconds: int
    ) -> IdempotencyClaim:
        """Claim a key for a request; an expired claim counts as absent."""
        with self._lock:
            record = self._records.get((user_id, key))
            if record is None or record.expires_at <= now:
                expires = now + timedelta(seconds=ttl_seconds)
                self._records[(user_id, key)] = _Record(request_hash=request_hash, expires_at=expires)
                return IdempotencyClaim(state=ClaimState.NEW)
            if record.request_hash != request_hash:
                return IdempotencyClaim(state=ClaimState.MISMATCH)
            if record.response is None:
                return IdempotencyClaim(state=ClaimState.IN_PROGRESS)
            return IdempotencyClaim(state=ClaimState.DONE, response=record.response)

    def complete(self, *, user_id: UserId, key: str, response: StoredResponse) -> None:
        """Store the answer of a claimed key."""
        with self._lock:
            record = self._records.get((user_id, key))
            if record is not None:
                self._records[(user_id, key)] = _Record(
                    request_hash=record.request_hash, expires_at=record.expires_at, response=response
                )

    def release(self, *, user_id: UserId, key: str) -> None:
        """Forget a claim whose request failed unexpectedly, so it may be retried."""
        with self._lock:
            self._records.pop((user_id, key), None)
