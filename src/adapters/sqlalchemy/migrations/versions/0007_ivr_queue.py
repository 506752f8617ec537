"""An index for the verification queue: status as the equality, then priority, last_submitted_at and id.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-26 07:00:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

from alembic import op

revision: str = "0007"
down_revision: str | None = "0006"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    # A plain CREATE INDEX: migrations run in one transaction, which CREATE INDEX CONCURRENTLY cannot.
    with op.batch_alter_table("ivrs", schema=None) as batch_op:
        batch_op.create_index(
            "ix_ivrs_status_priority_last_submitted_at_id",
            ["status", "priority", "last_submitted_at", "id"],
            unique=False,
        )


def downgrade() -> None:
    with op.batch_alter_table("ivrs", schema=None) as batch_op:
        batch_op.drop_index("ix_ivrs_status_priority_last_submitted_at_id")
