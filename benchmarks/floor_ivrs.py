"""The floors of the IVR targets: a practice's page of 50 IVRs, and submit, start-review and approve.

`/floor/ivr-page` is the IVR list at its floor: the list doctor's practice's 50 newest IVRs (the clear
columns and the one encrypted document each, as the rules store them), every document decrypted and decoded,
one audit row naming their patients, the commit, msgspec encoding; psycopg, prepared statements, a
synchronous handler in the thread pool. The verification queue pages the same rows in another order.

Served by `benchmarks.floor` when the IVR data set (`var/bench/postgresql-ivrs`) exists, at the platform's
own paths (`POST /api/v1/ivrs/{id}/submit`, `/start-review`, `/approve`), so `python -m benchmarks.floor
--routes submit-approve` drives it with the platform benchmark's own wrk script (8 connections, each taking
its drafts through the three steps in order) and reads the same per-action figures.

Each action runs straight on psycopg with prepared statements, in one transaction, on scratch copies of the
real tables with all their indexes (`floor_ivrs` holding 15,000 drafts,
copied afresh at every start, `floor_patients`, `floor_ivr_history`, `floor_outbox`; audit rows in
`floor_audit_log`): load the IVR and decrypt its document; for a submit, mark its patient and read the
patient's snapshot (name, birth date, sex and insurances decrypted field by field, as stored today); for an
approval, take the coverages from the body; write the IVR back with a compare-and-set on its version (its
document re-encrypted when it changed: submit and approve); append its history row, its audit row and its
outbox row; defer the outbox's dispatch job through procrastinate's own SQL function (rule 8); commit;
answer the IVR. Left out, as the platform's own work rather than the rules': the policy's checks, the
form's completeness check, the event's audience and notifications.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from typing import Any

import msgspec
from litestar import Request, Response, get, post
from litestar.exceptions import HTTPException
from psycopg_pool import ConnectionPool

from adapters.crypto.field_cipher import AesGcmFieldCipher
from adapters.sqlalchemy.repositories.ivr_rows import CONTENT_CONTEXT

DRAFTS = 15_000
_SETUP = (
    "CREATE TABLE IF NOT EXISTS floor_ivrs (LIKE ivrs INCLUDING ALL)",
    "CREATE TABLE IF NOT EXISTS floor_patients (LIKE patients INCLUDING ALL)",
    "CREATE TABLE IF NOT EXISTS floor_ivr_history (LIKE ivr_history INCLUDING ALL)",
    "CREATE TABLE IF NOT EXISTS floor_outbox (LIKE outbox INCLUDING ALL)",
    "CREATE TABLE IF NOT EXISTS floor_audit_log (LIKE audit_log INCLUDING ALL)",
    "TRUNCATE floor_ivrs, floor_patients",
    "DELETE FROM procrastinate_jobs WHERE queue_name = 'floor'",
)
_LOAD = "SELECT patient_id, status, version, content FROM floor_ivrs WHERE id = %(id)s"
_MARK = "UPDATE floor_patients SET ivr_submitted = true, version = version + 1 WHERE id = %(patient)s"
_PATIENT_PHI = ("first_name", "last_name", "date_of_birth", "sex")
_INSURANCE_PHI = ("payer_name", "payer_id", "member_id", "group_number")
_SNAPSHOT = f"""
    SELECT p.{", p.".join(_PATIENT_PHI)}, p.archived, i.rank, i.plan_type, i.{", i.".join(_INSURANCE_PHI)}
    FROM floor_patients AS p LEFT JOIN patient_insurances AS i ON i.patient_id = p.id
    WHERE p.id = %(patient)s ORDER BY i.rank
"""  # noqa: S608 (constant column names)
_MOVE = """
    UPDATE floor_ivrs SET status = %(status)s, version = version + 1, updated_at = %(at)s,
        reviewer_id = COALESCE(%(reviewer)s, reviewer_id), content = COALESCE(%(content)s, content),
        submitted_at = COALESCE(submitted_at, %(submitted)s),
        last_submitted_at = COALESCE(%(submitted)s, last_submitted_at),
        decided_at = COALESCE(%(decided)s, decided_at)
    WHERE id = %(id)s AND version = %(version)s
"""
_HISTORY = """
    INSERT INTO floor_ivr_history (id, ivr_id, from_status, to_status, trigger, actor_id, actor_role, at)
    VALUES (%(history)s, %(id)s, %(from)s, %(status)s, %(trigger)s, %(actor)s, %(role)s, %(at)s)
