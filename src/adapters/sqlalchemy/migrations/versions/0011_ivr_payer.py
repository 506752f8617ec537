"""A clear payer id on IVRs for the queue's payer filter (ADR 0006), and the queue's indexes in its own order.

The column holds the primary insurance's payer id from the patient snapshot taken at the latest submit;
null before the first submit. Rows submitted before this migration cannot be filled here: their payer id is
inside the encrypted snapshot and migrations hold no keys. `ivr db backfill-ivr-payers` fills them
afterwards through the platform's own codec (resumable, online); until it has run, those IVRs are missing
from a payer-filtered queue (every other filter still finds them), and any save of one fills it too.

The queue orders by `CASE WHEN priority = 'urgent' THEN 0 ELSE 1 END, last_submitted_at, id`; 0007's index
on the raw priority could not give that order, so every page read and sorted all IVRs of the status (12,000
rows on the benchmark data). The two indexes below hold the expression itself, so a page stops after 51 rows.
They are expression indexes, which SQLite's batch mode does not carry over: a later batch migration that
recreates `ivrs` on SQLite must create them again.

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-26 08:30:00.000000
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0011"
down_revision: str | None = "0010"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


RANK = sa.text("(CASE WHEN (priority = 'urgent') THEN 0 ELSE 1 END)")
ORDER: list[str | sa.TextClause] = ["status", RANK, "last_submitted_at", "id"]


def upgrade() -> None:
    with op.batch_alter_table("ivrs", schema=None) as batch_op:
        batch_op.add_column(sa.Column("payer_id", sa.String(length=50), nullable=True))
        batch_op.drop_index("ix_ivrs_status_priority_last_submitted_at_id")
    # Plain CREATE INDEX (not batch): expressions are passed through as written.
    op.create_index("ix_ivrs_queue_order", "ivrs", ORDER)
    op.create_index("ix_ivrs_payer_queue_order", "ivrs", ["payer_id", *ORDER])


def downgrade() -> None:
    op.drop_index("ix_ivrs_payer_queue_order", table_name="ivrs")
    op.drop_index("ix_ivrs_queue_order", table_name="ivrs")
    with op.batch_alter_table("ivrs", schema=None) as batch_op:
        batch_op.drop_column("payer_id")
        batch_op.create_index(
            "ix_ivrs_status_priority_last_submitted_at_id", ["status", "priority", "last_submitted_at", "id"]
        )
