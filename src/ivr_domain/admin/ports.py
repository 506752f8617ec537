"""What the audit chain needs from storage: committed entries in commit order, seals, and an anchor file."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Protocol

from attrs import frozen

from ivr_domain.shared.audit import AuditEntry, AuditLog, Outcome
from ivr_domain.shared.ids import AuditId, PatientId, UserId
from ivr_domain.shared.paging import Page, PageRequest


@frozen(kw_only=True)
class Seal:
    """An entry's place in the chain and the chain's value after it."""

    entry_id: AuditId
    position: int
    chain_hash: str


@frozen(kw_only=True)
class SealedEntry:
    """An entry as stored, with its seal and the patient ids the search index holds for it.

    The index (which the patient filter and the access report read) lies outside the chain, so the
    verifier compares it with the entry's own `patient_ids`, which the chain covers.
    """

    entry: AuditEntry
    position: int
    chain_hash: str
    indexed_patient_ids: frozenset[PatientId]


@frozen(kw_only=True)
class Anchor:
    """The chain's head after a sealed batch, kept outside the database."""

    position: int
    chain_hash: str
    sealed_at: datetime


@frozen(kw_only=True)
class AuditQuery:
    """Filters of an audit search; all optional, combined with AND."""

    user_id: UserId | None = None
    patient_id: PatientId | None = None
    action: str | None = None
    outcome: Outcome | None = None
    since: datetime | None = None
    until: datetime | None = None


AUDIT_SORTS = ("at",)


class AuditRecords(Protocol):
    """The stored audit entries: sealing, verification and search."""

    def lock_for_sealing(self) -> bool:
        """Become the only sealer until the transaction ends; False when another sealer holds the lock."""
        ...

    def head(self) -> Seal | None:
        """Return the last seal, or None before the first."""
        ...

    def unsealed(self, limit: int) -> list[AuditEntry]:
        """Return committed, unsealed entries below the safe horizon, in commit order."""
        ...

    def seal(self, seals: Sequence[Seal]) -> None:
        """Record each entry's position and chain value."""
        ...

    def sealed(self, after_position: int | None, limit: int) -> list[SealedEntry]:
        """Return sealed entries after a position (None: from the lowest, whatever it is), in position order."""
        ...

    def count_unsealed(self) -> int:
        """Count entries not sealed yet."""
        ...

    def search(self, query: AuditQuery, page: PageRequest) -> Page[AuditEntry]:
        """Return entries matching a query, newest first, cursor-paged."""
        ...


class AnchorLog(Protocol):
    """An append-only record of chain heads outside the database."""

    def append(self, anchor: Anchor) -> None:
        """Add an anchor durably."""
        ...

    def read(self) -> list[Anchor]:
        """Return every anchor, oldest first; raise ValueError when the log cannot be read as anchors."""
        ...


class AuditRecordsUnitOfWork(Protocol):
    """One transaction over the audit store."""

    audit: AuditLog
    audit_records: AuditRecords

    def __enter__(self) -> AuditRecordsUnitOfWork:
        """Begin the transaction."""
        ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make the transaction's writes durable."""
        ...
