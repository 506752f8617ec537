"""Idempotency keys in SQL: one row per (user, key), claimed by an insert that cannot race."""

from __future__ import annotations

import base64
from datetime import datetime, timedelta

from sqlalchemy import Engine, bindparam, delete, select, update

from adapters.sqlalchemy.repositories.common import insert_unless_conflict
from adapters.sqlalchemy.tables import idempotency_records as records
from ivr_domain.shared.ids import UserId
from ivr_domain.shared.ports import ClaimState, FieldCipher, IdempotencyClaim, StoredResponse

# Every idempotent request runs these: built once, their values bind parameters.
_MINE = (records.c.user_id == bindparam("match_user_id"), records.c.key == bindparam("match_key"))
_DELETE = delete(records).where(*_MINE)
_DELETE_EXPIRED = delete(records).where(*_MINE, records.c.expires_at <= bindparam("now"))
_SELECT = select(records).where(*_MINE)
_COMPLETE = (
    update(records)
    .where(*_MINE)
    .values(
        status_code=bindparam("new_status_code"),
        response_body=bindparam("new_response_body"),
        headers=bindparam("new_headers"),
        completed=True,
    )
)


def context_of(user_id: UserId, key: str) -> str:
    """Return the associated data binding a stored answer to its user and key."""
    return f"idempotency_records.response_body:{user_id}:{key}"


class SqlAlchemyIdempotencyStore:
    """Claims and answers per (user, key), expiring after their time to live; each call is its own transaction.

    Stored answers are the responses themselves, PHI included, so with a cipher (the composition root always
    passes one) their bodies are encrypted at rest like every other PHI column.
    """

    def __init__(self, engine: Engine, *, cipher: FieldCipher | None = None) -> None:
        """Use connections from this engine, sealing stored bodies with the cipher when one is given."""
        self._engine = engine
        self._cipher = cipher

    def _seal(self, user_id: UserId, key: str, body: bytes) -> bytes:
        if self._cipher is None:
            return body
        return self._cipher.encrypt(base64.b64encode(body).decode("ascii"), context=context_of(user_id, key))

    def _open(self, user_id: UserId, key: str, stored: bytes) -> bytes:
        if self._cipher is None:
            return stored
        return base64.b64decode(self._cipher.decrypt(stored, context=context_of(user_id, key)))

    def claim(
        self, *, user_id: UserId, key: str, request_hash: str, now: datetime, ttl_seconds: int
    ) -> IdempotencyClaim:
        """Claim a key for a request; an expired claim counts as absent."""
        mine = {"match_user_id": user_id, "match_key": key}
        with self._engine.begin() as db:
            db.execute(_DELETE_EXPIRED, {**mine, "now": now})
            values = {
                "user_id": user_id,
                "key": key,
                "request_hash": request_hash,
                "created_at": now,
                "expires_at": now + timedelta(seconds=ttl_seconds),
                "completed": False,
            }
            if insert_unless_conflict(db, records, values):
                return IdempotencyClaim(state=ClaimState.NEW)
            row = db.execute(_SELECT, mine).first()
        if row is None:
            # the other claim was released between our insert and our read: report it busy, the client retries
            return IdempotencyClaim(state=ClaimState.IN_PROGRESS)
        if row.request_hash != request_hash:
            return IdempotencyClaim(state=ClaimState.MISMATCH)
        if not row.completed:
            return IdempotencyClaim(state=ClaimState.IN_PROGRESS)
        headers = tuple((str(name), str(value)) for name, value in row.headers or ())
        body = self._open(user_id, key, bytes(row.response_body)) if row.response_body is not None else b""
        response = StoredResponse(status=row.status_code, body=body, headers=headers)
        return IdempotencyClaim(state=ClaimState.DONE, response=response)

    def complete(self, *, user_id: UserId, key: str, response: StoredResponse) -> None:
        """Store the answer of a claimed key."""
        with self._engine.begin() as db:
            db.execute(
                _COMPLETE,
                {
                    "match_user_id": user_id,
                    "match_key": key,
                    "new_status_code": response.status,
                    "new_response_body": self._seal(user_id, key, response.body),
                    "new_headers": [list(pair) for pair in response.headers],
                },
            )

    def release(self, *, user_id: UserId, key: str) -> None:
        """Forget a claim whose request failed unexpectedly, so it may be retried."""
        with self._engine.begin() as db:
            db.execute(_DELETE, {"match_user_id": user_id, "match_key": key})
