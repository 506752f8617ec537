"""Fictional but valid inputs: patients and IVRs as a client would type them, drawn from a seeded random source."""

from __future__ import annotations

import random
import string
from datetime import date, datetime, timedelta
from decimal import Decimal

from ivr_domain.ivr.codes import implied_cpt_codes
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
from ivr_domain.patients.model import Sex, SubscriberRelationship
from ivr_domain.patients.validation import InsuranceInput, PatientInput, SubscriberInput
from ivr_domain.shared.ids import PatientId
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.validation import AddressInput

FIRST_NAMES = (
    "Ada Alma Amos Anya Arlo Bea Bert Cal Cleo Cora Dale Dara Eda Eli Emil Enzo Faye Finn Gia Gus Hale Hana Ida Ike "
    "Ines Ivo Jada Jon Juno Kai Kira Lars Lea Lou Mae Mara Milo Nell Nico Noor Odin Olga Otto Pia Quin Rae Remy Rosa "
    "Ruth Sage Saul Tess Theo Una Uri Vera Vik Wade Wren Xena Yara Yves Zane Zoe"
).split()
LAST_NAMES = (
    "Abbott Acosta Adler Baird Barlow Becker Bishop Blake Bowen Brandt Carver Chen Crane Dalton Doyle Drake Ellison "
    "Emery Farley Fischer Ford Garner Gibbs Graves Hale Hardy Hayes Holt Ingram Irwin Jensen Joyce Keller Kemp Knox "
    "Lamb Lowe Lynch Mack Marsh Meyer Monroe Nash Noble Novak Olsen Ortiz Owens Page Pratt Quinn Ramos Reyes Rhodes "
    "Roth Sharp Shaw Stone Tate Thorne Tran Underwood Vance Vogel Wade Walsh Webb Wolfe Yates Young Zimmer"
).split()
STREETS = "Main Oak Pine Maple Cedar Elm Lake Hill Park River Church Mill Spring Ridge Walnut".split()
CITIES = (
    ("Springfield", "IL", "627"),
    ("Riverside", "CA", "925"),
    ("Franklin", "TN", "370"),
    ("Greenville", "SC", "296"),
    ("Fairview", "TX", "750"),
    ("Madison", "WI", "537"),
    ("Georgetown", "KY", "403"),
    ("Salem", "OR", "973"),
    ("Clinton", "IA", "527"),
    ("Arlington", "VA", "222"),
)
AREA_CODES = ("217", "951", "615", "864", "972", "608", "502", "503", "563", "703")
PAYERS = (
    ("Medicare Part B", "00952", PlanType.MEDICARE),
    ("Humana Medicare Advantage", "61101", PlanType.MEDICARE_ADVANTAGE),
    ("UnitedHealthcare", "87726", PlanType.COMMERCIAL),
    ("Aetna", "60054", PlanType.COMMERCIAL),
    ("Cigna", "62308", PlanType.COMMERCIAL),
    ("Blue Cross Blue Shield", "00590", PlanType.COMMERCIAL),
    ("State Medicaid", "77027", PlanType.MEDICAID),
    ("TRICARE East", "99726", PlanType.TRICARE),
)
_MEMBER_ALPHABET = string.ascii_uppercase + string.digits


def letters(number: int, width: int = 5) -> str:
    """Spell a number in capital letters (base 26), so unique names stay plain names."""
    out = []
    for _ in range(width):
        number, digit = divmod(number, 26)
        out.append(chr(ord("A") + digit))
    return "".join(reversed(out))


def _birth_date(rng: random.Random, today: date) -> date:
    # Wound-care patients skew old: ages 25 to 95.
    return today - timedelta(days=rng.randint(25 * 365, 95 * 365))


def _insurance(rng: random.Random, rank: InsuranceRank, today: date, last_name: str) -> InsuranceInput:
    payer_name, payer_id, plan_type = rng.choice(PAYERS)
    member_id = "".join(rng.choice(_MEMBER_ALPHABET) for _ in range(11))
    if rng.random() < 0.15:
        return InsuranceInput(
            rank=rank,
            payer_name=payer_name,
            payer_id=payer_id,
            member_id=member_id,
            plan_type=plan_type,
            group_number=f"GRP{rng.randint(10000, 99999)}",
            subscriber_relationship=SubscriberRelationship.SPOUSE,
            subscriber=SubscriberInput(
                first_name=rng.choice(FIRST_NAMES), last_name=last_name, date_of_birth=_birth_date(rng, today)
            ),
        )
    group = f"GRP{rng.randint(10000, 99999)}" if plan_type is PlanType.COMMERCIAL else None
    return InsuranceInput(
        rank=rank,
        payer_name=payer_name,
        payer_id=payer_id,
        member_id=member_id,
        plan_type=plan_type,
        group_number=group,
    )