"""
_AUDIT = """
    INSERT INTO floor_audit_log (id, at, action, outcome, user_id, role, session_id, is_system, resource_type,
        resource_id, patient_ids, changed_fields, reason, purpose, xact_id)
    VALUES (%(audit)s, %(at)s, %(action)s, 'success', %(actor)s, %(role)s, %(session)s, false, 'ivr',
        %(id_text)s, %(patients)s, '["status"]', '', 'treatment', pg_current_xact_id()::text::bigint)
"""
_OUTBOX = """
    INSERT INTO floor_outbox (id, name, payload, occurred_at, xact_id, attempts)
    VALUES (%(event)s, 'ivr.status_changed', %(payload)s, %(at)s, pg_current_xact_id()::text::bigint, 0)
"""
_DEFER = """
    SELECT procrastinate_defer_jobs_v1(ARRAY[ROW('floor', 'floor.dispatch', 0, NULL, NULL, %(job)s::jsonb, NULL)
        ::procrastinate_job_to_defer_v1])
"""
# action -> (the status it leaves from, the status it reaches, the acting role)
_ACTIONS = {
    "submit": ("draft", "submitted", "doctor"),
    "start-review": ("submitted", "in_review", "ivr_staff"),
    "approve": ("in_review", "approved", "ivr_staff"),
}


class Coverage(msgspec.Struct, forbid_unknown_fields=True):
    """One coverage result of an approval, as the body sends it (typed, so a malformed one is refused)."""

    insurance_rank: str
    active: bool
    plan_name: str
    plan_type: str
    network_status: str
    outcome: str
    deductible_total: str
    deductible_remaining: str
    coinsurance_percent: str
    copay: str
    prior_auth_required: bool
    verification_method: str
    call_reference: str
    valid_until: dt.date


class Approval(msgspec.Struct, forbid_unknown_fields=True):
    """An approval's body."""

    coverages: list[Coverage]


def prepare(pool: ConnectionPool) -> None:
    """Copy DRAFTS drafts and their patients into fresh scratch tables (the runner lists those still in draft)."""
    with pool.connection() as connection:
        for statement in _SETUP:
            connection.execute(statement)
        connection.execute(
            "INSERT INTO floor_ivrs SELECT * FROM ivrs WHERE status = 'draft' ORDER BY id LIMIT %s", (DRAFTS,)
        )
        connection.execute(
            "INSERT INTO floor_patients SELECT * FROM patients WHERE id IN (SELECT patient_id FROM floor_ivrs)"
        )
        connection.execute("ANALYZE floor_ivrs")
        connection.execute("ANALYZE floor_patients")


_PAGE = """
    SELECT id, reference, patient_id, status, priority, request_type, created_at, updated_at, version, content
    FROM ivrs WHERE practice_id = %(practice)s ORDER BY created_at DESC, id DESC LIMIT 50
"""
_PAGE_AUDIT = """
    INSERT INTO floor_audit_log (id, at, action, outcome, user_id, role, session_id, is_system, resource_type,
        patient_ids, changed_fields, reason, purpose, xact_id)
    VALUES (%(audit)s, %(at)s, 'ivrs.list', 'success', %(actor)s, 'doctor', %(session)s, false, 'ivr',
        %(patients)s, '[]', '', 'treatment', pg_current_xact_id()::text::bigint)
"""


def page_route(pool: ConnectionPool, cipher: AesGcmFieldCipher, claims_of: Any, practice_name: str) -> Any:
    """Return the `/floor/ivr-page` handler: the named practice's newest page of IVRs."""
    with pool.connection() as connection:
        found = connection.execute("SELECT id FROM practices WHERE name = %s", (practice_name,)).fetchone()
    if found is None:
        raise SystemExit(f"no practice named {practice_name!r} in the IVR data set")
    practice = found[0]
    decrypt = cipher.decrypt
    decode = msgspec.json.Decoder(dict[str, Any]).decode
    encode = msgspec.json.Encoder().encode
    columns = ("id", "reference", "patient_id", "status", "priority", "request_type", "created_at", "updated_at")

    @get("/floor/ivr-page", sync_to_thread=True)
    def ivr_page(request: Request[Any, Any, Any]) -> Response[bytes]:
        claims = claims_of(request)
        with pool.connection() as connection:
            rows = connection.execute(_PAGE, {"practice": practice}, prepare=True).fetchall()
            page = [
                {
                    **dict(zip(columns, row[:8], strict=True)),
                    "version": row[8],
                    "content": decode(decrypt(row[9], context=f"{CONTENT_CONTEXT}{row[0]}")),
                }
                for row in rows
            ]
            audit = {
                "audit": uuid.uuid4(),
                "at": dt.datetime.now(dt.UTC),
                "actor": claims["sub"],
                "session": claims["sid"],
                "patients": json.dumps(sorted({str(row[2]) for row in rows})),
            }
            connection.execute(_PAGE_AUDIT, audit, prepare=True)
        return Response(encode(page), media_type="application/json")

    return ivr_page


