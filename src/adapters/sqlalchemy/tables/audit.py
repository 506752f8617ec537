"""The append-only audit log, the patients each record touched, and the sealer's row."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Column,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Uuid,
    text,
)

from adapters.sqlalchemy.tables._metadata import metadata
from adapters.sqlalchemy.types import UtcDateTime

# Append-only. `seq` is insertion order (commit order on SQLite, one writer at a time); on PostgreSQL
# `xact_id` lets the sealer take only rows whose transaction is older than every running one.
# `position` and `chain_hash` are set once, by the sealer.
audit_log = Table(
    "audit_log",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("at", UtcDateTime, nullable=False),
    Column("action", String(64), nullable=False),
    Column("outcome", String(16), nullable=False),
    Column("user_id", Uuid),
    Column("role", String(32)),
    Column("session_id", Uuid),
    Column("is_system", Boolean, nullable=False),
    Column("resource_type", String(32), nullable=False),
    Column("resource_id", String(64)),
    Column("patient_ids", JSON, nullable=False),
    Column("changed_fields", JSON, nullable=False),
    Column("reason", String(64), nullable=False),
    Column("purpose", String(32), nullable=False),
    Column("client_address", String(64)),
    Column("user_agent", String(512)),
    Column("correlation_id", String(64)),
    Column("xact_id", BigInteger),
    Column("position", BigInteger, unique=True),
    Column("chain_hash", String(64)),
    Index("ix_audit_log_at_seq", "at", "seq"),
    Index("ix_audit_log_user_id_at", "user_id", "at"),
    Index(
        "ix_audit_log_unsealed",
        "xact_id",
        "seq",
        postgresql_where=text("position IS NULL"),
        sqlite_where=text("position IS NULL"),
    ),
)

# One row per patient an audited request touched: the access report and the patient filter read it.
audit_log_patients = Table(
    "audit_log_patients",
    metadata,
    Column("audit_seq", BigInteger().with_variant(Integer, "sqlite"), ForeignKey("audit_log.seq"), primary_key=True),
    Column("patient_id", Uuid, primary_key=True),
    Column("at", UtcDateTime, nullable=False),
    Index("ix_audit_log_patients_patient_id_at", "patient_id", "at", "audit_seq"),
)

# One row; on SQLite a sealer updates it first, which takes the database's write lock, so two sealers
# (the server's timer and `ivr audit seal`) take turns. PostgreSQL uses an advisory lock instead.
audit_sealer = Table(
    "audit_sealer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sealed_at", UtcDateTime),
)
