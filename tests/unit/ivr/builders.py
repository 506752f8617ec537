"""Complete, valid IVR bodies and coverage results, for the IVR tests."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from decimal import Decimal

from ivr_domain.ivr.coverage import Coverage, CoverageOutcome, NetworkStatus, VerificationMethod
from ivr_domain.ivr.model import (
    Diagnosis,
    Laterality,
    LocationCategory,
    Physician,
    Priority,
    Product,
    RequestType,
    Signature,
    Wound,
    WoundType,
)
from ivr_domain.ivr.validation import FacilityInput, IvrInput
from ivr_domain.shared.ids import PatientId
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.validation import AddressInput

NOW = datetime(2026, 11, 20, 15, 0, tzinfo=UTC)


def complete_ivr(patient_id: PatientId, *, today: date | None = None) -> IvrInput:
    """Return API.md's example IVR: complete, so it can be submitted as it is."""
    first_service = (today or NOW.date()) + timedelta(days=20)
    return IvrInput(
        patient_id=patient_id,
        request_type=RequestType.NEW,
        priority=Priority.ROUTINE,
        insurance_ranks=(InsuranceRank.PRIMARY,),
        physician=Physician(name="Jane Doe", npi="1234567893", specialty="podiatry", tin="12-3456789"),
        facility=FacilityInput(
            name="Springfield Wound Clinic",
            npi="1558598797",
            tin="12-3456789",
            place_of_service="11",
            address=AddressInput(line1="2 Oak Ave", city="Springfield", state="IL", postal_code="62704"),
        ),
        wounds=(
            Wound(
                type=WoundType.DIABETIC_FOOT_ULCER,
                location_category=LocationCategory.FACE_HANDS_FEET,
                site="left heel",
                laterality=Laterality.LEFT,
                length_cm=Decimal("4.0"),
                width_cm=Decimal("3.0"),
                depth_cm=Decimal("0.5"),
                duration_weeks=6,
                prior_therapies=("offloading", "moist dressings"),
            ),
        ),
        diagnosis_codes=(Diagnosis(code="E11.621", primary=True), Diagnosis(code="L97.422")),
        application_cpt_codes=("15275",),
        anticipated_first_service_date=first_service,
        planned_applications=4,
        products=(Product(hcpcs_code="Q4186", size="4x4 cm", quantity=4),),
        signature=Signature(signer_name="Jane Doe", signed_at=NOW - timedelta(hours=1)),
        notes="Failed 6 weeks of standard care.",
    )


def covered(rank: InsuranceRank = InsuranceRank.PRIMARY, *, valid_until: date, **changes: object) -> Coverage:
    """Return a coverage result that approves: active, covered, no prior authorisation."""
    values: dict[str, object] = {
        "insurance_rank": rank,
        "active": True,
        "plan_name": "Medicare Part B",
        "plan_type": PlanType.MEDICARE,
        "network_status": NetworkStatus.IN_NETWORK,
        "outcome": CoverageOutcome.COVERED,
        "verification_method": VerificationMethod.PORTAL,
        "valid_until": valid_until,
        "deductible_total": Decimal("257.00"),
        "deductible_remaining": Decimal("0.00"),
        "coinsurance_percent": Decimal(20),
        "copay": Decimal("0.00"),
        "call_reference": "REF123",
    }
    values.update(changes)
    return Coverage(**values)  # type: ignore[arg-type]
