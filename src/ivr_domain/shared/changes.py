"""Names of the fields a write set or changed: what an audit entry may say about a change (never the values)."""

from __future__ import annotations

from collections.abc import Iterable


def changed_fields(before: object, after: object, names: Iterable[str]) -> tuple[str, ...]:
    """Name the fields whose values differ between two versions of an object."""
    return tuple(name for name in names if getattr(before, name) != getattr(after, name))


def given_fields(new: object, names: Iterable[str]) -> tuple[str, ...]:
    """Name the fields a new object has a value for (neither None nor empty)."""
    return tuple(name for name in names if getattr(new, name) not in (None, "", ()))
