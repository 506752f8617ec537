"""IVR documents: metadata only (the bytes live encrypted in the document store), no file names.

Revision ID: 0010
Revises: 0009
Create Date: 2026-11-26 08:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0010"
down_revision: str | None = "0009"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ivr_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("ivr_id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("practice_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["ivr_id"], ["ivrs.id"], name=op.f("fk_ivr_documents_ivr_id_ivrs")),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_ivr_documents_patient_id_patients")),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"], name=op.f("fk_ivr_documents_practice_id_practices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_documents")),
    )
    with op.batch_alter_table("ivr_documents", schema=None) as batch_op:
        batch_op.create_index("ix_ivr_documents_ivr_id_created_at_id", ["ivr_id", "created_at", "id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ivr_documents_patient_id"), ["patient_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_ivr_documents_practice_id"), ["practice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("ivr_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_ivr_documents_practice_id"))
        batch_op.drop_index(batch_op.f("ix_ivr_documents_patient_id"))
        batch_op.drop_index("ix_ivr_documents_ivr_id_created_at_id")

    op.drop_table("ivr_documents")
