"""AssignmentRepository contract, for every adapter."""

from __future__ import annotations

from returns.result import Failure, Success

from ivr_domain.identity.model import Assignment, AssignmentKind
from ivr_domain.shared.actor import Role
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import AssignmentId, new_id
from tests.contract import builders
from tests.contract.conftest import UowFactory


def _assign(kind: AssignmentKind, manager: object, **member: object) -> Assignment:
    return Assignment(
        id=AssignmentId(new_id()),
        kind=kind,
        manager_id=manager,  # type: ignore[arg-type]
        effective_from=builders.later(),
        assigned_by=manager,  # type: ignore[arg-type]
        **member,  # type: ignore[arg-type]
    )


def test_one_current_assignment_per_member(uow: UowFactory) -> None:
    boss, other_boss = builders.user(role=Role.DISTRIBUTOR), builders.user(role=Role.DISTRIBUTOR)
    rep = builders.user(role=Role.SALESPERSON)
    practice = builders.practice()
    first = _assign(AssignmentKind.SALESPERSON_TEAM, boss.id, member_user_id=rep.id)
    with uow() as u:
        u.practices.add(practice)
        for user in (boss, other_boss, rep):
            u.users.add(user)
        assert u.assignments.add(first) == Success(first)
        u.commit()
    with uow() as u:
        second = _assign(AssignmentKind.SALESPERSON_TEAM, other_boss.id, member_user_id=rep.id)
        result = u.assignments.add(second)
        assert isinstance(result, Failure)
        assert isinstance(result.failure(), Conflict)
        assert u.assignments.current_for_user(rep.id) == first
        doctor = _assign(AssignmentKind.DOCTOR_ASSIGNMENT, rep.id, member_practice_id=practice.id)
        assert u.assignments.add(doctor) == Success(doctor)
        u.commit()
    with uow() as u:
        assert u.assignments.current_for_practice(practice.id) == doctor
        again = _assign(AssignmentKind.DOCTOR_ASSIGNMENT, rep.id, member_practice_id=practice.id)
        assert isinstance(u.assignments.add(again), Failure)


def test_close_then_reassign_keeps_history_in_order(uow: UowFactory) -> None:
    boss, other_boss = builders.user(role=Role.DISTRIBUTOR), builders.user(role=Role.DISTRIBUTOR)
    rep = builders.user(role=Role.SALESPERSON)
    first = _assign(AssignmentKind.SALESPERSON_TEAM, boss.id, member_user_id=rep.id)
    with uow() as u:
        for user in (boss, other_boss, rep):
            u.users.add(user)
        u.assignments.add(first)
        u.commit()
    closed_at = builders.later()
    second = _assign(AssignmentKind.SALESPERSON_TEAM, other_boss.id, member_user_id=rep.id)
    with uow() as u:
        u.assignments.close(first, at=closed_at)
        assert u.assignments.add(second) == Success(second)
        u.commit()
    with uow() as u:
        assert u.assignments.current_for_user(rep.id) == second
        history = u.assignments.history(rep.id)
        assert [a.id for a in history] == [first.id, second.id]
        assert history[0].effective_to == closed_at
        assert [a.id for a in u.assignments.history(boss.id)] == [first.id]
        assert u.assignments.all_current() == (second,)


def test_current_members_of_several_managers(uow: UowFactory) -> None:
    boss_a, boss_b, boss_c = (builders.user(role=Role.SALESPERSON) for _ in range(3))
    practices = [builders.practice() for _ in range(3)]
    with uow() as u:
        for user in (boss_a, boss_b, boss_c):
            u.users.add(user)
        for p in practices:
            u.practices.add(p)
        made = [
            _assign(AssignmentKind.DOCTOR_ASSIGNMENT, boss.id, member_practice_id=p.id)
            for boss, p in zip((boss_a, boss_b, boss_c), practices, strict=True)
        ]
        for a in made:
            u.assignments.add(a)
        u.assignments.close(made[1], at=builders.later())
        u.commit()
    with uow() as u:
        found = u.assignments.current_members(frozenset({boss_a.id, boss_b.id}))
        assert found == (made[0],)
        assert u.assignments.current_members(frozenset()) == ()
