"""The audit log in SQL: entries appended in the request's transaction; sealing takes only settled rows."""

from __future__ import annotations

from collections.abc import Sequence
from functools import cache
from typing import Any
from uuid import UUID

from sqlalchemy import (
    BigInteger,
    Connection,
    Insert,
    Row,
    Select,
    Text,
    Uuid,
    bindparam,
    cast,
    func,
    insert,
    literal_column,
    select,
    text,
    true,
    update,
)
from sqlalchemy.dialects.postgresql import ARRAY

from adapters.sqlalchemy.repositories.common import cut_page, keyset
from adapters.sqlalchemy.tables import audit_log, audit_log_patients, audit_sealer
from ivr_domain.admin.ports import AuditQuery, Seal, SealedEntry
from ivr_domain.shared.actor import Purpose, Role
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.ids import AuditId, PatientId, SessionId, UserId
from ivr_domain.shared.paging import Page, PageRequest

# Any constant works; it only has to be the same for every sealer of one database.
_SEALER_LOCK = 7_403_117_001
# The audit_log columns an append does not take from the entry (`_entry_values` gives all the others).
_SET_BY_DATABASE_OR_SEALER = frozenset({"seq", "xact_id", "position", "chain_hash"})


def _entry_values(entry: AuditEntry) -> dict[str, Any]:
    return {
        "id": entry.id,
        "at": entry.at,
        "action": entry.action,
        "outcome": entry.outcome.value,
        "user_id": entry.user_id,
        "role": entry.role.value if entry.role else None,
        "session_id": entry.session_id,
        "is_system": entry.is_system,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "patient_ids": [str(p) for p in entry.patient_ids],
        "changed_fields": list(entry.changed_fields),
        "reason": entry.reason,
        "purpose": entry.purpose.value,
        "client_address": entry.client_address,
        "user_agent": entry.user_agent,
        "correlation_id": entry.correlation_id,
    }


_PATIENT_UUIDS = literal_column(
    "ARRAY(SELECT json_array_elements_text(audit_log.patient_ids)::uuid)", type_=ARRAY(Uuid())
).label("patient_uuids")


def _with_patient_uuids(stmt: Select[Any], postgres: bool) -> Select[Any]:
    """On PostgreSQL, read the JSON array of patient ids as `uuid[]` instead (`entry_from_row` takes either).

    psycopg builds those UUIDs in C; parsing fifty id strings per entry in Python was the largest part of
    the sealer's CPU time (0.12 -> 0.09 ms per entry), taken from the requests of the server it runs in.
    """
    if not postgres:
        return stmt
    return stmt.with_only_columns(*(c for c in audit_log.c if c.name != "patient_ids"), _PATIENT_UUIDS)


def entry_from_row(row: Row[Any]) -> AuditEntry:
    """Map an audit row to the entry."""
    m = row._mapping
    uuids = m.get("patient_uuids")
    patient_ids = tuple(PatientId(UUID(p)) for p in m["patient_ids"]) if uuids is None else tuple(map(PatientId, uuids))
    return AuditEntry(
        id=AuditId(m["id"]),
        at=m["at"],
        action=m["action"],
        outcome=Outcome(m["outcome"]),
        user_id=UserId(m["user_id"]) if m["user_id"] is not None else None,
        role=Role(m["role"]) if m["role"] is not None else None,
        session_id=SessionId(m["session_id"]) if m["session_id"] is not None else None,
        is_system=m["is_system"],
        resource_type=m["resource_type"],
        resource_id=m["resource_id"],
        patient_ids=patient_ids,
        changed_fields=tuple(m["changed_fields"]),
        reason=m["reason"],
        purpose=Purpose(m["purpose"]),
        client_address=m["client_address"],
        user_agent=m["user_agent"],
        correlation_id=m["correlation_id"],
    )


