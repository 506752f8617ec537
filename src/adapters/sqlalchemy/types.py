"""Column types the schema shares between SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import DateTime, Dialect, String, TypeDecorator


class UtcDateTime(TypeDecorator[datetime]):
    """A UTC-aware instant; SQLite keeps naive UTC text, PostgreSQL a `timestamptz`."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        """Refuse naive instants and store UTC (naive on SQLite, which cannot keep the zone)."""
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetimes are not stored: attach a time zone")
        utc = value.astimezone(UTC)
        return utc.replace(tzinfo=None) if dialect.name == "sqlite" else utc

    def process_result_value(self, value: Any, dialect: Dialect) -> datetime | None:
        """Return the instant in UTC, re-attaching the zone SQLite dropped."""
        if value is None:
            return None
        moment: datetime = value
        return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


def ordered_text(length: int) -> String:
    """A string column that sorts by code point on both backends, like Python and the memory adapter."""
    return String(length).with_variant(String(length, collation="C"), "postgresql")
