"""The audit log in memory: entries appended on commit, in commit order, sealed in place."""

from __future__ import annotations

import threading
from collections.abc import Sequence

from attrs import define, evolve, frozen

from adapters.memory.paging import keyset_page
from ivr_domain.admin.ports import AuditQuery, Seal, SealedEntry
from ivr_domain.shared.audit import AuditEntry
from ivr_domain.shared.paging import Page, PageRequest


@frozen(kw_only=True)
class AuditRow:
    """A stored entry; `seal` is set once by the sealer."""

    entry: AuditEntry
    seal: Seal | None = None


@define
class AuditTable:
    """Committed entries in commit order, and the lock only one sealer at a time may hold."""

    rows: list[AuditRow]
    sealer: threading.Lock


def new_audit_table() -> AuditTable:
    """Return an empty table."""
    return AuditTable(rows=[], sealer=threading.Lock())


class InMemoryAuditLog:
    """Holds a transaction's entries until its commit publishes them."""

    def __init__(self) -> None:
        """Start with nothing pending."""
        self.pending: list[AuditEntry] = []

    def append(self, entry: AuditEntry) -> None:
        """Add an entry to the transaction."""
        self.pending.append(entry)


def _matches(entry: AuditEntry, query: AuditQuery) -> bool:
    return (
        (query.user_id is None or entry.user_id == query.user_id)
        and (query.patient_id is None or query.patient_id in entry.patient_ids)
        and (query.action is None or entry.action == query.action)
        and (query.outcome is None or entry.outcome == query.outcome)
        and (query.since is None or entry.at >= query.since)
        and (query.until is None or entry.at < query.until)
    )


class InMemoryAuditRecords:
    """Sealing, verification and search over the committed entries."""

    def __init__(self, table: AuditTable, lock: threading.RLock) -> None:
        """Work on the store's table under the store's lock."""
        self._table = table
        self._lock = lock
        self._holds_sealer = False

    def lock_for_sealing(self) -> bool:
        """Take the sealer's lock for this unit of work (released when it ends)."""
        if not self._holds_sealer:
            self._holds_sealer = self._table.sealer.acquire(blocking=False)
        return self._holds_sealer

    def release(self) -> None:
        """Give the sealer's lock back."""
        if self._holds_sealer:
            self._table.sealer.release()
            self._holds_sealer = False

    def head(self) -> Seal | None:
        """Return the last seal."""
        with self._lock:
            seals = [row.seal for row in self._table.rows if row.seal is not None]
        return max(seals, key=lambda s: s.position, default=None)

    def unsealed(self, limit: int) -> list[AuditEntry]:
        """Every committed entry is below the horizon here: commits are serialised."""
        with self._lock:
            return [row.entry for row in self._table.rows if row.seal is None][:limit]

    def seal(self, seals: Sequence[Seal]) -> None:
        """Attach the seals to their entries."""
        by_id = {s.entry_id: s for s in seals}
        with self._lock:
            self._table.rows[:] = [
                evolve(row, seal=by_id[row.entry.id]) if row.entry.id in by_id else row for row in self._table.rows
            ]

    def sealed(self, after_position: int | None, limit: int) -> list[SealedEntry]:
        """Return sealed entries after a position (None: from the lowest)."""
        with self._lock:
            rows = [
                r
                for r in self._table.rows
                if r.seal is not None and (after_position is None or r.seal.position > after_position)
            ]
        rows.sort(key=lambda r: r.seal.position if r.seal else 0)
        # No separate index here: search reads each entry's own ids, so they are what it holds.
        return [
            SealedEntry(
                entry=r.entry,
                position=r.seal.position,
                chain_hash=r.seal.chain_hash,
                indexed_patient_ids=frozenset(r.entry.patient_ids),
            )
            for r in rows[:limit]
            if r.seal is not None
        ]

    def count_unsealed(self) -> int:
        """Count entries without a seal."""
        with self._lock:
            return sum(1 for row in self._table.rows if row.seal is None)

    def search(self, query: AuditQuery, page: PageRequest) -> Page[AuditEntry]:
        """Filter, then page newest first."""
        with self._lock:
            found = [row.entry for row in self._table.rows if _matches(row.entry, query)]
        return keyset_page(found, page, {"at": lambda e: e.at}, lambda e: e.id)
