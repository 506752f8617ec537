"""The Alembic chain builds exactly the schema `adapters.sqlalchemy.tables` declares, and steps back down."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from uuid import uuid4

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from adapters.sqlalchemy.engine import create_engine_for
from adapters.sqlalchemy.migrate import alembic_config, upgrade
from adapters.sqlalchemy.tables import ivr_templates, medical_justifications, metadata
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


# Alembic compares an index's columns and uniqueness, not its WHERE: the partial unique ones are read here.
PARTIAL_UNIQUE = {
    "uq_ivr_templates_practice_name_key": "WHERE practice_id IS NOT NULL",
    "uq_ivr_templates_global_name_key": "WHERE practice_id IS NULL",
}


@pytest.mark.parametrize("backend", ["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)], indirect=True)
def test_template_names_are_unique_per_owner_through_partial_indexes(backend: Backend) -> None:
    assert backend.engine is not None
    if backend.name == "postgresql":
        query = "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = 'ivr_templates'"
    else:
        query = "SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'ivr_templates'"
    with backend.engine.connect() as db:
        found = {name: str(sql).replace("(", "").replace(")", "") for name, sql in db.exec_driver_sql(query).all()}
    for name, where in PARTIAL_UNIQUE.items():
        assert found[name].startswith("CREATE UNIQUE INDEX")
        assert found[name].endswith(where)


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


def _names_at_0012(tmp_path: Path) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """Migrate to 0011, store colliding names, then migrate on; return (name, key) of templates and justifications."""
    url = f"sqlite:///{tmp_path / 'ivr.db'}"
    upgrade(url, "0011")
    engine = create_engine_for(url)
    at = datetime(2026, 11, 1, tzinfo=UTC)
    author = {"created_by": uuid4(), "created_at": at, "updated_by": uuid4(), "updated_at": at, "version": 1}
    try:
        with engine.begin() as db:
            for n, name in enumerate(["Heel DFU", "heel  dfu", "HEEL DFU (2)", "Leg\tVLU"]):
                template = {"id": uuid4(), "practice_id": None, "name": name, "name_key": name.casefold()}
                db.execute(
                    ivr_templates.insert(), {**template, **author, "content": {}, "created_at": at.replace(day=n + 1)}
                )
            for n, title in enumerate(["DFU care", "dfu CARE"]):
                item = {"id": uuid4(), "title": title, "wound_type": "burn", "hcpcs_code": None, "text": "Why."}
                db.execute(medical_justifications.insert(), {**item, **author, "created_at": at.replace(day=n + 1)})
        upgrade(url)
        with engine.connect() as db:
            order = (ivr_templates.c.created_at,)
            t = db.execute(sa.select(ivr_templates.c.name, ivr_templates.c.name_key).order_by(*order)).all()
            j = medical_justifications.c
            found = db.execute(sa.select(j.title, j.title_key).order_by(j.created_at)).all()
        return [tuple(row) for row in t], [tuple(row) for row in found]
    finally:
        engine.dispose()


def test_0012_keeps_the_oldest_of_colliding_names_and_numbers_the_others(tmp_path: Path) -> None:
    templates, justifications = _names_at_0012(tmp_path)

    assert templates == [
        ("Heel DFU", "heel dfu"),
        ("heel  dfu (3)", "heel dfu (3)"),  # " (2)" was taken already
        ("HEEL DFU (2)", "heel dfu (2)"),
        ("Leg\tVLU", "leg vlu"),
    ]
    assert justifications == [("DFU care", "dfu care"), ("dfu CARE (2)", "dfu care (2)")]


def test_0012_steps_down_and_up_again(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'ivr.db'}"
    upgrade(url)
    engine = create_engine_for(url)
    unique = {"uq_ivr_templates_practice_name_key", "uq_ivr_templates_global_name_key"}

    def state() -> tuple[bool, bool]:
        with engine.connect() as db:
            names = set(db.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'index'").scalars())
            columns = {column["name"] for column in sa.inspect(db).get_columns("medical_justifications")}
        return unique <= names, "title_key" in columns

    try:
        assert state() == (True, True)
        with engine.begin() as connection:
            config = alembic_config()
            config.attributes["connection"] = connection
            command.downgrade(config, "0011")
        assert state() == (False, False)
        upgrade(url)
        assert state() == (True, True)
    finally:
        engine.dispose()
