"""The parts of an IVR on the wire: physician, facility, wounds, products, snapshot and coverage results.

Money and wound dimensions go out as decimal strings, never floats.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from uuid import UUID

import msgspec

from entrypoints.http.schemas.common import AddressOut, utc
from ivr_domain.ivr.coverage import Coverage
from ivr_domain.ivr.model import PatientSnapshot, Product, Wound


def decimal_text(value: Decimal | None) -> str | None:
    """Return a decimal as its exact string, None as None."""
    return None if value is None else str(value)


def instant(moment: datetime | None) -> datetime | None:
    """Return an optional instant in UTC."""
    return None if moment is None else utc(moment)


class PhysicianOut(msgspec.Struct, kw_only=True):
    """The treating physician."""

    name: str | None
    npi: str | None
    specialty: str | None
    tin: str | None
    ptan: str | None


class FacilityOut(msgspec.Struct, kw_only=True):
    """Where the product is applied."""

    name: str | None
    npi: str | None
    tin: str | None
    place_of_service: str | None
    address: AddressOut | None
    in_snf: bool
    snf_days: int | None
    hospice: bool
    part_a_stay: bool


class WoundOut(msgspec.Struct, kw_only=True):
    """One wound; dimensions in cm and the area in cm² as decimal strings."""

    type: str | None
    location_category: str | None
    site: str | None
    laterality: str | None
    length_cm: str | None
    width_cm: str | None
    depth_cm: str | None
    area_cm2: str | None
    duration_weeks: int | None
    prior_therapies: list[str]


class DiagnosisOut(msgspec.Struct, kw_only=True):
    """An ICD-10-CM code and whether it is the primary diagnosis."""

    code: str
    primary: bool


class ProductOut(msgspec.Struct, kw_only=True):
    """A product to verify."""

    hcpcs_code: str
    size: str | None
    quantity: int


class SignatureOut(msgspec.Struct, kw_only=True):
    """The physician's attestation."""

    signer_name: str
    signed_at: datetime


class InsuranceSnapshotOut(msgspec.Struct, kw_only=True):
    """One insurance of the patient as it was at submission."""

    rank: str
    payer_name: str
    payer_id: str | None
    member_id: str
    group_number: str | None
    plan_type: str
    subscriber_relationship: str


class PatientSnapshotOut(msgspec.Struct, kw_only=True):
    """The patient as they were when the IVR was last submitted."""

    patient_id: UUID
    first_name: str
    last_name: str
    date_of_birth: date
    sex: str
    insurances: list[InsuranceSnapshotOut]


class InfoRequestOut(msgspec.Struct, kw_only=True):
    """What the reviewer asked the practice for."""

    message: str
    due_date: date | None
    requested_at: datetime


class RejectionOut(msgspec.Struct, kw_only=True):
    """Why the IVR was refused."""

    reason_code: str
    explanation: str


class CoverageOut(msgspec.Struct, kw_only=True):
    """The verified benefits of one insurance; money and the coinsurance percent as decimal strings."""

    insurance_rank: str
    active: bool
    plan_name: str
    plan_type: str
    effective_date: date | None
    end_date: date | None
    network_status: str
    outcome: str
    deductible_total: str | None
    deductible_remaining: str | None
    deductible_met: str | None
    out_of_pocket_max: str | None
    out_of_pocket_remaining: str | None
    coinsurance_percent: str | None
    copay: str | None
    prior_auth_required: bool
    prior_auth_number: str | None
    approved_units: int | None
    approved_from: date | None
    approved_to: date | None
    verification_method: str
    call_reference: str | None
    payer_representative: str | None
    valid_until: date


def wound_out(wound: Wound) -> WoundOut:
    """Return the wire form of a wound, its area included."""
    return WoundOut(
        type=wound.type.value if wound.type else None,
        location_category=wound.location_category.value if wound.location_category else None,
        site=wound.site,
        laterality=wound.laterality.value if wound.laterality else None,
        length_cm=decimal_text(wound.length_cm),
        width_cm=decimal_text(wound.width_cm),
        depth_cm=decimal_text(wound.depth_cm),
        area_cm2=decimal_text(wound.area_cm2),
        duration_weeks=wound.duration_weeks,
        prior_therapies=list(wound.prior_therapies),
    )


def product_out(product: Product) -> ProductOut:
    """Return the wire form of a product."""
    return ProductOut(hcpcs_code=product.hcpcs_code, size=product.size, quantity=product.quantity)


def snapshot_out(snapshot: PatientSnapshot | None) -> PatientSnapshotOut | None:
    """Return the wire form of the patient snapshot, if one was taken."""
    if snapshot is None:
        return None
    return PatientSnapshotOut(
        patient_id=snapshot.patient_id,
        first_name=snapshot.first_name,
        last_name=snapshot.last_name,
        date_of_birth=snapshot.date_of_birth,
        sex=snapshot.sex,
        insurances=[
            InsuranceSnapshotOut(
                rank=i.rank.value,
                payer_name=i.payer_name,
                payer_id=i.payer_id,
                member_id=i.member_id,
                group_number=i.group_number,
                plan_type=i.plan_type.value,
                subscriber_relationship=i.subscriber_relationship,
            )
            for i in snapshot.insurances
        ],
    )


def coverage_out(coverage: Coverage) -> CoverageOut:
    """Return the wire form of a coverage result."""
    return CoverageOut(
        insurance_rank=coverage.insurance_rank.value,
        active=coverage.active,
        plan_name=coverage.plan_name,
        plan_type=coverage.plan_type.value,
        effective_date=coverage.effective_date,
        end_date=coverage.end_date,
        network_status=coverage.network_status.value,
        outcome=coverage.outcome.value,
        deductible_total=decimal_text(coverage.deductible_total),
        deductible_remaining=decimal_text(coverage.deductible_remaining),
        deductible_met=decimal_text(coverage.deductible_met),
        out_of_pocket_max=decimal_text(coverage.out_of_pocket_max),
        out_of_pocket_remaining=decimal_text(coverage.out_of_pocket_remaining),
        coinsurance_percent=decimal_text(coverage.coinsurance_percent),
        copay=decimal_text(coverage.copay),
        prior_auth_required=coverage.prior_auth_required,
        prior_auth_number=coverage.prior_auth_number,
        approved_units=coverage.approved_units,
        approved_from=coverage.approved_from,
        approved_to=coverage.approved_to,
        verification_method=coverage.verification_method.value,
        call_reference=coverage.call_reference,
        payer_representative=coverage.payer_representative,
        valid_until=coverage.valid_until,
    )
