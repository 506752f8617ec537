"""Shapes every context shares: timestamps in UTC, addresses, item lists."""

from __future__ import annotations

from datetime import UTC, datetime

import msgspec

from ivr_domain.shared.values import Address


def utc(moment: datetime) -> datetime:
    """Return an instant in UTC (naive ones are UTC already), so it renders with a `Z`."""
    return moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)


class AddressOut(msgspec.Struct, kw_only=True):
    """A US postal address."""

    line1: str
    line2: str | None
    city: str
    state: str
    postal_code: str


def address_out(address: Address | None) -> AddressOut | None:
    """Return the wire form of an optional address."""
    if address is None:
        return None
    return AddressOut(
        line1=address.line1,
        line2=address.line2,
        city=address.city,
        state=address.state,
        postal_code=address.postal_code,
    )
