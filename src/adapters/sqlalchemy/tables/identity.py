"""Practices, users, their sessions and tokens, and the sales hierarchy's assignments."""

from __future__ import annotations

from sqlalchemy import (
    JSON,
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
from adapters.sqlalchemy.types import UtcDateTime, ordered_text

practices = Table(
    "practices",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("name", ordered_text(200), nullable=False),
    Column("name_key", String(200), nullable=False, index=True),
    Column("npi", String(10)),
    Column("address_line1", String(200)),
    Column("address_line2", String(200)),
    Column("address_city", String(100)),
    Column("address_state", String(2)),
    Column("address_postal_code", String(10)),
    Column("phone", String(16)),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_practices_created_at_id", "created_at", "id"),
    Index("ix_practices_name_id", "name", "id"),
)

users = Table(
    "users",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("email", ordered_text(254), nullable=False, unique=True),
    Column("name", String(200), nullable=False),
    Column("role", String(32), nullable=False),
    Column("password_hash", String(512), nullable=False),
    Column("practice_id", Uuid, ForeignKey("practices.id"), index=True),
    Column("grants", JSON, nullable=False),
    Column("revocations", JSON, nullable=False),
    Column("active", Boolean, nullable=False),
    Column("created_at", UtcDateTime, nullable=False),
    Column("updated_at", UtcDateTime, nullable=False),
    Column("password_changed_at", UtcDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Index("ix_users_created_at_id", "created_at", "id"),
)

sessions = Table(
    "sessions",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("last_seen_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("ended_at", UtcDateTime),
    Column("end_reason", String(32)),
    Column("client_address", String(64)),
)

refresh_tokens = Table(
    "refresh_tokens",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("session_id", Uuid, ForeignKey("sessions.id"), nullable=False, index=True),
    Column("issued_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)

reset_tokens = Table(
    "reset_tokens",
    metadata,
    Column("token_hash", String(128), primary_key=True),
    Column("user_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("created_at", UtcDateTime, nullable=False),
    Column("expires_at", UtcDateTime, nullable=False),
    Column("used_at", UtcDateTime),
)

assignments = Table(
    "assignments",
    metadata,
    Column("id", Uuid, primary_key=True),
    Column("kind", String(32), nullable=False),
    Column("manager_id", Uuid, ForeignKey("users.id"), nullable=False, index=True),
    Column("member_user_id", Uuid, ForeignKey("users.id"), index=True),
    Column("member_practice_id", Uuid, ForeignKey("practices.id"), index=True),
    Column("effective_from", UtcDateTime, nullable=False),
    Column("effective_to", UtcDateTime),
    # no foreign key: the system actor assigns too, and it has no row
    Column("assigned_by", Uuid, nullable=False),
    Index(
        "uq_assignments_current_member_user",
        "member_user_id",
        unique=True,
        sqlite_where=text("effective_to IS NULL"),
        postgresql_where=text("effective_to IS NULL"),
    ),
    Index(
        "uq_assignments_current_member_practice",
        "member_practice_id",
        unique=True,
        sqlite_where=text("effective_to IS NULL"),
        postgresql_where=text("effective_to IS NULL"),
    ),
)
