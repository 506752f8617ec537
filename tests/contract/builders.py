"""Entities for the contract suites, valid by default, every field overridable."""

from __future__ import annotations

import itertools
from datetime import UTC, date, datetime, timedelta
from decimal import Decimal
from typing import Any
from uuid import uuid4

from ivr_domain.identity.model import Practice, User
from ivr_domain.ivr.coverage import Coverage, CoverageOutcome, NetworkStatus, VerificationMethod
from ivr_domain.ivr.model import (
    Diagnosis,
    Facility,
    HistoryEntry,
    InsuranceSnapshot,
    Ivr,
    IvrContent,
    IvrStatus,
    Laterality,
    LocationCategory,
    PatientSnapshot,
    Physician,
    Priority,
    Product,
    RequestType,
    Signature,
    Wound,
    WoundType,
)
from ivr_domain.patients.model import (
    Insurance,
    InsuranceRank,
    Patient,
    PlanType,
    Sex,
    Subscriber,
    SubscriberRelationship,
)
from ivr_domain.shared.actor import Permission, Role
from ivr_domain.shared.ids import IvrHistoryId, IvrId, PatientId, PracticeId, UserId, new_id
from ivr_domain.shared.values import Address, Email, Npi, PersonName, Phone

T0 = datetime(2026, 3, 1, 12, 0, 0, 123456, tzinfo=UTC)
_tick = itertools.count(1)


def later() -> datetime:
    """Return a distinct instant after T0, increasing with each call."""
    return T0 + timedelta(seconds=next(_tick), microseconds=7)


def practice(**overrides: Any) -> Practice:
    at = overrides.pop("created_at", None) or later()
    values: dict[str, Any] = {
        "id": PracticeId(new_id()),
        "name": f"Wound Care {uuid4().hex[:6]}",
        "npi": Npi("1234567893"),
        "address": Address(line1="1 Main St", line2="Suite 2", city="Springfield", state="IL", postal_code="62701"),
        "phone": Phone("+12175550100"),
        "created_at": at,
        "updated_at": at,
    }
    values.update(overrides)
    return Practice(**values)


def user(**overrides: Any) -> User:
    at = overrides.pop("created_at", None) or later()
    values: dict[str, Any] = {
        "id": UserId(new_id()),
        "email": Email(f"user-{uuid4().hex[:10]}@example.com"),
        "name": "Dana Doctor",
        "role": Role.DOCTOR,
        "password_hash": "$argon2id$fake",
        "grants": frozenset({Permission.AUDIT_READ}),
        "revocations": frozenset({Permission.ORDERS_CREATE}),
        "created_at": at,
        "updated_at": at,
        "password_changed_at": at,
    }
    values.update(overrides)
    return User(**values)


def insurance(**overrides: Any) -> Insurance:
    values: dict[str, Any] = {
        "rank": InsuranceRank.PRIMARY,
        "payer_name": "Acme Health",
        "member_id": "ABC-123 456",
        "plan_type": PlanType.COMMERCIAL,
        "subscriber_relationship": SubscriberRelationship.SPOUSE,
        "payer_id": "60054",
        "group_number": "GRP-1",
        "subscriber": Subscriber(name=PersonName(first="Sam", last="Smith"), date_of_birth=date(1950, 2, 3)),
    }
    values.update(overrides)
    return Insurance(**values)


def patient(practice_id: PracticeId, **overrides: Any) -> Patient:
    at = overrides.pop("created_at", None) or later()
    values: dict[str, Any] = {
        "id": PatientId(new_id()),
        "practice_id": practice_id,
        "name": PersonName(first="Ana", last="García"),
        "date_of_birth": date(1948, 7, 14),
        "sex": Sex.FEMALE,
        "phone": Phone("+12175550123"),
        "email": Email("ana@example.com"),
        "address": Address(line1="9 Elm St", line2=None, city="Peoria", state="IL", postal_code="61602"),
        "insurances": (
            insurance(),
            insurance(
                rank=InsuranceRank.SECONDARY,
                payer_name="Medicare",
                member_id="1EG4-TE5-MK73",
                plan_type=PlanType.MEDICARE,
                subscriber_relationship=SubscriberRelationship.SELF,
                payer_id=None,
                group_number=None,
                subscriber=None,
            ),
        ),
        "created_by": UserId(new_id()),
        "created_at": at,
        "updated_at": at,
    }
    values.update(overrides)
    return Patient(**values)


_reference = itertools.count(1)


