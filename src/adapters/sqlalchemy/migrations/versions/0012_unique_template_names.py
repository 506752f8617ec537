"""Unique template names per owner and unique justification titles, ignoring case and spacing.

Names compare by their fold: case folded, runs of whitespace collapsed (the core's `name_key`, repeated
here as it is at this revision so the migration never changes with the code). `ivr_templates.name_key`
held the case fold only, so it is recomputed; `medical_justifications` gets the same in `title_key`.
A practice's templates are unique among themselves and the global ones (no practice) among themselves:
two partial unique indexes, since NULLs never collide in a unique index.

Rows that already collide keep the oldest (by created_at, then id) as it is; the others get " (2)",
" (3)", ... appended to their name or title, so the indexes can be built. Downgrading drops the indexes
and `title_key` but keeps those names.

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-26 10:30:00.000000
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any

import sqlalchemy as sa
from alembic import op

revision: str = "0012"
down_revision: str | None = "0011"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

MAX_NAME = 200

_TEMPLATES = sa.table(
    "ivr_templates",
    sa.column("id", sa.Uuid()),
    sa.column("practice_id", sa.Uuid()),
    sa.column("name", sa.String()),
    sa.column("name_key", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)
_JUSTIFICATIONS = sa.table(
    "medical_justifications",
    sa.column("id", sa.Uuid()),
    sa.column("title", sa.String()),
    sa.column("title_key", sa.String()),
    sa.column("created_at", sa.DateTime(timezone=True)),
)


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def _unique(rows: Sequence[tuple[Any, Any, str]]) -> Iterator[tuple[Any, str, str]]:
    """Yield (id, name, fold) for every row, oldest first, renaming the later rows of a colliding owner and fold."""
    taken = {(owner, _fold(name)) for _, owner, name in rows}
    kept: set[tuple[Any, str]] = set()
    for row_id, owner, name in rows:
        key = (owner, _fold(name))
        if key not in kept:
            kept.add(key)
            yield row_id, name, key[1]
            continue
        number = 2
        while True:
            suffix = f" ({number})"
            candidate = name[: MAX_NAME - len(suffix)].rstrip() + suffix
            if (owner, _fold(candidate)) not in taken:
                break
            number += 1
        taken.add((owner, _fold(candidate)))
        kept.add((owner, _fold(candidate)))
        yield row_id, candidate, _fold(candidate)


def _fill_template_keys(bind: sa.Connection) -> None:
    t = _TEMPLATES.c
    rows = bind.execute(sa.select(t.id, t.practice_id, t.name, t.name_key).order_by(t.created_at, t.id)).all()
    stored = {row.id: (row.name, row.name_key) for row in rows}
    for row_id, name, key in _unique([(row.id, row.practice_id, row.name) for row in rows]):
        if stored[row_id] != (name, key):
            bind.execute(sa.update(_TEMPLATES).where(t.id == row_id).values(name=name, name_key=key))


def _fill_title_keys(bind: sa.Connection) -> None:
    j = _JUSTIFICATIONS.c
    rows = bind.execute(sa.select(j.id, j.title).order_by(j.created_at, j.id)).all()
    for row_id, title, key in _unique([(row.id, None, row.title) for row in rows]):
        bind.execute(sa.update(_JUSTIFICATIONS).where(j.id == row_id).values(title=title, title_key=key))


def upgrade() -> None:
    bind = op.get_bind()
    _fill_template_keys(bind)
    op.create_index(
        "uq_ivr_templates_practice_name_key",
        "ivr_templates",
        ["practice_id", "name_key"],
        unique=True,
        sqlite_where=sa.text("practice_id IS NOT NULL"),
        postgresql_where=sa.text("practice_id IS NOT NULL"),
    )
    op.create_index(
        "uq_ivr_templates_global_name_key",
        "ivr_templates",
        ["name_key"],
        unique=True,
        sqlite_where=sa.text("practice_id IS NULL"),
        postgresql_where=sa.text("practice_id IS NULL"),
    )
    with op.batch_alter_table("medical_justifications", schema=None) as batch_op:
        batch_op.add_column(sa.Column("title_key", sa.String(length=800), nullable=True))
    _fill_title_keys(bind)
    with op.batch_alter_table("medical_justifications", schema=None) as batch_op:
        batch_op.alter_column("title_key", existing_type=sa.String(length=800), nullable=False)
        batch_op.create_unique_constraint("uq_medical_justifications_title_key", ["title_key"])


def downgrade() -> None:
    with op.batch_alter_table("medical_justifications", schema=None) as batch_op:
        batch_op.drop_constraint("uq_medical_justifications_title_key", type_="unique")
        batch_op.drop_column("title_key")
    op.drop_index("uq_ivr_templates_global_name_key", table_name="ivr_templates")
    op.drop_index("uq_ivr_templates_practice_name_key", table_name="ivr_templates")
