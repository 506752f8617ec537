"""Reassigning the reviewer of an open IVR: admins only, to active verification staff or an admin."""

from __future__ import annotations

from collections.abc import Callable

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr import policy
from ivr_domain.ivr.events import IvrReviewerAssigned
from ivr_domain.ivr.lifecycle import ASSIGN, OPEN_STATES, allowed_actions, may_assign
from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.ivr.use_cases._common import Reached, history_entry, record
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.ids import IvrId, UserId

ACTION = "ivrs.assign"
TRIGGER = ASSIGN

AssignError = NotFound | NotPermitted | PreconditionFailed | InvalidTransition | ValidationFailed | Conflict


@frozen(kw_only=True)
class AssignReviewer:
    """Make a user the reviewer of an IVR; `expected_version` comes from If-Match."""

    ivr_id: IvrId
    reviewer_id: UserId
    expected_version: int | None = None


@frozen(kw_only=True)
class AssignReviewerHandler:
    """Reassigns the reviewer of an open IVR, with a history row, an audit entry and an event."""

    uow: Callable[[], IvrUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: AssignReviewer) -> Result[policy.ShownIvr, AssignError]:
        """Assign the reviewer, or say why not; either way the audit log records it."""
        reached = Reached()
        return self._assign(actor, cmd, reached).lash(
            lambda error: self.audit.refused(
                actor, ACTION, error, resource_type="ivr", resource_id=cmd.ivr_id, patients=reached.patients
            )
        )

    def _assign(self, actor: Actor, cmd: AssignReviewer, reached: Reached) -> Result[policy.ShownIvr, AssignError]:
        with self.uow() as uow:
            ivr = reached.ivr(uow.ivrs.get(cmd.ivr_id, scope=actor.scope))
            if ivr is None:
                return Failure(NotFound(entity="ivr", id=str(cmd.ivr_id)))
            if not may_assign(actor):
                return Failure(NotPermitted(action=ACTION, detail="only an admin may reassign the reviewer"))
            if cmd.expected_version is not None and cmd.expected_version != ivr.version:
                return Failure(PreconditionFailed(entity="ivr", id=str(ivr.id), current_version=ivr.version))
            if ivr.status not in OPEN_STATES:
                return Failure(
                    InvalidTransition(
                        entity="ivr",
                        status=ivr.status.value,
                        trigger=TRIGGER,
                        allowed=allowed_actions(actor, ivr),
                        detail=f"{TRIGGER} is not allowed for an IVR in status {ivr.status.value}",
                    )
                )
            if not uow.ivr_audience.is_reviewer(cmd.reviewer_id):
                return Failure(
                    ValidationFailed.single("reviewer_id", "must be an active verification staff member or admin")
                )
            if cmd.reviewer_id == ivr.reviewer_id:
                # Nothing would change: no history row, event or notification for a reassignment that is none.
                return Failure(ValidationFailed.single("reviewer_id", "is already the reviewer of this IVR"))
            now = self.clock.now()
            match uow.ivrs.save(evolve(ivr, reviewer_id=cmd.reviewer_id, updated_at=now)):
                case Failure(conflict):
                    return Failure(conflict)
                case Success(saved):
                    pass
            uow.ivr_history.append(history_entry(actor, saved, from_status=ivr.status, trigger=TRIGGER, at=now))
            record(uow, self.audit, actor, action=ACTION, ivr=saved, fields=("reviewer_id",))
            uow.outbox.add(
                IvrReviewerAssigned(
                    occurred_at=now,
                    ivr_id=saved.id,
                    practice_id=saved.practice_id,
                    reviewer_id=cmd.reviewer_id,
                    previous_reviewer_id=ivr.reviewer_id,
                )
            )
            uow.commit()
            return Success(policy.show(actor, saved))