class SqlAlchemyAuditLog:
    """Appends entries inside the unit of work's transaction."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def append(self, entry: AuditEntry) -> None:
        """Insert the entry and one row per patient it touched."""
        values = _entry_values(entry)
        if self._db.dialect.name == "postgresql":
            # One statement, built once: the entry, and its patient rows from its own id array (one round trip).
            parameters = {f"entry_{name}": value for name, value in values.items()}
            self._db.execute(_postgresql_append(bool(entry.patient_ids)), parameters)
            return
        seq = self._db.execute(_INSERT_ENTRY, values).scalar_one()
        if entry.patient_ids:
            self._db.execute(
                _INSERT_PATIENTS, [{"audit_seq": seq, "patient_id": p, "at": entry.at} for p in entry.patient_ids]
            )


# SQLite's append: the tables' own inserts with the values as parameters, compiled once.
_INSERT_ENTRY = insert(audit_log).returning(audit_log.c.seq)
_INSERT_PATIENTS = insert(audit_log_patients)


@cache
def _postgresql_append(with_patients: bool) -> Insert:
    """The PostgreSQL append: the entry (with its transaction id, for the sealer's horizon) and, through a
    data-modifying CTE, one `audit_log_patients` row per patient id of its `patient_ids` array."""
    values: dict[str, Any] = {
        column.name: bindparam(f"entry_{column.name}", type_=column.type)
        for column in audit_log.c
        if column.name not in _SET_BY_DATABASE_OR_SEALER
    }
    values["xact_id"] = cast(cast(func.pg_current_xact_id(), Text), BigInteger)
    entry = insert(audit_log).values(values)
    if not with_patients:
        return entry
    written = entry.returning(audit_log.c.seq, audit_log.c.at, audit_log.c.patient_ids).cte("written")
    # The ids come back from the row just written (its JSON array), so none is sent twice.
    touched = func.json_array_elements_text(written.c.patient_ids).table_valued("patient_id").render_derived()
    rows = select(written.c.seq, cast(touched.c.patient_id, Uuid), written.c.at).select_from(
        written.join(touched, true())  # the CTE holds one row: joined to every element of the array
    )
    return insert(audit_log_patients).from_select(["audit_seq", "patient_id", "at"], rows)


class SqlAlchemyAuditRecords:
    """Sealing, verification and search over the audit table."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection
        self._postgres = connection.dialect.name == "postgresql"

    def lock_for_sealing(self) -> bool:
        """Take the sealer's lock until the transaction ends (SQLite waits for it, PostgreSQL tries once)."""
        if self._postgres:
            return bool(self._db.execute(select(func.pg_try_advisory_xact_lock(_SEALER_LOCK))).scalar_one())
        self._db.execute(update(audit_sealer).where(audit_sealer.c.id == 1).values(sealed_at=func.current_timestamp()))
        return True

    def head(self) -> Seal | None:
        """Return the seal with the highest position."""
        row = self._db.execute(
            select(audit_log.c.id, audit_log.c.position, audit_log.c.chain_hash)
            .where(audit_log.c.position.is_not(None))
            .order_by(audit_log.c.position.desc())
            .limit(1)
        ).first()
        if row is None:
            return None
        return Seal(entry_id=AuditId(row.id), position=row.position, chain_hash=row.chain_hash)

    def unsealed(self, limit: int) -> list[AuditEntry]:
        """Unsealed rows in commit order; on PostgreSQL only those older than every running transaction."""
        stmt = select(audit_log).where(audit_log.c.position.is_(None))
        if self._postgres:
            horizon = text("pg_snapshot_xmin(pg_current_snapshot())::text::bigint")
            stmt = stmt.where(audit_log.c.xact_id < horizon).order_by(audit_log.c.xact_id, audit_log.c.seq)
        else:
            stmt = stmt.order_by(audit_log.c.seq)
        return [entry_from_row(row) for row in self._db.execute(_with_patient_uuids(stmt.limit(limit), self._postgres))]

    def seal(self, seals: Sequence[Seal]) -> None:
        """Write each entry's position and chain value."""
        if not seals:
            return
        stmt = (
            update(audit_log)
            .where(audit_log.c.id == bindparam("entry_id"), audit_log.c.position.is_(None))
            .values(position=bindparam("new_position"), chain_hash=bindparam("new_hash"))
        )
        self._db.execute(
            stmt,
            [{"entry_id": s.entry_id, "new_position": s.position, "new_hash": s.chain_hash} for s in seals],
        )

    def sealed(self, after_position: int | None, limit: int) -> list[SealedEntry]:
        """Return sealed entries after a position (None: from the lowest), in position order, with their index ids."""
        position = audit_log.c.position
        after = position.is_not(None) if after_position is None else position > after_position
        rows = self._db.execute(
            _with_patient_uuids(select(audit_log).where(after).order_by(position), self._postgres).limit(limit)
        ).all()
        indexed = self._indexed_patients([row.seq for row in rows])
        return [
            SealedEntry(
                entry=entry_from_row(row),
                position=row.position,
                chain_hash=row.chain_hash,
                indexed_patient_ids=frozenset(indexed.get(row.seq, ())),
            )
            for row in rows
        ]

    def _indexed_patients(self, seqs: list[int]) -> dict[int, list[PatientId]]:
        """Read the index rows of a batch of entries in one query (the primary key leads with `audit_seq`)."""
        indexed: dict[int, list[PatientId]] = {}
        if not seqs:
            return indexed
        rows = self._db.execute(
            select(audit_log_patients.c.audit_seq, audit_log_patients.c.patient_id).where(
                audit_log_patients.c.audit_seq.in_(seqs)
            )
        )
        for seq, patient_id in rows:
            indexed.setdefault(seq, []).append(PatientId(patient_id))
        return indexed

    def count_unsealed(self) -> int:
        """Count rows without a position."""
        return int(
            self._db.execute(
                select(func.count()).select_from(audit_log).where(audit_log.c.position.is_(None))
            ).scalar_one()
        )

    def search(self, query: AuditQuery, page: PageRequest) -> Page[AuditEntry]:
        """Filter with indexed columns, newest first, cursor-paged."""
        stmt = select(audit_log)
        if query.patient_id is not None:
            touched = select(audit_log_patients.c.audit_seq).where(audit_log_patients.c.patient_id == query.patient_id)
            stmt = stmt.where(audit_log.c.seq.in_(touched))
        if query.user_id is not None:
            stmt = stmt.where(audit_log.c.user_id == query.user_id)
        if query.action is not None:
            stmt = stmt.where(audit_log.c.action == query.action)
        if query.outcome is not None:
            stmt = stmt.where(audit_log.c.outcome == query.outcome.value)
        if query.since is not None:
            stmt = stmt.where(audit_log.c.at >= query.since)
        if query.until is not None:
            stmt = stmt.where(audit_log.c.at < query.until)
        rows = self._db.execute(
            _with_patient_uuids(keyset(stmt, page, {"at": audit_log.c.at}, audit_log.c.id), self._postgres)
        )
        return cut_page([entry_from_row(r) for r in rows], page, {"at": lambda e: e.at}, lambda e: e.id)