def patient_input(rng: random.Random, today: date, *, first_name: str | None = None) -> PatientInput:
    """Return a patient with one or two insurances, most with a phone and an address, some with an email."""
    first = first_name or rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    city, state, zip_prefix = rng.choice(CITIES)
    insurances = [_insurance(rng, InsuranceRank.PRIMARY, today, last)]
    if rng.random() < 0.4:
        insurances.append(_insurance(rng, InsuranceRank.SECONDARY, today, last))
    has_address = rng.random() < 0.9
    return PatientInput(
        first_name=first,
        last_name=last,
        date_of_birth=_birth_date(rng, today),
        sex=rng.choice((Sex.FEMALE, Sex.MALE)) if rng.random() < 0.97 else Sex.UNKNOWN,
        phone=f"+1 {rng.choice(AREA_CODES)} 555 01{rng.randint(0, 99):02d}" if rng.random() < 0.8 else None,
        email=f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.net" if rng.random() < 0.5 else None,
        address=AddressInput(
            line1=f"{rng.randint(1, 9999)} {rng.choice(STREETS)} St",
            line2=f"Apt {rng.randint(1, 40)}" if rng.random() < 0.2 else None,
            city=city,
            state=state,
            postal_code=f"{zip_prefix}{rng.randint(0, 99):02d}",
        )
        if has_address
        else None,
        insurances=tuple(insurances),
    )


# Billable ICD-10-CM pairs of a wound-care IVR (the primary first), products by HCPCS code, wound sites.
DIAGNOSES = (
    ("E11.621", "L97.422"),
    ("E11.621", "L97.512"),
    ("I87.2", "L97.812"),
    ("I83.012", "L97.212"),
    ("L89.153", "L89.154"),
)
PRODUCTS = (("Q4186", "4x4 cm"), ("Q4151", "2x3 cm"), ("Q4205", "4x6 cm"), ("Q4232", "2x2 cm"))
WOUND_SITES = (
    (WoundType.DIABETIC_FOOT_ULCER, LocationCategory.FACE_HANDS_FEET, "left heel"),
    (WoundType.DIABETIC_FOOT_ULCER, LocationCategory.FACE_HANDS_FEET, "plantar forefoot"),
    (WoundType.VENOUS_LEG_ULCER, LocationCategory.TRUNK_ARMS_LEGS, "medial malleolus"),
    (WoundType.PRESSURE_ULCER, LocationCategory.TRUNK_ARMS_LEGS, "sacrum"),
)


def ivr_input(
    rng: random.Random,
    patient_id: PatientId,
    *,
    signed_at: datetime,
    first_service: date,
    ranks: tuple[InsuranceRank, ...],
) -> IvrInput:
    """Return a complete IVR form for a patient: one or two wounds, their diagnoses, products and signature."""
    wounds = []
    for _ in range(1 if rng.random() < 0.8 else 2):
        kind, category, site = rng.choice(WOUND_SITES)
        wounds.append(
            Wound(
                type=kind,
                location_category=category,
                site=site,
                laterality=rng.choice((Laterality.LEFT, Laterality.RIGHT)),
                length_cm=Decimal(rng.randint(10, 120)) / 10,
                width_cm=Decimal(rng.randint(10, 90)) / 10,
                depth_cm=Decimal(rng.randint(0, 15)) / 10,
                duration_weeks=rng.randint(4, 30),
                prior_therapies=("offloading", "moist dressings")[: rng.randint(1, 2)],
            )
        )
    primary, secondary = rng.choice(DIAGNOSES)
    code, size = rng.choice(PRODUCTS)
    doctor = f"{rng.choice(FIRST_NAMES)} {rng.choice(LAST_NAMES)}"
    city, state, zip_prefix = rng.choice(CITIES)
    return IvrInput(
        patient_id=patient_id,
        request_type=RequestType.NEW,
        priority=Priority.URGENT if rng.random() < 0.15 else Priority.ROUTINE,
        insurance_ranks=ranks,
        physician=Physician(name=doctor, npi="1234567893", specialty="podiatry", tin="12-3456789"),
        facility=FacilityInput(
            name=f"{city} Wound Clinic",
            npi="1558598797",
            tin="12-3456789",
            place_of_service="11",
            address=AddressInput(
                line1=f"{rng.randint(1, 999)} Oak Ave", city=city, state=state, postal_code=f"{zip_prefix}04"
            ),
        ),
        wounds=tuple(wounds),
        diagnosis_codes=(Diagnosis(code=primary, primary=True), Diagnosis(code=secondary)),
        application_cpt_codes=implied_cpt_codes(wounds) or (),
        anticipated_first_service_date=first_service,
        planned_applications=rng.randint(2, 8),
        products=(Product(hcpcs_code=code, size=size, quantity=rng.randint(1, 8)),),
        signature=Signature(signer_name=doctor, signed_at=signed_at),
        notes="Failed standard care for at least four weeks." if rng.random() < 0.6 else None,
    )


def coverage(rank: InsuranceRank, payer_name: str, plan_type: PlanType, valid_until: date) -> Coverage:
    """Return a coverage result that approves: active, covered, in network, no prior authorisation."""
    return Coverage(
        insurance_rank=rank,
        active=True,
        plan_name=payer_name,
        plan_type=plan_type,
        network_status=NetworkStatus.IN_NETWORK,
        outcome=CoverageOutcome.COVERED,
        verification_method=VerificationMethod.PORTAL,
        valid_until=valid_until,
        deductible_total=Decimal("257.00"),
        deductible_remaining=Decimal("0.00"),
        coinsurance_percent=Decimal(20),
        copay=Decimal("0.00"),
        call_reference="REF123",
    )
