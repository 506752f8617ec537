"""What each caller sees of an IVR: the full content, or the masked view of the sales hierarchy."""

from __future__ import annotations

from attrs import evolve, frozen

from ivr_domain.ivr.lifecycle import allowed_actions
from ivr_domain.ivr.model import HistoryEntry, Ivr, IvrView, MaskedCoverage, MaskedIvr
from ivr_domain.shared.actor import Actor, Projection


@frozen(kw_only=True)
class ShownIvr:
    """An IVR as one caller sees it, with the actions that caller may take now."""

    ivr: IvrView
    allowed_actions: tuple[str, ...]


def project(actor: Actor, ivr: Ivr) -> IvrView:
    """Return the full IVR for clinical and verification roles, the masked view for everyone else."""
    if actor.projection is Projection.FULL:
        return ivr
    return MaskedIvr(
        id=ivr.id,
        reference=ivr.reference,
        practice_id=ivr.practice_id,
        patient_id=ivr.patient_id,
        patient_initials=ivr.patient_initials,
        status=ivr.status,
        request_type=ivr.content.request_type,
        priority=ivr.content.priority,
        products=ivr.content.products,
        physician_name=ivr.content.physician.name,
        facility_name=ivr.content.facility.name,
        anticipated_first_service_date=ivr.content.anticipated_first_service_date,
        coverages=tuple(
            MaskedCoverage(insurance_rank=c.insurance_rank, outcome=c.outcome.value, valid_until=c.valid_until)
            for c in ivr.coverages
        ),
        valid_until=ivr.valid_until,
        created_at=ivr.created_at,
        updated_at=ivr.updated_at,
        submitted_at=ivr.submitted_at,
        decided_at=ivr.decided_at,
        version=ivr.version,
    )


def show(actor: Actor, ivr: Ivr) -> ShownIvr:
    """Return what the actor sees of an IVR and what they may do with it."""
    return ShownIvr(ivr=project(actor, ivr), allowed_actions=allowed_actions(actor, ivr))


def project_history(actor: Actor, entry: HistoryEntry) -> HistoryEntry:
    """Return a status change as the actor may see it: free-text notes only in the full projection."""
    return entry if actor.projection is Projection.FULL else evolve(entry, note=None)
