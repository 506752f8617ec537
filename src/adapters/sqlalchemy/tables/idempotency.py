"""Responses kept for replayed `Idempotency-Key` requests."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
    Boolean,
    Column,
    Integer,
    LargeBinary,
    String,
    Table,
    Uuid,
)

from adapters.sqlalchemy.tables._metadata import metadata
from adapters.sqlalchemy.types import UtcDateTime

idempotency_records = Table(
    "idempotency_records",
    metadata,
    Column("user_id", Uuid, primary_key=True),
    Column("key", String(255), primary_key=True),
    Column("request_hash", String(128), nullable=False),
    Column("status_code", Integer),
    Column("response_body", LargeBinary),
    Column("headers", JSON),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False, index=True),
    Column("completed", Boolean, nullable=False),
)
