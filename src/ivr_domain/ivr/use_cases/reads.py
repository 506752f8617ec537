"""Reading IVRs: one, a page, or one's history; each audited with the patients it showed."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr import policy
from ivr_domain.ivr.lifecycle import may_read
from ivr_domain.ivr.model import HistoryEntry, Ivr
from ivr_domain.ivr.ports import IVR_SORTS, IvrFilter, IvrUnitOfWork
from ivr_domain.ivr.use_cases._common import Reached, record
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.errors import InvalidQuery, NotFound, NotPermitted
from ivr_domain.shared.ids import IvrId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.validation import check_page


@frozen(kw_only=True)
class GetIvrHandler:
    """Reads one IVR in the projection the actor is entitled to."""

    uow: Callable[[], IvrUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, ivr_id: IvrId) -> Result[policy.ShownIvr, NotFound | NotPermitted]:
        """Return the IVR, NotFound outside scope, NotPermitted without ivrs.read."""
        reached = Reached()
        return self._read(actor, ivr_id, reached).lash(
            lambda error: self.audit.refused(
                actor, "ivrs.read", error, resource_type="ivr", resource_id=ivr_id, patients=reached.patients
            )
        )

    def peek(self, actor: Actor, ivr_id: IvrId) -> Result[policy.ShownIvr, NotFound | NotPermitted]:
        """Answer as a read would, recording nothing: another request's refusal order needs it, not the caller.

        The edge uses it to answer 404, 403, 412 or 409 before a body's 422 (API.md); that request's own
        refusal is what the audit log then records, so nothing here may count as a read of the patient.
        """
        with self.uow() as uow:
            return self._find(uow, actor, ivr_id, Reached()).map(lambda ivr: policy.show(actor, ivr))

    def _read(self, actor: Actor, ivr_id: IvrId, reached: Reached) -> Result[policy.ShownIvr, NotFound | NotPermitted]:
        with self.uow() as uow:
            match self._find(uow, actor, ivr_id, reached):
                case Failure(refusal):
                    return Failure(refusal)
                case Success(ivr):
                    pass
            record(uow, self.audit, actor, action="ivrs.read", ivr=ivr)
            uow.commit()
            return Success(policy.show(actor, ivr))

    @staticmethod
    def _find(
        uow: IvrUnitOfWork, actor: Actor, ivr_id: IvrId, reached: Reached
    ) -> Result[Ivr, NotFound | NotPermitted]:
        ivr = reached.ivr(uow.ivrs.get(ivr_id, scope=actor.scope))
        if ivr is None:
            return Failure(NotFound(entity="ivr", id=str(ivr_id)))
        if not may_read(actor):
            return Failure(NotPermitted(action="ivrs.read"))
        return Success(ivr)


@frozen(kw_only=True)
class ListIvrsHandler:
    """Lists the IVRs within scope, filtered and sorted by non-PHI fields only."""

    uow: Callable[[], IvrUnitOfWork]
    audit: AuditTrail

    def __call__(
        self, actor: Actor, filters: IvrFilter, page: PageRequest
    ) -> Result[Page[policy.ShownIvr], NotPermitted | InvalidQuery]:
        """Return one page in the actor's projection; the audit entry lists the patient of every IVR on it."""
        action = "ivrs.list"
        if not may_read(actor):
            return self.audit.refused(actor, action, NotPermitted(action=action), resource_type="ivr")
        bad = check_page(page, IVR_SORTS)
        if bad is not None:
            return self.audit.refused(actor, action, bad, resource_type="ivr")
        with self.uow() as uow:
            found = uow.ivrs.list(scope=actor.scope, filters=filters, page=page)
            patients = tuple(ivr.patient_id for ivr in found.items)
            uow.audit.append(self.audit.entry(actor, action, resource_type="ivr", patients=patients))
            uow.commit()
        shown = tuple(policy.show(actor, ivr) for ivr in found.items)
        return Success(Page(items=shown, next_cursor=found.next_cursor))


@frozen(kw_only=True)
class IvrHistoryHandler:
    """Reads the status changes of one IVR."""

    uow: Callable[[], IvrUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, ivr_id: IvrId) -> Result[tuple[HistoryEntry, ...], NotFound | NotPermitted]:
        """Return the changes oldest first; free-text notes only in the full projection."""
        reached = Reached()
        return self._read(actor, ivr_id, reached).lash(
            lambda error: self.audit.refused(
                actor, "ivrs.history", error, resource_type="ivr", resource_id=ivr_id, patients=reached.patients
            )
        )

    def _read(
        self, actor: Actor, ivr_id: IvrId, reached: Reached
    ) -> Result[tuple[HistoryEntry, ...], NotFound | NotPermitted]:
        with self.uow() as uow:
            ivr = reached.ivr(uow.ivrs.get(ivr_id, scope=actor.scope))
            if ivr is None:
                return Failure(NotFound(entity="ivr", id=str(ivr_id)))
            if not may_read(actor):
                return Failure(NotPermitted(action="ivrs.read"))
            entries = uow.ivr_history.of(ivr.id)
            record(uow, self.audit, actor, action="ivrs.history", ivr=ivr)
            uow.commit()
            return Success(tuple(policy.project_history(actor, entry) for entry in entries))
