"""The verification queue: open IVRs, urgent first then oldest, with their age and SLA state."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from uuid import UUID

from attrs import field, frozen

from ivr_domain.ivr.lifecycle import OPEN_STATES
from ivr_domain.ivr.model import Ivr, IvrStatus, Priority
from ivr_domain.ivr.policy import ShownIvr
from ivr_domain.shared.ids import UserId
from ivr_domain.shared.paging import decode_cursor, encode_cursor

QUEUE_STATES = OPEN_STATES
DUE_AFTER = timedelta(hours=24)
OVERDUE_AFTER = timedelta(hours=48)


class SlaState(StrEnum):
    """How long an IVR has waited since its latest submit or resubmit."""

    OK = "ok"
    DUE = "due"
    OVERDUE = "overdue"


def sla_state(last_submitted_at: datetime, now: datetime) -> SlaState:
    """Return `ok` under 24 h, `due` from 24 h up to 48 h, `overdue` after 48 h (calendar hours)."""
    age = now - last_submitted_at
    if age < DUE_AFTER:
        return SlaState.OK
    return SlaState.DUE if age <= OVERDUE_AFTER else SlaState.OVERDUE


@frozen(kw_only=True)
class SlaWindow:
    """A `last_submitted_at` range: `newer_than` (exclusive), `from_` and `to` (inclusive), `older_than` (exclusive)."""

    newer_than: datetime | None = None
    from_: datetime | None = None
    to: datetime | None = None
    older_than: datetime | None = None

    def holds(self, moment: datetime) -> bool:
        """Tell whether an instant lies in the window."""
        return (
            (self.newer_than is None or moment > self.newer_than)
            and (self.from_ is None or moment >= self.from_)
            and (self.to is None or moment <= self.to)
            and (self.older_than is None or moment < self.older_than)
        )


def sla_window(state: SlaState, now: datetime) -> SlaWindow:
    """Return the `last_submitted_at` range whose IVRs are in one SLA state at `now` (so SQL can filter by it)."""
    if state is SlaState.OK:
        return SlaWindow(newer_than=now - DUE_AFTER)
    if state is SlaState.DUE:
        return SlaWindow(from_=now - OVERDUE_AFTER, to=now - DUE_AFTER)
    return SlaWindow(older_than=now - OVERDUE_AFTER)


def _default_states() -> frozenset[IvrStatus]:
    return frozenset({IvrStatus.SUBMITTED})


@frozen(kw_only=True)
class QueueFilter:
    """What part of the queue to show; statuses default to `submitted` and must be open states.

    `payer_id` is the primary insurance's payer id as of the latest submit (`Ivr.payer_id`), compared exactly.
    """

    statuses: frozenset[IvrStatus] = field(factory=_default_states)
    priority: Priority | None = None
    reviewer_id: UserId | None = None
    sla: SlaState | None = None
    payer_id: str | None = None


@frozen(kw_only=True)
class QueueQuery:
    """A queue filter resolved against the clock: the SLA state as a `last_submitted_at` window."""

    statuses: frozenset[IvrStatus]
    priority: Priority | None = None
    reviewer_id: UserId | None = None
    window: SlaWindow | None = None
    payer_id: str | None = None

    @classmethod
    def of(cls, f: QueueFilter, now: datetime) -> QueueQuery:
        """Resolve a filter at `now`."""
        window = sla_window(f.sla, now) if f.sla is not None else None
        return cls(
            statuses=f.statuses, priority=f.priority, reviewer_id=f.reviewer_id, window=window, payer_id=f.payer_id
        )

    def matches(self, ivr: Ivr) -> bool:
        """Tell whether an IVR belongs to this part of the queue."""
        last = ivr.last_submitted_at
        return (
            last is not None
            and ivr.status in self.statuses
            and (self.priority is None or ivr.priority is self.priority)
            and (self.reviewer_id is None or ivr.reviewer_id == self.reviewer_id)
            and (self.payer_id is None or ivr.payer_id == self.payer_id)
            and (self.window is None or self.window.holds(last))
        )


def priority_rank(priority: Priority) -> int:
    """Return the queue rank of a priority: urgent (0) before routine (1)."""
    return 0 if priority is Priority.URGENT else 1


@frozen(kw_only=True)
class QueuePosition:
    """Where a queue page ends: the last IVR's priority rank, `last_submitted_at` and id."""

    rank: int
    last_submitted_at: datetime
    id: UUID

    def cursor(self) -> str:
        """Return the opaque cursor of the page after this position."""
        return encode_cursor(("queue", str(self.rank), self.last_submitted_at.isoformat(), str(self.id)))

    @classmethod
    def of(cls, ivr: Ivr) -> QueuePosition:
        """Return the position of an IVR in the queue order."""
        if ivr.last_submitted_at is None:
            raise ValueError("an IVR never submitted has no place in the queue")
        return cls(rank=priority_rank(ivr.priority), last_submitted_at=ivr.last_submitted_at, id=ivr.id)

    @classmethod
    def parse(cls, cursor: str) -> QueuePosition | None:
        """Decode a queue cursor; None when it is malformed or made for another list."""
        values = decode_cursor(cursor, 4)
        if values is None or values[0] != "queue" or values[1] not in ("0", "1"):
            return None
        try:
            moment = datetime.fromisoformat(values[2])
            row_id = UUID(values[3])
        except ValueError:
            return None
        if moment.tzinfo is None:
            return None
        return cls(rank=int(values[1]), last_submitted_at=moment, id=row_id)

    def key(self) -> tuple[int, datetime, UUID]:
        """Return the sort key of the queue order."""
        return (self.rank, self.last_submitted_at, self.id)


@frozen(kw_only=True)
class QueueItem:
    """One IVR of the queue as the caller sees it, with how long it has waited and its SLA state."""

    shown: ShownIvr
    age_hours: int
    sla: SlaState


def queue_item(shown: ShownIvr, last_submitted_at: datetime, now: datetime) -> QueueItem:
    """Return an IVR of the queue with its age in whole hours and its SLA state at `now`."""
    age = now - last_submitted_at
    return QueueItem(shown=shown, age_hours=int(age.total_seconds() // 3600), sla=sla_state(last_submitted_at, now))
