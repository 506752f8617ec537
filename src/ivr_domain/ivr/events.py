"""What the IVR context tells the rest of the platform: ids and statuses, never PHI."""

from __future__ import annotations

from typing import ClassVar

from attrs import frozen

from ivr_domain.shared.events import DomainEvent
from ivr_domain.shared.ids import IvrId, PracticeId, UserId


@frozen(kw_only=True)
class IvrStatusChanged(DomainEvent):
    """An IVR moved from one status to another; `audience` are the users to tell (the actor excluded)."""

    name: ClassVar[str] = "ivr.status_changed"
    ivr_id: IvrId
    practice_id: PracticeId
    from_status: str
    to_status: str
    trigger: str
    actor_id: UserId
    reviewer_id: UserId | None = None
    audience: tuple[UserId, ...] = ()


@frozen(kw_only=True)
class IvrReviewerAssigned(DomainEvent):
    """An admin made a user the reviewer of an open IVR; the new reviewer is told."""

    name: ClassVar[str] = "ivr.reviewer_assigned"
    ivr_id: IvrId
    practice_id: PracticeId
    reviewer_id: UserId
    previous_reviewer_id: UserId | None = None


IVR_EVENTS: tuple[type[DomainEvent], ...] = (IvrStatusChanged, IvrReviewerAssigned)
