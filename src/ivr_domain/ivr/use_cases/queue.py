"""The verification queue: open IVRs for verification staff, urgent first then oldest, with age and SLA state."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen
from returns.result import Result, Success

from ivr_domain.ivr import policy
from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.ivr.queue import QUEUE_STATES, QueueFilter, QueueItem, QueuePosition, QueueQuery, queue_item
from ivr_domain.shared.actor import Actor, Permission
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import InvalidQuery, NotPermitted
from ivr_domain.shared.paging import Page, PageRequest

ACTION = "ivrs.queue"
# As long as a patient's insurance may hold it (patients/validation.py).
PAYER_ID_MAX = 50


@frozen(kw_only=True)
class IvrQueueHandler:
    """Lists one page of the verification queue for holders of ivrs.review."""

    uow: Callable[[], IvrUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def __call__(
        self, actor: Actor, filters: QueueFilter, page: PageRequest
    ) -> Result[Page[QueueItem], NotPermitted | InvalidQuery]:
        """Return one page; the audit entry lists the patient of every IVR on it, and refusals are audited."""
        if not actor.can(Permission.IVRS_REVIEW):
            return self.audit.refused(actor, ACTION, NotPermitted(action=ACTION), resource_type="ivr")
        bad = _check(filters, page)
        if bad is not None:
            return self.audit.refused(actor, ACTION, bad, resource_type="ivr")
        now = self.clock.now()
        with self.uow() as uow:
            found = uow.ivrs.queue(scope=actor.scope, query=QueueQuery.of(filters, now), page=page)
            patients = tuple(ivr.patient_id for ivr in found.items)
            uow.audit.append(self.audit.entry(actor, ACTION, resource_type="ivr", patients=patients))
            uow.commit()
        # Every queued IVR was submitted, so it has a last_submitted_at; the repository filters on it.
        items = tuple(
            queue_item(policy.show(actor, ivr), ivr.last_submitted_at, now)
            for ivr in found.items
            if ivr.last_submitted_at is not None
        )
        return Success(Page(items=items, next_cursor=found.next_cursor))


def _check(filters: QueueFilter, page: PageRequest) -> InvalidQuery | None:
    outside = sorted(s.value for s in filters.statuses - QUEUE_STATES)
    if not filters.statuses or outside:
        allowed = ", ".join(sorted(s.value for s in QUEUE_STATES))
        return InvalidQuery(parameter="status", detail=f"the queue holds only {allowed}")
    payer = filters.payer_id
    if payer is not None and (not payer or payer != payer.strip() or len(payer) > PAYER_ID_MAX):
        detail = f"payer_id must be a payer id of 1 to {PAYER_ID_MAX} characters without surrounding spaces"
        return InvalidQuery(parameter="payer_id", detail=detail)
    if page.cursor is not None and QueuePosition.parse(page.cursor) is None:
        return InvalidQuery(parameter="cursor", detail="cursor is malformed or was made for another list")
    return None
