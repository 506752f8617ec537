"""`ivr users create` and `ivr users assign`, with the flags API.md documents."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from click.testing import Result

from entrypoints.container import Container
from ivr_domain.identity.model import AssignmentKind
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from tests.cli.conftest import Invoke, all_practices, all_users, current_assignments, user

PASSWORD = "correct horse battery staple"


def create(ivr: Invoke, email: str, role: str, name: str = "Pat Person", *extra: str, **kwargs: object) -> Result:
    """Run `ivr users create` with the password given as a flag."""
    return ivr(
        "users", "create", "--email", email, "--password", PASSWORD, "--role", role, "--name", name, *extra, **kwargs
    )


@pytest.mark.parametrize("role", [r for r in Role if r is not Role.DOCTOR])
def test_create_opens_an_account_outside_any_practice(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container], role: Role
) -> None:
    result = create(ivr, "Someone@Example.org", role.value, "Pat Person")

    assert result.exit_code == 0, result.output
    assert result.stdout.startswith(f"created {role.value} someone@example.org (")
    (stored,) = all_users(read_back())
    assert (stored.email.value, stored.name, stored.role, stored.practice_id) == (
        "someone@example.org",
        "Pat Person",
        role,
        None,
    )
    assert PASSWORD not in result.output
    assert stored.password_hash != PASSWORD


def test_a_doctor_without_practice_gets_one_of_their_own(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container]
) -> None:
    result = create(ivr, "doc@example.org", "doctor", "Dr. Who")

    assert result.exit_code == 0, result.output
    assert "in practice 'Practice of Dr. Who'" in result.stdout
    built = read_back()
    (practice,) = all_practices(built)
    assert user(built, "doc@example.org").practice_id == practice.id


def test_doctors_naming_one_practice_share_it(ivr: Invoke, migrated: None, read_back: Callable[[], Container]) -> None:
    first = create(ivr, "one@example.org", "doctor", "Dr. One", "--practice", "Lakeside Wound Care")
    second = create(ivr, "two@example.org", "doctor", "Dr. Two", "--practice", "Lakeside Wound Care")

    assert (first.exit_code, second.exit_code) == (0, 0), first.output + second.output
    assert "in practice 'Lakeside Wound Care'" in second.stdout
    built = read_back()
    (practice,) = all_practices(built)
    assert user(built, "one@example.org").practice_id == user(built, "two@example.org").practice_id == practice.id


def test_the_password_is_asked_for_when_not_given(
    ivr: Invoke, migrated: None, read_back: Callable[[], Container]
) -> None:
    args = ("users", "create", "--email", "p@example.org", "--role", "logistics", "--name", "Lee")

    result = ivr(*args, input=f"{PASSWORD}\n{PASSWORD}\n")

    assert result.exit_code == 0, result.output
    assert "Password:" in result.output
    assert PASSWORD not in result.output
    built = read_back()
    assert built.hasher().verify(user(built, "p@example.org").password_hash, PASSWORD)


@pytest.mark.parametrize(
    ("args", "exit_code", "message"),
    [
        pytest.param(("--email", "not-an-email"), 1, "error: --email: must be an email address", id="email"),
        pytest.param(("--role", "wizard"), 2, "Invalid value for '--role'", id="role"),
        pytest.param(("--role", "admin", "--practice", "Clinic"), 1, "--practice: only doctors belong", id="practice"),
        pytest.param(("--role", "doctor", "--practice", "  "), 1, "--practice: must not be blank", id="blank-practice"),
        pytest.param(("--password", "short"), 1, "--password: must be at least 12 characters", id="password"),
        pytest.param(("--name", " "), 1, "--name: must not be blank", id="name"),
    ],
)
def test_create_refuses_bad_input_and_stores_nothing(
    ivr: Invoke,
    *,
    migrated: None,
    read_back: Callable[[], Container],
    args: tuple[str, ...],
    exit_code: int,
    message: str,
) -> None:
    given = {"--email": "ok@example.org", "--password": PASSWORD, "--role": "salesperson", "--name": "Pat"}
    given.update(dict(zip(args[::2], args[1::2], strict=True)))

    result = ivr("users", "create", *(part for pair in given.items() for part in pair))

    assert result.exit_code == exit_code
    assert message in result.stderr
    assert "Traceback" not in result.output
    built = read_back()
    assert (all_users(built), all_practices(built)) == ([], [])


def test_create_reports_every_problem_at_once(ivr: Invoke, migrated: None) -> None:
    result = ivr("users", "create", "--email", "x", "--password", "short", "--role", "admin", "--name", "")

    assert result.exit_code == 1
    assert [line for line in result.stderr.splitlines() if line.startswith("error:")] == [
        "error: --email: must be an email address",
        "error: --name: must not be blank",
        "error: --password: must be at least 12 characters",
    ]


def test_create_requires_every_documented_flag(ivr: Invoke, migrated: None) -> None:
    result = ivr("users", "create", "--email", "a@example.org", "--password", PASSWORD, "--role", "admin")

    assert result.exit_code == 2
    assert "Missing option '--name'" in result.stderr


def test_a_taken_email_is_refused(ivr: Invoke, migrated: None, read_back: Callable[[], Container]) -> None:
    assert create(ivr, "taken@example.org", "admin").exit_code == 0

    again = create(ivr, "TAKEN@example.org", "ivr_staff")

    assert again.exit_code == 1
    assert again.stderr == "error: --email: an account with TAKEN@example.org already exists\n"
    assert [u.role for u in all_users(read_back())] == [Role.ADMIN]


@pytest.fixture
def team(ivr: Invoke, migrated: None) -> None:
    """A master distributor, a distributor, two salespeople, two doctors of one practice and an admin."""
    for email, role, *extra in (
        ("master@example.org", "master_distributor"),
        ("dist@example.org", "distributor"),
        ("sales@example.org", "salesperson"),
        ("sales2@example.org", "salesperson"),
        ("doc@example.org", "doctor", "--practice", "Hilltop Clinic"),
        ("nurse@example.org", "doctor", "--practice", "Hilltop Clinic"),
        ("admin@example.org", "admin"),
    ):
        assert create(ivr, email, role, "Some Body", *extra).exit_code == 0


def assign(ivr: Invoke, manager: str, member: str) -> Result:
    """Run `ivr users assign`."""
    return ivr("users", "assign", "--manager", manager, "--member", member)


def test_assign_builds_each_level_of_the_hierarchy(ivr: Invoke, team: None, read_back: Callable[[], Container]) -> None:
    results = [
        assign(ivr, "master@example.org", "dist@example.org"),
        assign(ivr, "dist@example.org", "sales@example.org"),
        assign(ivr, "sales@example.org", "doc@example.org"),
    ]

    assert [r.exit_code for r in results] == [0, 0, 0], [r.output for r in results]
    assert results[2].stdout == "assigned doc@example.org under sales@example.org (doctor_assignment)\n"
    built = read_back()
    edges = {(a.kind, a.manager_id, a.member_user_id or a.member_practice_id) for a in current_assignments(built)}
    assert edges == {
        (AssignmentKind.DISTRIBUTOR_NETWORK, user(built, "master@example.org").id, user(built, "dist@example.org").id),
        (AssignmentKind.SALESPERSON_TEAM, user(built, "dist@example.org").id, user(built, "sales@example.org").id),
        (
            AssignmentKind.DOCTOR_ASSIGNMENT,
            user(built, "sales@example.org").id,
            user(built, "nurse@example.org").practice_id,
        ),
    }


def test_reassigning_closes_the_previous_assignment(
    ivr: Invoke, team: None, read_back: Callable[[], Container]
) -> None:
    assert assign(ivr, "sales@example.org", "doc@example.org").exit_code == 0
    assert assign(ivr, "sales@example.org", "doc@example.org").exit_code == 0
    assert assign(ivr, "sales2@example.org", "nurse@example.org").exit_code == 0

    built = read_back()
    history = built.assignment_history()(SYSTEM_ACTOR, user(built, "sales@example.org").id).unwrap()
    (current,) = current_assignments(built)
    assert current.manager_id == user(built, "sales2@example.org").id
    assert [a.effective_to is not None for a in history] == [True]


@pytest.mark.parametrize(
    ("manager", "member", "message"),
    [
        pytest.param("nobody@example.org", "dist@example.org", "--manager: no account with email nobody", id="unknown"),
        pytest.param("master@example.org", "ghost@example.org", "--member: no account with email ghost", id="member"),
        pytest.param("not-an-email", "dist@example.org", "--manager: must be an email address", id="email"),
        pytest.param("dist@example.org", "doc@example.org", "the manager must be a salesperson", id="level"),
        pytest.param("sales@example.org", "admin@example.org", "--member: a admin has no manager", id="no-manager"),
    ],
)
def test_assign_refuses_bad_pairs_and_changes_nothing(
    ivr: Invoke, *, team: None, read_back: Callable[[], Container], manager: str, member: str, message: str
) -> None:
    result = assign(ivr, manager, member)

    assert result.exit_code == 1
    assert message in result.stderr
    assert current_assignments(read_back()) == ()


def test_assign_requires_both_flags(ivr: Invoke, team: None) -> None:
    result = ivr("users", "assign", "--manager", "sales@example.org")

    assert result.exit_code == 2
    assert "Missing option '--member'" in result.stderr
