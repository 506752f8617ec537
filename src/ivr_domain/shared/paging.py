"""Keyset cursor paging: opaque cursors over (sort value, id), stable under concurrent inserts."""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from datetime import datetime
from typing import Generic, TypeVar
from uuid import UUID

from attrs import field, frozen, validators

T = TypeVar("T")

DEFAULT_LIMIT = 50
MAX_LIMIT = 200


@frozen(kw_only=True)
class PageRequest:
    """Which page to read: at most `limit` items after `cursor`, in `sort` order."""

    limit: int = field(default=DEFAULT_LIMIT, validator=[validators.ge(1), validators.le(MAX_LIMIT)])
    cursor: str | None = None
    sort: str = "-created_at"


@frozen(kw_only=True)
class Page(Generic[T]):
    """One page of a list and the cursor of the next one (None at the end)."""

    items: tuple[T, ...]
    next_cursor: str | None = None


@frozen(kw_only=True)
class SortKey:
    """A decoded sort order: the field and whether it descends."""

    field: str
    descending: bool

    @classmethod
    def parse(cls, sort: str, allowed: Sequence[str]) -> SortKey | None:
        """Read `-created_at` style sorts; None when the field is not allowed."""
        descending = sort.startswith("-")
        name = sort[1:] if descending else sort
        return cls(field=name, descending=descending) if name in allowed else None


@frozen(kw_only=True)
class Position:
    """Where a page ends: the sort it was made for, the last row's sort value and id."""

    sort: str
    value: str
    id: UUID


def is_instant(field_name: str) -> bool:
    """Tell whether a sort field holds instants (named `at` or `*_at`), which cursors carry in ISO form."""
    return field_name == "at" or field_name.endswith("_at")


def cursor_for(sort: str, value: str, row_id: UUID) -> str:
    """Return the cursor of the page that follows a row, for one sort order."""
    return encode_cursor((sort, value, str(row_id)))


def position_of(cursor: str, sort: str) -> Position | None:
    """Decode a cursor made for this sort; None when it is malformed or made for another sort."""
    values = decode_cursor(cursor, 3)
    if values is None or values[0] != sort:
        return None
    try:
        row_id = UUID(values[2])
        if is_instant(sort.lstrip("-")):
            moment = datetime.fromisoformat(values[1])
            if moment.tzinfo is None:
                return None
    except ValueError:
        return None
    return Position(sort=sort, value=values[1], id=row_id)


def encode_cursor(values: Sequence[str]) -> str:
    """Wrap the keyset position of the last row of a page into an opaque token."""
    raw = json.dumps(list(values), separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, size: int) -> tuple[str, ...] | None:
    """Unwrap a cursor made by `encode_cursor`; None when it is malformed."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        values = json.loads(raw)
    except (binascii.Error, ValueError, UnicodeDecodeError, RecursionError):
        return None
    if not isinstance(values, list) or len(values) != size or not all(isinstance(v, str) for v in values):
        return None
    return tuple(values)
