"""Answers about IVRs: the full view, the masked one the sales hierarchy sees, pages and history.

Money and wound dimensions go out as decimal strings, never floats; the projection was chosen by the core.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

import msgspec

from entrypoints.http.schemas.common import address_out, utc
from entrypoints.http.schemas.ivr_parts import (
    CoverageOut,
    DiagnosisOut,
    FacilityOut,
    InfoRequestOut,
    PatientSnapshotOut,
    PhysicianOut,
    ProductOut,
    RejectionOut,
    SignatureOut,
    WoundOut,
    coverage_out,
    instant,
    product_out,
    snapshot_out,
    wound_out,
)
from ivr_domain.ivr.model import HistoryEntry, Ivr, MaskedIvr
from ivr_domain.ivr.policy import ShownIvr


class IvrOut(msgspec.Struct, kw_only=True, tag_field="projection", tag="full"):
    """Everything about an IVR, for roles entitled to the full view, with the caller's allowed actions."""

    id: UUID
    reference: str
    status: str
    version: int
    patient_id: UUID
    practice_id: UUID
    request_type: str
    priority: str
    insurance_ranks: list[str]
    physician: PhysicianOut
    facility: FacilityOut
    wounds: list[WoundOut]
    diagnosis_codes: list[DiagnosisOut]
    application_cpt_codes: list[str]
    anticipated_first_service_date: date | None
    planned_applications: int | None
    products: list[ProductOut]
    signature: SignatureOut | None
    notes: str | None
    previous_ivr_id: UUID | None
    justification_ids: list[UUID]
    patient_snapshot: PatientSnapshotOut | None
    created_by: UUID
    reviewer_id: UUID | None
    submitted_at: datetime | None
    last_submitted_at: datetime | None
    decided_at: datetime | None
    info_request: InfoRequestOut | None
    prior_auth_note: str | None
    coverages: list[CoverageOut]
    valid_until: date | None
    rejection: RejectionOut | None
    code_set_version: str | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str]


class PatientRefOut(msgspec.Struct, kw_only=True):
    """A patient reference without identifying PHI: the platform id and initials."""

    id: UUID
    initials: str


class MaskedCoverageOut(msgspec.Struct, kw_only=True):
    """What the sales hierarchy sees of a coverage result: the outcome and how long it holds."""

    insurance_rank: str
    outcome: str
    valid_until: date


class MaskedIvrOut(msgspec.Struct, kw_only=True, tag_field="projection", tag="masked"):
    """An IVR without clinical content, member ids or cost shares, for the sales hierarchy."""

    id: UUID
    reference: str
    status: str
    version: int
    practice_id: UUID
    patient: PatientRefOut
    request_type: str
    priority: str
    products: list[ProductOut]
    physician_name: str | None
    facility_name: str | None
    anticipated_first_service_date: date | None
    coverages: list[MaskedCoverageOut]
    valid_until: date | None
    submitted_at: datetime | None
    decided_at: datetime | None
    created_at: datetime
    updated_at: datetime
    allowed_actions: list[str]


IvrViewOut = IvrOut | MaskedIvrOut


class IvrPage(msgspec.Struct, kw_only=True):
    """One page of IVRs."""

    items: list[IvrViewOut]
    next_cursor: str | None


class HistoryEntryOut(msgspec.Struct, kw_only=True):
    """One status change: from where to where, by whom in which role, why and when."""

    id: UUID
    from_: str | None = msgspec.field(name="from")
    to: str
    trigger: str
    actor_id: UUID
    actor_role: str | None
    reason: str | None
    note: str | None
    linked_ivr_id: UUID | None
    at: datetime


class IvrHistoryOut(msgspec.Struct, kw_only=True):
    """An IVR's status changes, oldest first."""

    items: list[HistoryEntryOut]


