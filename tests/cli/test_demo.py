"""`ivr seed-demo`: one account per role, a small hierarchy, fictional patients and IVRs, safe to run again."""

from __future__ import annotations

from collections.abc import Callable

from click.testing import Result

from entrypoints.cli.commands.demo import ACCOUNTS, DEMO_IVRS, DEMO_PASSWORD, PATIENTS
from entrypoints.container import Container
from ivr_domain.identity.model import AssignmentKind
from ivr_domain.identity.use_cases.auth import Login
from ivr_domain.ivr.model import Ivr
from ivr_domain.ivr.ports import IvrFilter
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.paging import MAX_LIMIT, PageRequest
from tests.cli.conftest import Invoke, all_patients, all_practices, all_users, current_assignments, user

CREATED = f"demo data created: {len(ACCOUNTS)} accounts, {len(PATIENTS)} patients, {len(DEMO_IVRS)} IVRs"


def all_ivrs(built: Container) -> list[Ivr]:
    """Every IVR in the database, in the full projection, oldest first."""
    page = built.list_ivrs()(SYSTEM_ACTOR, IvrFilter(), PageRequest(limit=MAX_LIMIT, sort="created_at")).unwrap()
    return [shown.ivr for shown in page.items if isinstance(shown.ivr, Ivr)]


def test_seed_creates_one_account_per_role_and_prints_the_logins(
    seeded: Result, read_back: Callable[[], Container]
) -> None:
    assert seeded.stdout.startswith(f"{CREATED}\n")
    assert f"password for all: {DEMO_PASSWORD}" in seeded.stdout
    for email, name, role, _ in ACCOUNTS:
        assert any(email in line and role.value in line and name in line for line in seeded.stdout.splitlines())
    built = read_back()
    users = all_users(built)
    assert {u.role for u in users} == set(Role)
    assert sorted(u.email.value for u in users) == sorted(a[0] for a in ACCOUNTS)
    assert sorted(p.name for p in all_practices(built)) == ["Riverside Podiatry", "Springfield Wound Clinic"]
    login = built.login()(Login(email="staff@demo.example.org", password=DEMO_PASSWORD, client_address="127.0.0.1"))
    assert login.unwrap().access_token


def test_seed_builds_the_hierarchy_and_the_patients(seeded: Result, read_back: Callable[[], Container]) -> None:
    built = read_back()
    master, distributor, sales = (user(built, f"{n}@demo.example.org") for n in ("master", "distributor", "sales"))
    doctor, nurse, doctor2 = (user(built, f"{n}@demo.example.org") for n in ("doctor", "nurse", "doctor2"))
    edges = {(a.kind, a.manager_id, a.member_user_id or a.member_practice_id) for a in current_assignments(built)}
    assert edges == {
        (AssignmentKind.DISTRIBUTOR_NETWORK, master.id, distributor.id),
        (AssignmentKind.SALESPERSON_TEAM, distributor.id, sales.id),
        (AssignmentKind.DOCTOR_ASSIGNMENT, sales.id, doctor.practice_id),
    }
    assert nurse.practice_id == doctor.practice_id != doctor2.practice_id
    patients = all_patients(built)
    by_practice = {(p.name.first, p.name.last, p.practice_id) for p in patients}
    assert by_practice == {
        (first, last, user(built, doctor_email).practice_id) for first, last, *_, doctor_email in PATIENTS
    }


def test_seed_brings_an_ivr_of_each_springfield_patient_to_its_own_state(
    seeded: Result, read_back: Callable[[], Container]
) -> None:
    built = read_back()
    first_names = {p.id: p.name.first for p in all_patients(built)}
    ivrs = all_ivrs(built)
    assert [(first_names[i.patient_id], i.status) for i in ivrs] == [(first, state) for first, _, state in DEMO_IVRS]
    assert {i.practice_id for i in ivrs} == {user(built, "doctor@demo.example.org").practice_id}
    draft, submitted, approved = ivrs
    assert (draft.submitted_at, submitted.reviewer_id) == (None, None)  # the queue has work for staff@demo
    doctor, staff = user(built, "doctor@demo.example.org"), user(built, "staff@demo.example.org")
    assert {i.created_by for i in ivrs} == {doctor.id}
    assert approved.reviewer_id == staff.id
    (coverage,) = approved.coverages
    assert (coverage.outcome.value, approved.valid_until) == ("covered", coverage.valid_until)
    assert [i.content.application_cpt_codes for i in ivrs] == [("15275",), ("15271", "15272", "15272"), ("15275",)]
    assert "IVRs at Springfield Wound Clinic: Ada's draft, Bert's submitted, Cora's approved." in seeded.stdout


def test_a_second_seed_finds_everything_present_and_adds_nothing(
    ivr: Invoke, seeded: Result, read_back: Callable[[], Container]
) -> None:
    before = read_back()
    users, patients, edges, ivrs = (
        all_users(before),
        all_patients(before),
        current_assignments(before),
        all_ivrs(before),
    )

    again = ivr("seed-demo")

    assert again.exit_code == 0, again.output
    assert again.stdout.startswith("demo data already present\n")
    assert again.stdout.splitlines()[1:] == seeded.stdout.splitlines()[1:]
    after = read_back()
    assert all_users(after) == users
    assert all_patients(after) == patients
    assert current_assignments(after) == edges
    assert all_ivrs(after) == ivrs


def test_seed_completes_partial_demo_data(ivr: Invoke, migrated: None, read_back: Callable[[], Container]) -> None:
    email, name, role, _ = ACCOUNTS[0]
    made = ivr("users", "create", "--email", email, "--password", DEMO_PASSWORD, "--role", role.value, "--name", name)
    assert made.exit_code == 0, made.output

    result = ivr("seed-demo")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(
        f"demo data created: {len(ACCOUNTS) - 1} accounts, {len(PATIENTS)} patients, {len(DEMO_IVRS)} IVRs; "
        "the rest was already present\n"
    )
    assert len(all_users(read_back())) == len(ACCOUNTS)


def test_seed_leaves_a_member_an_operator_moved(
    ivr: Invoke, seeded: Result, read_back: Callable[[], Container]
) -> None:
    created = ivr(
        "users", "create", "--email", "sales2@example.org", "--password", DEMO_PASSWORD,
        "--role", "salesperson", "--name", "Second Seller",
    )  # fmt: skip
    moved = ivr("users", "assign", "--manager", "sales2@example.org", "--member", "doctor@demo.example.org")
    assert (created.exit_code, moved.exit_code) == (0, 0), created.output + moved.output

    assert ivr("seed-demo").exit_code == 0

    built = read_back()
    practice = user(built, "doctor@demo.example.org").practice_id
    (edge,) = [a for a in current_assignments(built) if a.member_practice_id == practice]
    assert edge.manager_id == user(built, "sales2@example.org").id


def test_seed_refuses_production(ivr: Invoke, migrated: None, read_back: Callable[[], Container]) -> None:
    result = ivr("seed-demo", env={"IVR_ENV": "production"})

    assert result.exit_code == 1
    assert "refusing to seed demo accounts" in result.stderr
    assert all_users(read_back()) == []
