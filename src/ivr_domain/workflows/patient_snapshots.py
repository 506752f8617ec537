"""What an IVR keeps of a patient: the patients context's record as the IVR context's snapshot."""

from __future__ import annotations

from ivr_domain.ivr.model import InsuranceSnapshot, PatientSnapshot
from ivr_domain.patients.model import Insurance, Patient


def _insurance(insurance: Insurance) -> InsuranceSnapshot:
    return InsuranceSnapshot(
        rank=insurance.rank,
        payer_name=insurance.payer_name,
        member_id=insurance.member_id,
        plan_type=insurance.plan_type,
        subscriber_relationship=insurance.subscriber_relationship.value,
        payer_id=insurance.payer_id,
        group_number=insurance.group_number,
    )


def snapshot_of(patient: Patient) -> PatientSnapshot:
    """Return what an IVR keeps of a patient: names, birth date, sex, archived, insurances."""
    return PatientSnapshot(
        patient_id=patient.id,
        practice_id=patient.practice_id,
        first_name=patient.name.first,
        last_name=patient.name.last,
        date_of_birth=patient.date_of_birth,
        sex=patient.sex.value,
        archived=patient.archived,
        insurances=tuple(_insurance(insurance) for insurance in patient.insurances),
    )
