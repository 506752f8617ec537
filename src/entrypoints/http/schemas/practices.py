"""Answers about practices (their bodies are the core's `PracticeInput`)."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec

from entrypoints.http.schemas.common import AddressOut, address_out, utc
from ivr_domain.identity.model import Practice


class PracticeOut(msgspec.Struct, kw_only=True):
    """A physician's office."""

    id: UUID
    name: str
    npi: str | None
    address: AddressOut | None
    phone: str | None
    version: int
    created_at: datetime
    updated_at: datetime


class PracticePage(msgspec.Struct, kw_only=True):
    """One page of practices."""

    items: list[PracticeOut]
    next_cursor: str | None


def practice_out(practice: Practice) -> PracticeOut:
    """Return the wire form of a practice."""
    return PracticeOut(
        id=practice.id,
        name=practice.name,
        npi=practice.npi.value if practice.npi else None,
        address=address_out(practice.address),
        phone=practice.phone.e164 if practice.phone else None,
        version=practice.version,
        created_at=utc(practice.created_at),
        updated_at=utc(practice.updated_at),
    )
