"""Helpers every repository shares: keyset paging, inserts that report conflicts, sort values."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import UTC, datetime
from functools import cache
from typing import Any, TypeVar
from uuid import UUID

from sqlalchemy import BindParameter, ColumnElement, Connection, Integer, Select, Table, and_, bindparam, or_
from sqlalchemy.dialects import postgresql, sqlite

from ivr_domain.shared.paging import Page, PageRequest, SortKey, cursor_for, is_instant, position_of

T = TypeVar("T")


def sort_value_text(value: object) -> str:
    """Render a sort value as a cursor carries it (instants in UTC ISO form)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def sort_key(page: PageRequest, columns: Mapping[str, object]) -> SortKey:
    """Return the page's sort, or raise ValueError when it names none of the columns."""
    key = SortKey.parse(page.sort, tuple(columns))
    if key is None:
        raise ValueError(f"unsupported sort {page.sort!r}")
    return key


def keyset(
    stmt: Select[Any], page: PageRequest, columns: Mapping[str, ColumnElement[Any]], id_column: ColumnElement[Any]
) -> Select[Any]:
    """Order by (sort column, id), continue after the cursor and fetch one row more than a page."""
    key = sort_key(page, columns)
    column = columns[key.field]
    if page.cursor is not None:
        position = position_of(page.cursor, page.sort)
        if position is None:
            raise ValueError("cursor does not fit the sort")
        value: Any = datetime.fromisoformat(position.value) if is_instant(key.field) else position.value
        if key.descending:
            stmt = stmt.where(or_(column < value, and_(column == value, id_column < position.id)))
        else:
            stmt = stmt.where(or_(column > value, and_(column == value, id_column > position.id)))
    if key.descending:
        return stmt.order_by(column.desc(), id_column.desc()).limit(page.limit + 1)
    return stmt.order_by(column.asc(), id_column.asc()).limit(page.limit + 1)


def bound_keyset(
    stmt: Select[Any], column: ColumnElement[Any], id_column: ColumnElement[Any], *, descending: bool, after: bool
) -> Select[Any]:
    """`keyset` for a statement built once and run for every page of its shape.

    The cursor's position (when `after`) and the page size are bind parameters, `after_value`,
    `after_id` and `page_limit`, whose values `keyset_parameters` gives; SQLAlchemy then compiles the
    statement once and skips building it and its cache key on every request.
    """
    if after:
        value: BindParameter[Any] = bindparam("after_value")
        row_id: BindParameter[Any] = bindparam("after_id")
        if descending:
            stmt = stmt.where(or_(column < value, and_(column == value, id_column < row_id)))
        else:
            stmt = stmt.where(or_(column > value, and_(column == value, id_column > row_id)))
    order = (column.desc(), id_column.desc()) if descending else (column.asc(), id_column.asc())
    return stmt.order_by(*order).limit(bindparam("page_limit", type_=Integer))


def keyset_parameters(page: PageRequest, key: SortKey) -> dict[str, Any]:
    """The values of `bound_keyset`'s parameters for one page request (its sort parsed as `key`)."""
    values: dict[str, Any] = {"page_limit": page.limit + 1}
    if page.cursor is not None:
        position = position_of(page.cursor, page.sort)
        if position is None:
            raise ValueError("cursor does not fit the sort")
        values["after_value"] = datetime.fromisoformat(position.value) if is_instant(key.field) else position.value
        values["after_id"] = position.id
    return values


def cut_page(
    items: Sequence[T], page: PageRequest, sorts: Mapping[str, Callable[[T], object]], id_of: Callable[[T], UUID]
) -> Page[T]:
    """Keep one page of the rows `keyset` fetched and make the cursor of the next."""
    if len(items) <= page.limit:
        return Page(items=tuple(items))
    kept = items[: page.limit]
    key = SortKey.parse(page.sort, tuple(sorts))
    if key is None:
        raise ValueError(f"unsupported sort {page.sort!r}")
    last = kept[-1]
    value = sort_value_text(sorts[key.field](last))
    return Page(items=tuple(kept), next_cursor=cursor_for(page.sort, value, id_of(last)))


def insert_unless_conflict(connection: Connection, table: Table, values: Mapping[str, Any]) -> bool:
    """Insert a row; False when a unique constraint or index already holds its values.

    `ON CONFLICT DO NOTHING` instead of catching IntegrityError: on PostgreSQL a failed
    statement would abort the whole transaction unless wrapped in a savepoint.
    """
    # The values are parameters of a statement built once per table (building one per row, values
    # included, cost more than running it); `values` holds plain values only, never SQL expressions.
    return (
        connection.execute(_insert_ignoring_conflicts(connection.dialect.name, table), dict(values)).first() is not None
    )


@cache
def _insert_ignoring_conflicts(dialect: str, table: Table) -> Any:
    if dialect == "postgresql":
        stmt: Any = postgresql.insert(table).on_conflict_do_nothing()
    elif dialect == "sqlite":
        stmt = sqlite.insert(table).on_conflict_do_nothing()
    else:
        raise ValueError(f"unsupported dialect {dialect!r}")
    # RETURNING, not rowcount: psycopg reports -1 for an INSERT ... ON CONFLICT
    return stmt.returning(next(iter(table.primary_key.columns)))
