"""Demo data: one account per role, a small hierarchy, a few fictional patients and their IVRs."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from decimal import Decimal

import typer
from attrs import evolve
from returns.result import Failure, Success

from entrypoints.cli.commands.demo_library import DEMO_JUSTIFICATIONS, DEMO_TEMPLATE, seed_library
from entrypoints.cli.context import container, error, ok, settings
from entrypoints.container import Container
from ivr_domain.identity.use_cases.credentials import build_actor
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.identity.use_cases.users import CreateUser
from ivr_domain.ivr.coverage import Coverage, CoverageOutcome, NetworkStatus, VerificationMethod
from ivr_domain.ivr.model import (
    Diagnosis,
    IvrStatus,
    Laterality,
    LocationCategory,
    Physician,
    Product,
    Signature,
    Wound,
    WoundType,
)
from ivr_domain.ivr.ports import IvrFilter
from ivr_domain.ivr.use_cases import ActOnIvr, Approve, CreateIvr, IvrAction, StartReview, Submit
from ivr_domain.ivr.validation import FacilityInput, IvrInput
from ivr_domain.patients.model import Patient, Sex
from ivr_domain.patients.ports import NameAndBirthDate
from ivr_domain.patients.use_cases import CreatePatient
from ivr_domain.patients.validation import InsuranceInput, PatientInput
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor, Origin, Role
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PatientId, PracticeId
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.paging import PageRequest
from ivr_domain.shared.validation import AddressInput

DEMO_PASSWORD = "demo-password-2026"

ACCOUNTS = (
    ("admin@demo.example.org", "Avery Admin", Role.ADMIN, None),
    ("staff@demo.example.org", "Sam Verifier", Role.IVR_STAFF, None),
    ("doctor@demo.example.org", "Dr. Jane Doe", Role.DOCTOR, "Springfield Wound Clinic"),
    ("nurse@demo.example.org", "Nora Nurse", Role.DOCTOR, "Springfield Wound Clinic"),
    ("doctor2@demo.example.org", "Dr. Omar Reyes", Role.DOCTOR, "Riverside Podiatry"),
    ("master@demo.example.org", "Morgan Master", Role.MASTER_DISTRIBUTOR, None),
    ("distributor@demo.example.org", "Dana Distributor", Role.DISTRIBUTOR, None),
    ("sales@demo.example.org", "Sal Seller", Role.SALESPERSON, None),
    ("logistics@demo.example.org", "Lee Logistics", Role.LOGISTICS, None),
)

HIERARCHY = (
    ("master@demo.example.org", "distributor@demo.example.org"),
    ("distributor@demo.example.org", "sales@demo.example.org"),
    ("sales@demo.example.org", "doctor@demo.example.org"),
)

PATIENTS = (
    ("Ada", "Sample", date(1950, 3, 14), Sex.FEMALE, "1EG4TE5MK73", "doctor@demo.example.org"),
    ("Bert", "Example", date(1946, 11, 2), Sex.MALE, "2FH5UF6NL84", "doctor@demo.example.org"),
    ("Cora", "Testcase", date(1958, 7, 30), Sex.FEMALE, "3GJ6VG7PM95", "doctor@demo.example.org"),
    ("Dale", "Placeholder", date(1962, 1, 9), Sex.MALE, "4HK7WH8QN06", "doctor2@demo.example.org"),
)

# One IVR for each of the Springfield patients, brought to a different state: (first name, wound, state).
DEMO_IVRS = (
    ("Ada", "heel", IvrStatus.DRAFT),
    ("Bert", "calf", IvrStatus.SUBMITTED),
    ("Cora", "foot", IvrStatus.APPROVED),
)
_CLINIC = FacilityInput(
    name="Springfield Wound Clinic",
    npi="1558598797",
    tin="12-3456789",
    place_of_service="11",
    address=AddressInput(line1="2 Oak Ave", city="Springfield", state="IL", postal_code="62704"),
)
# Wound, diagnoses, product and the application codes the wound's area implies (DOMAIN.md's CPT rule).
_CLINICAL = {
    "heel": (
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
        (Diagnosis(code="E11.621", primary=True), Diagnosis(code="L97.422")),
        Product(hcpcs_code="Q4186", size="4x4 cm", quantity=4),
        ("15275",),
    ),
    "calf": (
        Wound(
            type=WoundType.VENOUS_LEG_ULCER,
            location_category=LocationCategory.TRUNK_ARMS_LEGS,
            site="left medial calf",
            laterality=Laterality.LEFT,
            length_cm=Decimal("7.6"),
            width_cm=Decimal("7.0"),
            depth_cm=Decimal("0.3"),
            duration_weeks=10,
            prior_therapies=("compression therapy",),
        ),
        (Diagnosis(code="I83.022", primary=True), Diagnosis(code="L97.222")),
        Product(hcpcs_code="Q4151", size="8x8 cm", quantity=2),
        ("15271", "15272", "15272"),
    ),
    "foot": (
        Wound(
            type=WoundType.DIABETIC_FOOT_ULCER,
            location_category=LocationCategory.FACE_HANDS_FEET,
            site="right plantar forefoot",
            laterality=Laterality.RIGHT,
            length_cm=Decimal("2.5"),
            width_cm=Decimal("2.0"),
            depth_cm=Decimal("0.4"),
            duration_weeks=8,
            prior_therapies=("offloading",),
        ),
        (Diagnosis(code="E11.621", primary=True), Diagnosis(code="L97.512")),
        Product(hcpcs_code="Q4186", size="2x3 cm", quantity=4),
        ("15275",),
    ),
}


def _seed_accounts(built: Container) -> int:
    find, create_user = built.find_user_by_email(), built.create_user()
    created = 0
    for email, name, role, practice in ACCOUNTS:
        if isinstance(find(SYSTEM_ACTOR, email), Success):
            continue
        account = CreateUser(email=email, name=name, role=role, password=DEMO_PASSWORD, practice_name=practice)
        ok(create_user(SYSTEM_ACTOR, account))
        created += 1
    return created


def _seed_hierarchy(built: Container) -> None:
    find = built.find_user_by_email()
    for manager, member in HIERARCHY:
        manager_id = ok(find(SYSTEM_ACTOR, manager)).id
        member_user = ok(find(SYSTEM_ACTOR, member))
        history = ok(built.assignment_history()(SYSTEM_ACTOR, member_user.id))
        # A member placed before (by an earlier seed or by an operator since) is left where it is.
        practice_id = member_user.practice_id
        placed = any(
            a.member_user_id == member_user.id or (practice_id is not None and a.member_practice_id == practice_id)
            for a in history
        )
        if placed:
            continue
        ok(built.assign_member()(SYSTEM_ACTOR, AssignMember(manager_id=manager_id, member_user_id=member_user.id)))


def _seed_patients(built: Container) -> int:
    find, create_patient = built.find_user_by_email(), built.create_patient()
    created = 0
    for first, last, born, sex, insurance_member_id, doctor in PATIENTS:
        practice_id = ok(find(SYSTEM_ACTOR, doctor)).practice_id
        patient = _patient(first, last, born, sex, member_id=insurance_member_id, practice=practice_id)
        result = create_patient(SYSTEM_ACTOR, patient)
        # The core refuses a second patient with the same name and birth date in a practice: already seeded.
        if isinstance(result, Failure) and isinstance(result.failure(), Conflict):
            continue
        ok(result)
        created += 1
    return created


def _patient(
    first: str, last: str, born: date, sex: Sex, *, member_id: str, practice: PracticeId | None
) -> CreatePatient:
    return CreatePatient(
        practice_id=practice,
        patient=PatientInput(
            first_name=first,
            last_name=last,
            date_of_birth=born,
            sex=sex,
            phone="+1 217 555 0142",
            address=AddressInput(line1="1 Main St", city="Springfield", state="IL", postal_code="62704"),
            insurances=(
                InsuranceInput(
                    rank=InsuranceRank.PRIMARY,
                    payer_name="Medicare Part B",
                    payer_id="00952",
                    member_id=member_id,
                    plan_type=PlanType.MEDICARE,
                ),
            ),
        ),
    )


def _demo_ivr(patient_id: PatientId, wound: str, built: Container) -> IvrInput:
    clock = built.clock()
    found, diagnoses, product, cpt_codes = _CLINICAL[wound]
    return IvrInput(
        patient_id=patient_id,
        insurance_ranks=(InsuranceRank.PRIMARY,),
        physician=Physician(name="Dr. Jane Doe", npi="1234567893", specialty="podiatry", tin="12-3456789"),
        facility=_CLINIC,
        wounds=(found,),
        diagnosis_codes=diagnoses,
        application_cpt_codes=cpt_codes,
        anticipated_first_service_date=clock.today() + timedelta(days=21),
        planned_applications=4,
        products=(product,),
        signature=Signature(signer_name="Dr. Jane Doe", signed_at=clock.now() - timedelta(hours=2)),
        notes="Failed 4 weeks of standard care.",
    )


def _approval(built: Container) -> Approve:
    coverage = Coverage(
        insurance_rank=InsuranceRank.PRIMARY,
        active=True,
        plan_name="Medicare Part B",
        plan_type=PlanType.MEDICARE,
        network_status=NetworkStatus.IN_NETWORK,
        outcome=CoverageOutcome.COVERED,
        verification_method=VerificationMethod.PORTAL,
        valid_until=built.clock().today() + timedelta(days=120),
        deductible_total=Decimal("257.00"),
        deductible_remaining=Decimal("0.00"),
        coinsurance_percent=Decimal(20),
        copay=Decimal("0.00"),
        call_reference="DEMO-0001",
    )
    return Approve(coverages=(coverage,))


# The workflow steps that bring a new draft to each demo state, and who takes them: the practice submits,
# verification staff review (a reviewer is a person: the system actor cannot be one).
_DOCTOR, _STAFF = "doctor@demo.example.org", "staff@demo.example.org"
_STEPS: dict[IvrStatus, tuple[tuple[str, Callable[[Container], IvrAction]], ...]] = {
    IvrStatus.DRAFT: (),
    IvrStatus.SUBMITTED: ((_DOCTOR, lambda _: Submit()),),
    IvrStatus.APPROVED: ((_DOCTOR, lambda _: Submit()), (_STAFF, lambda _: StartReview()), (_STAFF, _approval)),
}
_SEED_ORIGIN = Origin(user_agent="ivr seed-demo")


def _demo_actor(built: Container, email: str) -> Actor:
    """Return the actor a demo account acts as, without a session; the audit log names the seed as the origin."""
    account = ok(built.find_user_by_email()(SYSTEM_ACTOR, email))
    with built.uow() as uow:
        return evolve(build_actor(account, None, uow), origin=_SEED_ORIGIN)


def _demo_patient(built: Container, first: str) -> Patient:
    _, last, born, *_ = next(p for p in PATIENTS if p[0] == first)
    query = NameAndBirthDate(last_name=last, first_name=first, date_of_birth=born)
    (patient,) = [p for p in ok(built.search_patients()(SYSTEM_ACTOR, query)) if isinstance(p, Patient)]
    return patient


def _seed_ivrs(built: Container) -> int:
    """Give each Springfield demo patient who has no IVR yet one, brought through the workflow to its state."""
    list_ivrs, create_ivr, act_on_ivr = built.list_ivrs(), built.create_ivr(), built.act_on_ivr()
    actors = {email: _demo_actor(built, email) for email in (_DOCTOR, _STAFF)}
    created = 0
    for first, wound, state in DEMO_IVRS:
        patient = _demo_patient(built, first)
        existing = ok(list_ivrs(SYSTEM_ACTOR, IvrFilter(patient_id=patient.id), PageRequest(limit=1)))
        if existing.items:
            continue
        shown = ok(create_ivr(actors[_DOCTOR], CreateIvr(ivr=_demo_ivr(patient.id, wound, built))))
        for email, step in _STEPS[state]:
            ok(act_on_ivr(actors[email], ActOnIvr(ivr_id=shown.ivr.id, action=step(built))))
        created += 1
    return created


def seed_demo() -> None:
    """Create whichever demo accounts, hierarchy, patients and IVRs are missing, then print the logins."""
    loaded = settings()
    if loaded.environment == "production":
        # Accounts with a published password have no place next to real patients.
        error("refusing to seed demo accounts with a published password when IVR_ENV is production")
    built = container()
    accounts = _seed_accounts(built)
    _seed_hierarchy(built)
    patients = _seed_patients(built)
    ivrs = _seed_ivrs(built)
    library = seed_library(built)
    if accounts == patients == ivrs == library == 0:
        typer.echo("demo data already present")
    else:
        complete = (accounts, patients, ivrs) == (len(ACCOUNTS), len(PATIENTS), len(DEMO_IVRS))
        partly = "" if complete else "; the rest was already present"
        typer.echo(f"demo data created: {accounts} accounts, {patients} patients, {ivrs} IVRs{partly}")
    typer.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for email, name, role, practice in ACCOUNTS:
        where = f", {practice}" if practice else ""
        typer.echo(f"  {role.value:<19} {email:<30} {name}{where}")
    typer.echo(
        "Hierarchy: master -> distributor -> sales -> Springfield Wound Clinic (Riverside Podiatry is unassigned)."
    )
    states = ", ".join(f"{first}'s {state.value}" for first, _, state in DEMO_IVRS)
    typer.echo(f"IVRs at Springfield Wound Clinic: {states}.")
    typer.echo(f'Global IVR template "{DEMO_TEMPLATE}"; {len(DEMO_JUSTIFICATIONS)} medical justifications.')