def coverage(**overrides: Any) -> Coverage:
    """A verified coverage with every optional figure filled in (money as Decimal)."""
    values: dict[str, Any] = {
        "insurance_rank": InsuranceRank.PRIMARY,
        "active": True,
        "plan_name": "Acme Gold PPO",
        "plan_type": PlanType.COMMERCIAL,
        "network_status": NetworkStatus.IN_NETWORK,
        "outcome": CoverageOutcome.COVERED_PA_OBTAINED,
        "verification_method": VerificationMethod.PHONE,
        "valid_until": date(2026, 9, 30),
        "effective_date": date(2026, 1, 1),
        "end_date": date(2026, 12, 31),
        "deductible_total": Decimal("1500.00"),
        "deductible_remaining": Decimal("250.50"),
        "out_of_pocket_max": Decimal("6000.00"),
        "out_of_pocket_remaining": Decimal("4999.99"),
        "coinsurance_percent": Decimal("20"),
        "copay": Decimal("35.00"),
        "prior_auth_required": True,
        "prior_auth_number": "PA-778899",
        "approved_units": 8,
        "approved_from": date(2026, 3, 2),
        "approved_to": date(2026, 6, 2),
        "call_reference": "CALL-42",
        "payer_representative": "Rita R.",
    }
    values.update(overrides)
    return Coverage(**values)


def ivr_content(**overrides: Any) -> IvrContent:
    """The complete form of an IVR: every part present, decimals, dates, instants and tuples included."""
    values: dict[str, Any] = {
        "request_type": RequestType.NEW,
        "priority": Priority.ROUTINE,
        "insurance_ranks": (InsuranceRank.PRIMARY, InsuranceRank.SECONDARY),
        "physician": Physician(name="Dr. Lee", npi="1234567893", specialty="Podiatry", tin="12-3456789", ptan="AB123"),
        "facility": Facility(
            name="Lee Wound Clinic",
            npi="1234567893",
            tin="12-3456789",
            place_of_service="11",
            address=Address(line1="5 Oak Ave", line2=None, city="Peoria", state="IL", postal_code="61602"),
            in_snf=True,
            snf_days=12,
            hospice=False,
            part_a_stay=True,
        ),
        "wounds": (
            Wound(
                type=WoundType.DIABETIC_FOOT_ULCER,
                location_category=LocationCategory.FACE_HANDS_FEET,
                site="left plantar heel",
                laterality=Laterality.LEFT,
                length_cm=Decimal("3.50"),
                width_cm=Decimal("2.25"),
                depth_cm=Decimal("0.40"),
                duration_weeks=6,
                prior_therapies=("offloading", "collagen dressing"),
            ),
        ),
        "diagnosis_codes": (Diagnosis(code="E11.621", primary=True), Diagnosis(code="L97.422")),
        "application_cpt_codes": ("15275",),
        "anticipated_first_service_date": date(2026, 4, 1),
        "planned_applications": 4,
        "products": (Product(hcpcs_code="Q4186", quantity=4, size="2x2 cm"),),
        "signature": Signature(signer_name="Dr. Lee", signed_at=datetime(2026, 2, 27, 9, 30, tzinfo=UTC)),
        "notes": "Patient prefers morning visits.",
        "previous_ivr_id": None,
    }
    values.update(overrides)
    return IvrContent(**values)


def patient_snapshot(of: Patient) -> PatientSnapshot:
    """What an IVR keeps of a patient, as `IvrPatients.snapshot` reads it."""
    return PatientSnapshot(
        patient_id=of.id,
        practice_id=of.practice_id,
        first_name=of.name.first,
        last_name=of.name.last,
        date_of_birth=of.date_of_birth,
        sex=of.sex.value,
        archived=of.archived,
        insurances=tuple(
            InsuranceSnapshot(
                rank=i.rank,
                payer_name=i.payer_name,
                member_id=i.member_id,
                plan_type=i.plan_type,
                subscriber_relationship=i.subscriber_relationship.value,
                payer_id=i.payer_id,
                group_number=i.group_number,
            )
            for i in of.insurances
        ),
    )


def ivr(practice_id: PracticeId, patient_id: PatientId, **overrides: Any) -> Ivr:
    """A draft IVR with its complete form; the reference is unique (year 2025, apart from counter tests)."""
    at = overrides.pop("created_at", None) or later()
    values: dict[str, Any] = {
        "id": IvrId(new_id()),
        "reference": f"IVR-2025-{next(_reference):06d}",
        "practice_id": practice_id,
        "patient_id": patient_id,
        "patient_initials": "AG",
        "status": IvrStatus.DRAFT,
        "content": ivr_content(),
        "created_by": UserId(new_id()),
        "created_at": at,
        "updated_at": at,
    }
    values.update(overrides)
    return Ivr(**values)


def history_entry(ivr_id: IvrId, **overrides: Any) -> HistoryEntry:
    """A status change of an IVR by a doctor, with a note."""
    values: dict[str, Any] = {
        "id": IvrHistoryId(new_id()),
        "ivr_id": ivr_id,
        "from_status": IvrStatus.DRAFT,
        "to_status": IvrStatus.SUBMITTED,
        "trigger": "submit",
        "actor_id": UserId(new_id()),
        "actor_role": Role.DOCTOR,
        "at": later(),
        "reason": None,
        "note": "Sent with the latest wound photos.",
    }
    values.update(overrides)
    return HistoryEntry(**values)
