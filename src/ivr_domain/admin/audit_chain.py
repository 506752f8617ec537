"""The audit chain: sealing settled entries into an HMAC chain, and verifying the chain against its anchors.

Each sealed entry's chain value is HMAC-SHA256(audit key, previous value | position | canonical entry).
Without the key nobody can recompute the chain, so an edited, inserted or deleted entry breaks it; a
truncated tail is caught by the anchors, the chain heads kept outside the database. The per-patient search
index lies outside the chain: each sealed entry's index rows are checked against the ids the chain covers.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from enum import StrEnum

from attrs import frozen

from ivr_domain.admin.ports import Anchor, AnchorLog, AuditRecordsUnitOfWork, Seal, SealedEntry
from ivr_domain.shared.audit import AuditEntry
from ivr_domain.shared.clock import Clock

GENESIS = "0" * 64
BATCH = 500


def canonical(entry: AuditEntry) -> bytes:
    """Serialise an entry in one fixed form, every field included, so any change alters the chain."""
    body = {
        "id": str(entry.id),
        "at": entry.at.isoformat(timespec="microseconds"),
        "action": entry.action,
        "outcome": entry.outcome.value,
        "user_id": str(entry.user_id) if entry.user_id else None,
        "role": entry.role.value if entry.role else None,
        "session_id": str(entry.session_id) if entry.session_id else None,
        "is_system": entry.is_system,
        "resource_type": entry.resource_type,
        "resource_id": entry.resource_id,
        "patient_ids": [str(p) for p in entry.patient_ids],
        "changed_fields": list(entry.changed_fields),
        "reason": entry.reason,
        "purpose": entry.purpose.value,
        "client_address": entry.client_address,
        "user_agent": entry.user_agent,
        "correlation_id": entry.correlation_id,
    }
    return json.dumps(body, sort_keys=True, separators=(",", ":"), ensure_ascii=True).encode()


def link(key: bytes, previous: str, position: int, entry: AuditEntry) -> str:
    """Return the chain value after one entry."""
    message = f"{previous}|{position}|".encode() + canonical(entry)
    return hmac.new(key, message, hashlib.sha256).hexdigest()


@frozen(kw_only=True)
class SealResult:
    """What one sealing pass did."""

    sealed: int
    head: Seal | None
    busy: bool = False


@frozen(kw_only=True)
class AuditSealer:
    """Seals committed entries below the safe horizon, batch by batch, anchoring each batch's head."""

    uow: Callable[[], AuditRecordsUnitOfWork]
    key: bytes
    anchors: AnchorLog
    clock: Clock
    batch: int = BATCH

    def seal_batch(self) -> SealResult:
        """Seal at most one batch; `busy` when another sealer holds the lock."""
        with self.uow() as uow:
            records = uow.audit_records
            if not records.lock_for_sealing():
                return SealResult(sealed=0, head=None, busy=True)
            head = records.head()
            entries = records.unsealed(self.batch)
            if not entries:
                return SealResult(sealed=0, head=head)
            previous, position = (head.chain_hash, head.position) if head else (GENESIS, 0)
            seals = []
            for entry in entries:
                position += 1
                previous = link(self.key, previous, position, entry)
                seals.append(Seal(entry_id=entry.id, position=position, chain_hash=previous))
            records.seal(seals)
            uow.commit()
        # After the commit: an anchor must never name a head the database does not hold.
        last = seals[-1]
        self.anchors.append(Anchor(position=last.position, chain_hash=last.chain_hash, sealed_at=self.clock.now()))
        return SealResult(sealed=len(seals), head=last)

    def seal_all(self) -> int:
        """Seal batches until nothing settled is left; return how many entries were sealed."""
        total = 0
        while True:
            result = self.seal_batch()
            total += result.sealed
            if result.busy or result.sealed < self.batch:
                return total


class Finding(StrEnum):
    """Kinds of tampering a verification reports."""

    ALTERED = "altered"  # an entry's content or chain value does not match the chain
    MISSING = "missing"  # positions are skipped: entries were deleted
    DUPLICATE = "duplicate"  # a position repeats or goes backwards: entries were inserted
    TRUNCATED = "truncated"  # an anchor names a position the database no longer holds
    ANCHOR_MISMATCH = "anchor_mismatch"  # the entry at an anchored position has another chain value
    ANCHORS_UNREADABLE = "anchors_unreadable"  # the anchor file is damaged
    INDEX_MISMATCH = "index_mismatch"  # the patient search index disagrees with an entry's patient ids


