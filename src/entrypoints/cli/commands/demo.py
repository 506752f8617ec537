"""Demo data: one account per role, a small hierarchy and a few fictional patients."""

from __future__ import annotations

from datetime import date

import typer
from returns.result import Failure, Success

from entrypoints.cli.context import container, error, ok, settings
from entrypoints.container import Container
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.identity.use_cases.users import CreateUser
from ivr_domain.patients.model import InsuranceRank, PlanType, Sex
from ivr_domain.patients.use_cases import CreatePatient
from ivr_domain.patients.validation import InsuranceInput, PatientInput
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PracticeId
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


def seed_demo() -> None:
    """Create whichever demo accounts, hierarchy and patients are missing, then print the logins."""
    loaded = settings()
    if loaded.environment == "production":
        # Accounts with a published password have no place next to real patients.
        error("refusing to seed demo accounts with a published password when IVR_ENV is production")
    built = container()
    accounts = _seed_accounts(built)
    _seed_hierarchy(built)
    patients = _seed_patients(built)
    if accounts == patients == 0:
        typer.echo("demo data already present")
    else:
        partly = "" if (accounts, patients) == (len(ACCOUNTS), len(PATIENTS)) else "; the rest was already present"
        typer.echo(f"demo data created: {accounts} accounts, {patients} patients{partly}")
    typer.echo(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
    for email, name, role, practice in ACCOUNTS:
        where = f", {practice}" if practice else ""
        typer.echo(f"  {role.value:<19} {email:<30} {name}{where}")
    typer.echo(
        "Hierarchy: master -> distributor -> sales -> Springfield Wound Clinic (Riverside Podiatry is unassigned)."
    )