def _full_out(ivr: Ivr, allowed: tuple[str, ...]) -> IvrOut:
    content, physician, facility = ivr.content, ivr.content.physician, ivr.content.facility
    return IvrOut(
        id=ivr.id,
        reference=ivr.reference,
        status=ivr.status.value,
        version=ivr.version,
        patient_id=ivr.patient_id,
        practice_id=ivr.practice_id,
        request_type=content.request_type.value,
        priority=content.priority.value,
        insurance_ranks=[rank.value for rank in content.insurance_ranks],
        physician=PhysicianOut(
            name=physician.name,
            npi=physician.npi,
            specialty=physician.specialty,
            tin=physician.tin,
            ptan=physician.ptan,
        ),
        facility=FacilityOut(
            name=facility.name,
            npi=facility.npi,
            tin=facility.tin,
            place_of_service=facility.place_of_service,
            address=address_out(facility.address),
            in_snf=facility.in_snf,
            snf_days=facility.snf_days,
            hospice=facility.hospice,
            part_a_stay=facility.part_a_stay,
        ),
        wounds=[wound_out(w) for w in content.wounds],
        diagnosis_codes=[DiagnosisOut(code=d.code, primary=d.primary) for d in content.diagnosis_codes],
        application_cpt_codes=list(content.application_cpt_codes),
        anticipated_first_service_date=content.anticipated_first_service_date,
        planned_applications=content.planned_applications,
        products=[product_out(p) for p in content.products],
        signature=None
        if content.signature is None
        else SignatureOut(signer_name=content.signature.signer_name, signed_at=utc(content.signature.signed_at)),
        notes=content.notes,
        previous_ivr_id=content.previous_ivr_id,
        justification_ids=list(content.justification_ids),
        patient_snapshot=snapshot_out(ivr.patient_snapshot),
        created_by=ivr.created_by,
        reviewer_id=ivr.reviewer_id,
        submitted_at=instant(ivr.submitted_at),
        last_submitted_at=instant(ivr.last_submitted_at),
        decided_at=instant(ivr.decided_at),
        info_request=None
        if ivr.info_request is None
        else InfoRequestOut(
            message=ivr.info_request.message,
            due_date=ivr.info_request.due_date,
            requested_at=utc(ivr.info_request.requested_at),
        ),
        prior_auth_note=ivr.prior_auth_note,
        coverages=[coverage_out(c) for c in ivr.coverages],
        valid_until=ivr.valid_until,
        rejection=None
        if ivr.rejection is None
        else RejectionOut(reason_code=ivr.rejection.reason_code.value, explanation=ivr.rejection.explanation),
        code_set_version=ivr.code_set_version,
        created_at=utc(ivr.created_at),
        updated_at=utc(ivr.updated_at),
        allowed_actions=list(allowed),
    )


def _masked_out(ivr: MaskedIvr, allowed: tuple[str, ...]) -> MaskedIvrOut:
    return MaskedIvrOut(
        id=ivr.id,
        reference=ivr.reference,
        status=ivr.status.value,
        version=ivr.version,
        practice_id=ivr.practice_id,
        patient=PatientRefOut(id=ivr.patient_id, initials=ivr.patient_initials),
        request_type=ivr.request_type.value,
        priority=ivr.priority.value,
        products=[product_out(p) for p in ivr.products],
        physician_name=ivr.physician_name,
        facility_name=ivr.facility_name,
        anticipated_first_service_date=ivr.anticipated_first_service_date,
        coverages=[
            MaskedCoverageOut(insurance_rank=c.insurance_rank.value, outcome=c.outcome, valid_until=c.valid_until)
            for c in ivr.coverages
        ],
        valid_until=ivr.valid_until,
        submitted_at=instant(ivr.submitted_at),
        decided_at=instant(ivr.decided_at),
        created_at=utc(ivr.created_at),
        updated_at=utc(ivr.updated_at),
        allowed_actions=list(allowed),
    )


def ivr_out(shown: ShownIvr) -> IvrViewOut:
    """Return the wire form of the projection the core chose, with the caller's allowed actions."""
    if isinstance(shown.ivr, MaskedIvr):
        return _masked_out(shown.ivr, shown.allowed_actions)
    return _full_out(shown.ivr, shown.allowed_actions)


def history_out(entries: tuple[HistoryEntry, ...]) -> IvrHistoryOut:
    """Return an IVR's status changes as the core projected them for the caller."""
    return IvrHistoryOut(
        items=[
            HistoryEntryOut(
                id=e.id,
                from_=e.from_status.value if e.from_status else None,
                to=e.to_status.value,
                trigger=e.trigger,
                actor_id=e.actor_id,
                actor_role=e.actor_role.value if e.actor_role else None,
                reason=e.reason,
                note=e.note,
                linked_ivr_id=e.linked_ivr_id,
                at=utc(e.at),
            )
            for e in entries
        ]
    )