@frozen(kw_only=True)
class Problem:
    """One finding at one position."""

    finding: Finding
    position: int
    detail: str


@frozen(kw_only=True)
class Verification:
    """The outcome of a verification: tampering found, and how much was checked."""

    problems: tuple[Problem, ...]
    sealed: int
    unsealed: int
    anchors: int
    head: int = 0

    @property
    def intact(self) -> bool:
        """Tell whether no tampering was found."""
        return not self.problems


@frozen(kw_only=True)
class AuditVerifier:
    """Recomputes the chain from the first sealed entry and compares it with the stored values and anchors."""

    uow: Callable[[], AuditRecordsUnitOfWork]
    key: bytes
    anchors: AnchorLog
    batch: int = 2_000

    def _sealed(self) -> Iterator[SealedEntry]:
        # From the lowest stored position, not from 1: a row forged at 0 or below must be walked, or it would hide.
        after: int | None = None
        while True:
            with self.uow() as uow:
                chunk = uow.audit_records.sealed(after, self.batch)
            yield from chunk
            if len(chunk) < self.batch:
                return
            after = chunk[-1].position

    def verify(self) -> Verification:
        """Walk the chain; report every place it breaks, and every anchor it does not reach or match."""
        problems: list[Problem] = []
        try:
            anchors = self.anchors.read()
        except ValueError as exc:
            problems.append(Problem(finding=Finding.ANCHORS_UNREADABLE, position=0, detail=str(exc)))
            anchors = []
        # Every anchor counts, not one per position: a truncated tail sealed again reuses the anchored positions.
        anchored: dict[int, list[Anchor]] = {}
        for anchor in anchors:
            anchored.setdefault(anchor.position, []).append(anchor)
        reached: set[int] = set()
        previous, expected, count = GENESIS, 1, 0
        for sealed in self._sealed():
            count += 1
            problems.extend(_order_problems(sealed.position, expected))
            if link(self.key, previous, sealed.position, sealed.entry) != sealed.chain_hash:
                detail = f"entry {sealed.entry.id} does not match the chain"
                problems.append(Problem(finding=Finding.ALTERED, position=sealed.position, detail=detail))
            else:
                # Only an entry the chain vouches for is a reference to hold the index to.
                problems.extend(_index_problems(sealed))
            for anchor in anchored.get(sealed.position, ()):
                reached.add(sealed.position)
                if anchor.chain_hash != sealed.chain_hash:
                    detail = f"the chain value here differs from its anchor of {anchor.sealed_at.isoformat()}"
                    problems.append(Problem(finding=Finding.ANCHOR_MISMATCH, position=sealed.position, detail=detail))
            if sealed.position < expected:
                continue  # an inserted row behind the walk: the chain goes on from the entry before it
            # Continue from the stored value, so one break is reported once, not at every later entry.
            previous, expected = sealed.chain_hash, sealed.position + 1
        head = expected - 1
        reported = {p.position for p in problems}
        for anchor in anchors:
            if anchor.position > head:
                detail = f"anchored at {anchor.sealed_at.isoformat()}, beyond the last sealed entry ({head})"
                problems.append(Problem(finding=Finding.TRUNCATED, position=anchor.position, detail=detail))
            elif anchor.position not in reached and anchor.position not in reported:
                detail = "no sealed entry holds this anchored position"
                problems.append(Problem(finding=Finding.MISSING, position=anchor.position, detail=detail))
        with self.uow() as uow:
            unsealed = uow.audit_records.count_unsealed()
        return Verification(problems=tuple(problems), sealed=count, unsealed=unsealed, anchors=len(anchors), head=head)


def _index_problems(sealed: SealedEntry) -> list[Problem]:
    # Counts only: which patients were hidden from (or added to) the access report is for the investigation.
    named = frozenset(sealed.entry.patient_ids)
    missing, extra = len(named - sealed.indexed_patient_ids), len(sealed.indexed_patient_ids - named)
    if not missing and not extra:
        return []
    detail = f"entry {sealed.entry.id}: the patient index lacks {missing} of its patient ids and holds {extra} more"
    return [Problem(finding=Finding.INDEX_MISMATCH, position=sealed.position, detail=detail)]


def _order_problems(position: int, expected: int) -> list[Problem]:
    if position > expected:
        detail = f"positions {expected}..{position - 1} are missing"
        return [Problem(finding=Finding.MISSING, position=expected, detail=detail)]
    if position < expected:
        detail = "the position repeats" if position > 0 else "a position below the first (1): the row was inserted"
        return [Problem(finding=Finding.DUPLICATE, position=position, detail=detail)]
    return []
