"""The printable IVR: the full content as a document, for the roles that see IVRs in full; a PHI read, audited."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen
from returns.result import Result, Success

from ivr_domain.ivr.lifecycle import may_read
from ivr_domain.ivr.model import Ivr
from ivr_domain.ivr.printing import IvrPrinter, PrintableIvr, PrintingUnitOfWork
from ivr_domain.ivr.use_cases._common import record
from ivr_domain.shared.actor import Actor, Projection
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import NotFound, NotPermitted
from ivr_domain.shared.ids import IvrId, PatientId

ACTION = "ivrs.print"


@frozen(kw_only=True)
class PrintedIvr:
    """A rendered IVR: the document, its media type, and the reference and version it shows."""

    reference: str
    version: int
    media_type: str
    content: bytes


@frozen(kw_only=True)
class PrintIvrHandler:
    """Renders one IVR in full; the masked projection has no printable form."""

    uow: Callable[[], PrintingUnitOfWork]
    printer: IvrPrinter
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, ivr_id: IvrId) -> Result[PrintedIvr, NotFound | NotPermitted]:
        """Return the document; NotFound outside scope, NotPermitted to a masked view; refusals are audited."""
        with self.uow() as uow:
            ivr = uow.ivrs.get(ivr_id, scope=actor.scope)
            if ivr is None:
                refusal: NotFound | NotPermitted | None = NotFound(entity="ivr", id=str(ivr_id))
                patients: tuple[PatientId, ...] = ()
            else:
                refusal = _refusal(actor)
                # A refusal on an IVR the actor can see names its patient: someone tried to read that record.
                patients = (ivr.patient_id,)
            if ivr is not None and refusal is None:
                content = self.printer.render(self._sheet(uow, actor, ivr))
                record(uow, self.audit, actor, action=ACTION, ivr=ivr)
                uow.commit()
                printed = PrintedIvr(
                    reference=ivr.reference, version=ivr.version, media_type=self.printer.media_type, content=content
                )
                return Success(printed)
        # Written in a transaction of its own, as every refusal is.
        error = refusal if refusal is not None else NotFound(entity="ivr", id=str(ivr_id))
        return self.audit.refused(actor, ACTION, error, resource_type="ivr", resource_id=ivr_id, patients=patients)

    def _sheet(self, uow: PrintingUnitOfWork, actor: Actor, ivr: Ivr) -> PrintableIvr:
        patient = ivr.patient_snapshot
        current = patient is None
        if patient is None:
            patient = uow.ivr_patients.snapshot(ivr.patient_id, scope=actor.scope)
        return PrintableIvr(
            ivr=ivr,
            patient=patient,
            patient_is_current=current,
            practice=uow.ivr_practices.card(ivr.practice_id),
            printed_at=self.clock.now(),
        )


def _refusal(actor: Actor) -> NotPermitted | None:
    """Say why an actor who can see the IVR may not print it (API.md's 403): no IVR reads, or the masked view."""
    if not may_read(actor):
        return NotPermitted(action="ivrs.read")
    if actor.projection is not Projection.FULL:
        return NotPermitted(
            action=ACTION, detail="the printable IVR shows the full content, which this role does not see"
        )
    return None
