"""Patient documents: metadata only (the bytes live encrypted in the document store), no file names.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 01:00:42.635722
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "patient_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("practice_id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("uploaded_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["patient_id"], ["patients.id"], name=op.f("fk_patient_documents_patient_id_patients")),
        sa.ForeignKeyConstraint(
            ["practice_id"], ["practices.id"], name=op.f("fk_patient_documents_practice_id_practices")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patient_documents")),
    )
    with op.batch_alter_table("patient_documents", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patient_documents_patient_id_created_at_id", ["patient_id", "created_at", "id"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_patient_documents_practice_id"), ["practice_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("patient_documents", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_patient_documents_practice_id"))
        batch_op.drop_index("ix_patient_documents_patient_id_created_at_id")

    op.drop_table("patient_documents")
