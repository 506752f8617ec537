"""IVRs: clear columns to filter, scope and sort by, one encrypted content document; their history; reference counters.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-26 05:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_SUBMITTED = "submitted_at IS NOT NULL"


def upgrade() -> None:
    op.create_table(
        "reference_counters",
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("year", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("last", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("kind", "year", name=op.f("pk_reference_counters")),
    )
    op.create_table(
        "ivrs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("reference", sa.String(length=32), nullable=False),
        sa.Column("practice_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("priority", sa.String(length=16), nullable=False),
        sa.Column("request_type", sa.String(length=32), nullable=False),
        sa.Column("reviewer_id", sa.Uuid(), nullable=True),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_submitted_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("decided_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("valid_until", sa.Date(), nullable=True),
        sa.Column("content", sa.LargeBinary(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_ivrs_patient_id_patients")),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"], name=op.f("fk_ivrs_practice_id_practices")),
        sa.ForeignKeyConstraint(["reviewer_id"], ["users.id"], name=op.f("fk_ivrs_reviewer_id_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivrs")),
        sa.UniqueConstraint("reference", name=op.f("uq_ivrs_reference")),
    )
    with op.batch_alter_table("ivrs", schema=None) as batch_op:
        batch_op.create_index("ix_ivrs_created_at_id", ["created_at", "id"], unique=False)
        batch_op.create_index("ix_ivrs_updated_at_id", ["updated_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ivrs_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index("ix_ivrs_practice_id_created_at_id", ["practice_id", "created_at", "id"], unique=False)
        batch_op.create_index("ix_ivrs_status_created_at_id", ["status", "created_at", "id"], unique=False)
        batch_op.create_index("ix_ivrs_reviewer_id_created_at_id", ["reviewer_id", "created_at", "id"], unique=False)
        batch_op.create_index(
            "ix_ivrs_submitted_created_at_id",
            ["created_at", "id"],
            unique=False,
            postgresql_where=sa.text(_SUBMITTED),
            sqlite_where=sa.text(_SUBMITTED),
        )
        batch_op.create_index("ix_ivrs_submitted_at_id", ["submitted_at", "id"], unique=False)

    op.create_table(
        "ivr_history",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ivr_id", sa.Uuid(), nullable=False),
        sa.Column("from_status", sa.String(length=32), nullable=True),
        sa.Column("to_status", sa.String(length=32), nullable=False),
        sa.Column("trigger", sa.String(length=32), nullable=False),
        sa.Column("actor_id", sa.Uuid(), nullable=False),
        sa.Column("actor_role", sa.String(length=32), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("reason", sa.String(length=64), nullable=True),
        sa.Column("note", sa.LargeBinary(), nullable=True),
        sa.ForeignKeyConstraint(["ivr_id"], ["ivrs.id"], name=op.f("fk_ivr_history_ivr_id_ivrs")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_history")),
    )
    with op.batch_alter_table("ivr_history", schema=None) as batch_op:
        batch_op.create_index("ix_ivr_history_ivr_id_at_id", ["ivr_id", "at", "id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ivr_history", schema=None) as batch_op:
        batch_op.drop_index("ix_ivr_history_ivr_id_at_id")
    op.drop_table("ivr_history")

    with op.batch_alter_table("ivrs", schema=None) as batch_op:
        batch_op.drop_index("ix_ivrs_submitted_at_id")
        batch_op.drop_index(
            "ix_ivrs_submitted_created_at_id",
            postgresql_where=sa.text(_SUBMITTED),
            sqlite_where=sa.text(_SUBMITTED),
        )
        batch_op.drop_index("ix_ivrs_reviewer_id_created_at_id")
        batch_op.drop_index("ix_ivrs_status_created_at_id")
        batch_op.drop_index("ix_ivrs_practice_id_created_at_id")
        batch_op.drop_index(batch_op.f("ix_ivrs_patient_id"))
        batch_op.drop_index("ix_ivrs_updated_at_id")
        batch_op.drop_index("ix_ivrs_created_at_id")
    op.drop_table("ivrs")
    op.drop_table("reference_counters")
