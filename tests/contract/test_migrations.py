"""The Alembic chain builds exactly the schema `adapters.sqlalchemy.tables` declares, and steps back down."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from adapters.sqlalchemy.engine import create_engine_for
from adapters.sqlalchemy.migrate import alembic_config, upgrade
from adapters.sqlalchemy.tables import metadata
from tests.contract.conftest import Backend

# Alembic cannot compare index expressions (SQLite cannot even reflect them): these are checked by name.
EXPRESSION_INDEXES = {"ix_ivrs_queue_order", "ix_ivrs_payer_queue_order"}


def _declared(obj: Any, name: str | None, kind: str, reflected: bool, compare_to: Any) -> bool:
    if kind == "index" and name in EXPRESSION_INDEXES:
        return False
    return not (kind == "table" and name is not None and name.startswith("procrastinate"))


@pytest.mark.filterwarnings("ignore:Skipped unsupported reflection")
@pytest.mark.filterwarnings("ignore:autogenerate skipping metadata-specified expression-based index")
@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_the_migrated_schema_is_exactly_the_declared_one(backend: Backend) -> None:
    assert backend.engine is not None
    with backend.engine.connect() as db:
        diff = compare_metadata(MigrationContext.configure(db, opts={"include_object": _declared}), metadata)
        indexes = {index["name"] for index in sa.inspect(db).get_indexes("ivrs")}
    assert diff == []
    if backend.name == "postgresql":
        assert indexes >= EXPRESSION_INDEXES
    else:  # SQLite reflects no expression index: ask its catalogue instead
        with backend.engine.connect() as db:
            names = db.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars()
            assert set(names) >= EXPRESSION_INDEXES


def test_the_ivr_operations_migrations_step_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ivr.db'}"
    upgrade(url)
    engine = create_engine_for(url)
    added = {"ivr_templates", "medical_justifications", "ivr_documents"}
    try:
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0008")
        with engine.connect() as db:
            assert not added & set(sa.inspect(db).get_table_names())
            assert "payer_id" not in {column["name"] for column in sa.inspect(db).get_columns("ivrs")}
        upgrade(url)
        with engine.connect() as db:
            assert added <= set(sa.inspect(db).get_table_names())
            assert "payer_id" in {column["name"] for column in sa.inspect(db).get_columns("ivrs")}
    finally:
        engine.dispose()
