"""Keyset paging over rows held in memory, matching the SQL adapter's order and cursors."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar
from uuid import UUID

from ivr_domain.shared.paging import Page, PageRequest, SortKey, cursor_for, is_instant, position_of

T = TypeVar("T")


def sort_value_text(value: object) -> str:
    """Render a sort value as a cursor carries it (instants in UTC ISO form)."""
    if isinstance(value, datetime):
        return value.astimezone(UTC).isoformat()
    return str(value)


def _cursor_value(field: str, text: str) -> Any:
    return datetime.fromisoformat(text) if is_instant(field) else text


def keyset_page(
    rows: Iterable[T],
    page: PageRequest,
    sorts: Mapping[str, Callable[[T], Any]],
    id_of: Callable[[T], UUID],
) -> Page[T]:
    """Order rows by (sort value, id), skip to the cursor and cut one page."""
    key = SortKey.parse(page.sort, tuple(sorts))
    if key is None:
        raise ValueError(f"unsupported sort {page.sort!r}")
    value_of = sorts[key.field]
    ordered = sorted(rows, key=lambda r: (value_of(r), id_of(r)), reverse=key.descending)
    if page.cursor is not None:
        position = position_of(page.cursor, page.sort)
        if position is None:
            raise ValueError("cursor does not fit the sort")
        after = (_cursor_value(key.field, position.value), position.id)
        if key.descending:
            ordered = [r for r in ordered if (value_of(r), id_of(r)) < after]
        else:
            ordered = [r for r in ordered if (value_of(r), id_of(r)) > after]
    if len(ordered) <= page.limit:
        return Page(items=tuple(ordered))
    kept = ordered[: page.limit]
    last = kept[-1]
    return Page(items=tuple(kept), next_cursor=cursor_for(page.sort, sort_value_text(value_of(last)), id_of(last)))
