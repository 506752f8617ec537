"""The audit log: append-only entries, sealed later into an HMAC chain, and the patients each touched.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-26 00:47:25.816597
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "audit_log",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("action", sa.String(length=64), nullable=False),
        sa.Column("outcome", sa.String(length=16), nullable=False),
        sa.Column("user_id", sa.Uuid(), nullable=True),
        sa.Column("role", sa.String(length=32), nullable=True),
        sa.Column("session_id", sa.Uuid(), nullable=True),
        sa.Column("is_system", sa.Boolean(), nullable=False),
        sa.Column("resource_type", sa.String(length=32), nullable=False),
        sa.Column("resource_id", sa.String(length=64), nullable=True),
        sa.Column("patient_ids", sa.JSON(), nullable=False),
        sa.Column("changed_fields", sa.JSON(), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=False),
        sa.Column("purpose", sa.String(length=32), nullable=False),
        sa.Column("client_address", sa.String(length=64), nullable=True),
        sa.Column("user_agent", sa.String(length=512), nullable=True),
        sa.Column("correlation_id", sa.String(length=64), nullable=True),
        sa.Column("xact_id", sa.BigInteger(), nullable=True),
        sa.Column("position", sa.BigInteger(), nullable=True),
        sa.Column("chain_hash", sa.String(length=64), nullable=True),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_audit_log")),
        sa.UniqueConstraint("id", name=op.f("uq_audit_log_id")),
        sa.UniqueConstraint("position", name=op.f("uq_audit_log_position")),
    )
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_at_seq", ["at", "seq"], unique=False)
        batch_op.create_index(
            "ix_audit_log_unsealed",
            ["xact_id", "seq"],
            unique=False,
            postgresql_where=sa.text("position IS NULL"),
            sqlite_where=sa.text("position IS NULL"),
        )
        batch_op.create_index("ix_audit_log_user_id_at", ["user_id", "at"], unique=False)

    op.create_table(
        "audit_log_patients",
        sa.Column("audit_seq", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["audit_seq"], ["audit_log.seq"], name=op.f("fk_audit_log_patients_audit_seq_audit_log")
        ),
        sa.PrimaryKeyConstraint("audit_seq", "patient_id", name=op.f("pk_audit_log_patients")),
    )
    with op.batch_alter_table("audit_log_patients", schema=None) as batch_op:
        batch_op.create_index("ix_audit_log_patients_patient_id_at", ["patient_id", "at", "audit_seq"], unique=False)

    sealer = op.create_table(
        "audit_sealer",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("sealed_at", sa.DateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_audit_sealer")),
    )
    op.bulk_insert(sealer, [{"id": 1, "sealed_at": None}])


def downgrade() -> None:
    op.drop_table("audit_sealer")
    with op.batch_alter_table("audit_log_patients", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_patients_patient_id_at")

    op.drop_table("audit_log_patients")
    with op.batch_alter_table("audit_log", schema=None) as batch_op:
        batch_op.drop_index("ix_audit_log_user_id_at")
        batch_op.drop_index(
            "ix_audit_log_unsealed",
            postgresql_where=sa.text("position IS NULL"),
            sqlite_where=sa.text("position IS NULL"),
        )
        batch_op.drop_index("ix_audit_log_at_seq")

    op.drop_table("audit_log")