def snapshot(connection: Any, cipher: AesGcmFieldCipher, patient_id: uuid.UUID) -> dict[str, Any]:
    """Read a patient's snapshot, every field decrypted as stored today (one ciphertext per field)."""
    rows = connection.execute(_SNAPSHOT, {"patient": patient_id}, prepare=True).fetchall()
    if not rows:
        raise HTTPException(status_code=422, detail="the patient is gone")
    decrypt, row_id = cipher.decrypt, str(patient_id)
    first, last, born, sex = (
        decrypt(rows[0][k], context=f"patients.{column}:{row_id}") for k, column in enumerate(_PATIENT_PHI)
    )
    insurances = []
    for row in rows:
        if row[5] is None:
            continue
        rank = row[5]
        cells = [
            None if row[7 + k] is None else decrypt(row[7 + k], context=f"patient_insurances.{c}:{row_id}:{rank}")
            for k, c in enumerate(_INSURANCE_PHI)
        ]
        insurances.append({"rank": rank, "plan_type": row[6], **dict(zip(_INSURANCE_PHI, cells, strict=True))})
    return {"first_name": first, "last_name": last, "date_of_birth": born, "sex": sex, "insurances": insurances}


def action_route(pool: ConnectionPool, cipher: AesGcmFieldCipher, claims_of: Any) -> Any:
    """Return the handler of the three actions over the IVR data set's pool and keys."""
    prepare(pool)
    decrypt, encrypt = cipher.decrypt, cipher.encrypt
    decode_approval = msgspec.json.Decoder(Approval).decode
    decode_document = msgspec.json.Decoder(dict[str, Any]).decode
    encode = msgspec.json.Encoder().encode

    @post("/api/v1/ivrs/{ivr_id:uuid}/{action:str}", sync_to_thread=True, status_code=200)
    def act(request: Request[Any, Any, Any], ivr_id: uuid.UUID, action: str, body: bytes) -> Response[bytes]:
        claims = claims_of(request)
        if action not in _ACTIONS:
            raise HTTPException(status_code=404)
        leaves, reaches, role = _ACTIONS[action]
        now = dt.datetime.now(dt.UTC)
        approval = decode_approval(body) if action == "approve" else None
        with pool.connection() as connection:
            found = connection.execute(_LOAD, {"id": ivr_id}, prepare=True).fetchone()
            if found is None:
                raise HTTPException(status_code=404)
            patient_id, status, version, sealed = found
            if status != leaves:
                raise HTTPException(status_code=409, detail=f"{action} is not allowed from {status}")
            context = f"{CONTENT_CONTEXT}{ivr_id}"
            document = decode_document(decrypt(sealed, context=context))
            changed = None
            if action == "submit":
                connection.execute(_MARK, {"patient": patient_id}, prepare=True)
                document["patient_snapshot"] = snapshot(connection, cipher, patient_id)
                changed = document
            elif approval is not None:
                document["coverages"] = msgspec.to_builtins(approval.coverages)
                changed = document
            values = {
                "id": ivr_id,
                "id_text": str(ivr_id),
                "status": reaches,
                "from": status,
                "trigger": action,
                "version": version,
                "at": now,
                "actor": claims["sub"],
                "session": claims["sid"],
                "role": role,
                "reviewer": claims["sub"] if action == "start-review" else None,
                "content": encrypt(encode(changed).decode(), context=context) if changed is not None else None,
                "submitted": now if action == "submit" else None,
                "decided": now if action == "approve" else None,
                "history": uuid.uuid4(),
                "audit": uuid.uuid4(),
                "event": uuid.uuid4(),
                "action": f"ivrs.{action.replace('-', '_')}",
                "patients": json.dumps([str(patient_id)]),
            }
            if connection.execute(_MOVE, values, prepare=True).rowcount != 1:
                raise HTTPException(status_code=409, detail="stale")
            connection.execute(_HISTORY, values, prepare=True)
            connection.execute(_AUDIT, values, prepare=True)
            event = {"ivr_id": str(ivr_id), "status": reaches, "from": status}
            connection.execute(_OUTBOX, {**values, "payload": json.dumps(event)}, prepare=True)
            connection.execute(_DEFER, {"job": json.dumps({"event_id": str(values["event"])})}, prepare=True)
        answer = {"id": ivr_id, "status": reaches, "version": version + 1, "updated_at": now, "content": document}
        return Response(encode(answer), media_type="application/json")

    return act
