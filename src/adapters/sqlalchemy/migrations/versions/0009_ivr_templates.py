"""IVR templates and the medical justification library.

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-26 08:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0009"
down_revision: str | None = "0008"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "ivr_templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("practice_id", sa.Uuid(), nullable=True),
        sa.Column(
            "name",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("name_key", sa.String(length=800), nullable=False),
        sa.Column("content", sa.JSON(), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["practice_id"], ["practices.id"], name=op.f("fk_ivr_templates_practice_id_practices")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ivr_templates")),
    )
    with op.batch_alter_table("ivr_templates", schema=None) as batch_op:
        batch_op.create_index("ix_ivr_templates_practice_id_name_id", ["practice_id", "name", "id"], unique=False)
        batch_op.create_index("ix_ivr_templates_name_id", ["name", "id"], unique=False)
        batch_op.create_index("ix_ivr_templates_created_at_id", ["created_at", "id"], unique=False)
    op.create_table(
        "medical_justifications",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column(
            "title",
            sa.String(length=200).with_variant(sa.String(length=200, collation="C"), "postgresql"),
            nullable=False,
        ),
        sa.Column("wound_type", sa.String(length=32), nullable=False),
        sa.Column("hcpcs_code", sa.String(length=5), nullable=True),
        sa.Column("text", sa.String(length=5000), nullable=False),
        sa.Column("created_by", sa.Uuid(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.Uuid(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_medical_justifications")),
    )
    with op.batch_alter_table("medical_justifications", schema=None) as batch_op:
        batch_op.create_index("ix_medical_justifications_title_id", ["title", "id"], unique=False)
        batch_op.create_index(
            "ix_medical_justifications_wound_type_title_id", ["wound_type", "title", "id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("medical_justifications")
    op.drop_table("ivr_templates")
