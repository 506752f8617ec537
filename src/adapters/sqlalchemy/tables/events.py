"""The outbox of domain events, its sequencer, handled events, and in-app notifications."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    BigInteger,
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

# One row per domain event, inserted in the transaction of the change it reports. `seq` is insertion order;
# `position` is given later by the sequencer, densely, in commit order (on PostgreSQL only to rows whose
# `xact_id` is older than every running transaction, as the audit sealer does). The payload holds ids only.
outbox = Table(
    "outbox",
    metadata,
    Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
    Column("id", Uuid, nullable=False, unique=True),
    Column("name", String(64), nullable=False),
    Column("payload", JSON, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("xact_id", BigInteger),
    Column("position", BigInteger, unique=True),
    Column("dispatched_at", UtcDateTime),
    Column("attempts", Integer, nullable=False),
    Index(
        "ix_outbox_unsequenced",
        "xact_id",
        "seq",
        postgresql_where=text("position IS NULL"),
        sqlite_where=text("position IS NULL"),
    ),
    Index(
        "ix_outbox_undispatched",
        "seq",
        postgresql_where=text("dispatched_at IS NULL"),
        sqlite_where=text("dispatched_at IS NULL"),
    ),
)

# One row; the SQLite sequencer updates it first to take the write lock (PostgreSQL: an advisory lock).
outbox_sequencer = Table(
    "outbox_sequencer",
    metadata,
    Column("id", Integer, primary_key=True),
    Column("sequenced_at", UtcDateTime),
)

# Which handler has taken which event; written in the handler's own transaction, so a redelivery does nothing.
processed_events = Table(
    "processed_events",
    metadata,
    Column("handler", String(64), primary_key=True),
    Column("event_id", Uuid, primary_key=True),
    Column("processed_at", UtcDateTime, nullable=False),
)

# In-app notifications: ids, kinds and times only, never PHI. The id follows from (event, recipient, kind).
notifications = Table(
    "notifications",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("recipient_id", Uuid, ForeignKey("users.id"), nullable=False),
    Column("kind", String(32), nullable=False),
    Column("event_id", Uuid, nullable=False),
    Column("subject_type", String(16), nullable=False),
    Column("subject_id", Uuid, nullable=False),
    Column("occurred_at", UtcDateTime, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("read_at", UtcDateTime),
    Index("ix_notifications_recipient_id_created_at_id", "recipient_id", "created_at", "id"),
    Index(
        "ix_notifications_unread",
        "recipient_id",
        "created_at",
        "id",
        postgresql_where=text("read_at IS NULL"),
        sqlite_where=text("read_at IS NULL"),
    ),
)
