"""The floor of one IVR transition (submit, start-review, approve): the least work the rules allow for it.

Served by `benchmarks.floor` as `/floor/transition` when the IVR data set (`var/bench/postgresql-ivrs`) exists;
`python -m benchmarks.floor --routes transition --connections 8` measures it as `benchmarks/run
submit-approve` measures the platform (8 connections, each request waiting for the one before).

One request, on scratch copies of the real tables (`floor_ivrs` with every index of `ivrs`, `floor_ivr_history`,
`floor_outbox`; audit rows in `floor_audit_log`), straight on psycopg with prepared statements, in one
transaction: load the IVR by id and decrypt its document (the rules' one AES-GCM document per IVR), move
its status with a compare-and-set on its version, append its history row, its audit row and its outbox
row, defer the outbox's dispatch job through procrastinate's own SQL function (rule 8), commit, and answer
the IVR. The status goes back and forth between submitted and in_review, so every request updates the same
indexed columns a real transition does. What the platform adds on top (the event's audience, notifications,
the patient snapshot, the policy's checks) is left out: this is the floor, not the platform.
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from typing import Any

import msgspec
from litestar import Request, Response, get
from litestar.exceptions import HTTPException
from psycopg_pool import ConnectionPool

from adapters.crypto.field_cipher import AesGcmFieldCipher
from adapters.sqlalchemy.repositories.ivr_rows import CONTENT_CONTEXT

# The scratch tables: the real ones' columns and indexes, none of their rows but the copied IVRs.
SETUP = (
    "CREATE TABLE IF NOT EXISTS floor_ivrs (LIKE ivrs INCLUDING ALL)",
    "CREATE TABLE IF NOT EXISTS floor_ivr_history (LIKE ivr_history INCLUDING ALL)",
    "CREATE TABLE IF NOT EXISTS floor_outbox (LIKE outbox INCLUDING ALL)",
    "CREATE TABLE IF NOT EXISTS floor_audit_log (LIKE audit_log INCLUDING ALL)",
    "DELETE FROM procrastinate_jobs WHERE queue_name = 'floor'",
)
IVRS = 5_000
_LOAD = "SELECT practice_id, patient_id, status, version, content FROM floor_ivrs WHERE id = %(id)s"
_MOVE = """
    UPDATE floor_ivrs SET status = %(status)s, version = version + 1, updated_at = %(at)s, reviewer_id = %(actor)s
    WHERE id = %(id)s AND version = %(version)s
"""
_HISTORY = """
    INSERT INTO floor_ivr_history (id, ivr_id, from_status, to_status, trigger, actor_id, actor_role, at)
    VALUES (%(history)s, %(id)s, %(from)s, %(status)s, %(trigger)s, %(actor)s, 'ivr_staff', %(at)s)
"""
_AUDIT = """
    INSERT INTO floor_audit_log (id, at, action, outcome, user_id, role, session_id, is_system, resource_type,
        resource_id, patient_ids, changed_fields, reason, purpose, xact_id)
    VALUES (%(audit)s, %(at)s, %(action)s, 'success', %(actor)s, 'ivr_staff', %(session)s, false, 'ivr',
        %(id_text)s, %(patients)s, '["status"]', '', 'payment', pg_current_xact_id()::text::bigint)
"""
_OUTBOX = """
    INSERT INTO floor_outbox (id, name, payload, occurred_at, xact_id, attempts)
    VALUES (%(event)s, 'ivr.status_changed', %(payload)s, %(at)s, pg_current_xact_id()::text::bigint, 0)
"""
_DEFER = """
    SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('floor', 'floor.dispatch', 0, NULL, NULL, %(job)s::jsonb, NULL)
        ::procrastinate_job_to_defer_v1])
"""
_NEXT = {"submitted": ("in_review", "start-review"), "in_review": ("submitted", "submit")}


def prepare(pool: ConnectionPool) -> list[uuid.UUID]:
    """Create the scratch tables, copy IVRS open IVRs into them once, and return their ids."""
    with pool.connection() as connection:
        for statement in SETUP:
            connection.execute(statement)
        if not connection.execute("SELECT count(*) FROM floor_ivrs").fetchone()[0]:  # type: ignore[index]
            connection.execute(
                "INSERT INTO floor_ivrs SELECT * FROM ivrs WHERE status IN ('submitted', 'in_review') LIMIT %s",
                (IVRS,),
            )
            connection.execute("ANALYZE floor_ivrs")
        return [row[0] for row in connection.execute("SELECT id FROM floor_ivrs ORDER BY id")]


def transition_route(pool: ConnectionPool, cipher: AesGcmFieldCipher, claims_of: Any) -> Any:
    """Return the `/floor/transition` handler over the IVR data set's pool and keys."""
    ids = prepare(pool)
    turns = itertools.count()  # one IVR per request in turn: 8 connections in flight never meet on one
    decode = msgspec.json.decode
    encode = msgspec.json.encode

    @get("/floor/transition", sync_to_thread=True)
    def transition(request: Request[Any, Any, Any]) -> Response[bytes]:
        claims = claims_of(request)
        ivr_id = ids[next(turns) % len(ids)]
        now = dt.datetime.now(dt.UTC)
        with pool.connection() as connection:
            found = connection.execute(_LOAD, {"id": ivr_id}, prepare=True).fetchone()
            if found is None:
                raise HTTPException(status_code=404)
            practice_id, patient_id, status, version, sealed = found
            content = decode(cipher.decrypt(sealed, context=f"{CONTENT_CONTEXT}{ivr_id}"))
            to_status, trigger = _NEXT[status]
            values = {
                "id": ivr_id,
                "id_text": str(ivr_id),
                "status": to_status,
                "from": status,
                "trigger": trigger,
                "version": version,
                "at": now,
                "actor": claims["sub"],
                "session": claims["sid"],
                "history": uuid.uuid4(),
                "audit": uuid.uuid4(),
                "event": uuid.uuid4(),
                "action": f"ivrs.{trigger.replace('-', '_')}",
                "patients": json.dumps([str(patient_id)]),
            }
            moved = connection.execute(_MOVE, values, prepare=True)
            if moved.rowcount != 1:
                raise HTTPException(status_code=409)
            connection.execute(_HISTORY, values, prepare=True)
            connection.execute(_AUDIT, values, prepare=True)
            event = {"ivr_id": str(ivr_id), "practice_id": str(practice_id), "status": to_status, "from": status}
            connection.execute(_OUTBOX, {**values, "payload": json.dumps(event)}, prepare=True)
            connection.execute(_DEFER, {"job": json.dumps({"event_id": str(values["event"])})}, prepare=True)
        answer = {"id": ivr_id, "status": to_status, "version": version + 1, "updated_at": now, "content": content}
        return Response(encode(answer), media_type="application/json")

    return transition
