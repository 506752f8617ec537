"""Answers of the verification queue (each IVR as `GET /ivrs/{id}` shows it, plus age and SLA) and the assign body."""

from __future__ import annotations

from uuid import UUID

import msgspec
from attrs import frozen

from entrypoints.http.schemas.ivrs import IvrOut, MaskedIvrOut, ivr_out
from ivr_domain.ivr.queue import QueueItem, SlaState


class QueuedIvrOut(IvrOut, kw_only=True, tag="full"):
    """An IVR of the queue in the full view, with whole hours since its latest submit and its SLA state."""

    age_hours: int
    sla: SlaState


class QueuedMaskedIvrOut(MaskedIvrOut, kw_only=True, tag="masked"):
    """An IVR of the queue in the masked view, with whole hours since its latest submit and its SLA state."""

    age_hours: int
    sla: SlaState


QueuedOut = QueuedIvrOut | QueuedMaskedIvrOut


class QueuePage(msgspec.Struct, kw_only=True):
    """One page of the verification queue."""

    items: list[QueuedOut]
    next_cursor: str | None


@frozen(kw_only=True)
class AssignBody:
    """Who becomes the reviewer: an active verification staff member or admin."""

    reviewer_id: UUID


def queued_out(item: QueueItem) -> QueuedOut:
    """Return the wire form of one queued IVR: its view as the core projected it, its age and SLA state."""
    view = ivr_out(item.shown)
    fields = msgspec.structs.asdict(view)
    if isinstance(view, MaskedIvrOut):
        return QueuedMaskedIvrOut(**fields, age_hours=item.age_hours, sla=item.sla)
    return QueuedIvrOut(**fields, age_hours=item.age_hours, sla=item.sla)
