"""An index for the default patient list: practice and archived as equalities, then created_at and id.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 01:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0005"
down_revision: str | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain CREATE INDEX locks writes to patients while it builds (well under a second per 100,000 rows);
    # migrations run in one transaction, which CREATE INDEX CONCURRENTLY cannot.
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.create_index(
            "ix_patients_practice_id_archived_created_at_id",
            ["practice_id", "archived", "created_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("patients", schema=None) as batch_op:
        batch_op.drop_index("ix_patients_practice_id_archived_created_at_id")
