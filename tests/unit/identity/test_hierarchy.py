"""The sales hierarchy: one manager per member, moves kept in history, scope derived from it."""

from __future__ import annotations

from datetime import timedelta

from ivr_domain.identity.model import AssignmentKind
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.shared.actor import SYSTEM_ACTOR, Role
from ivr_domain.shared.errors import Conflict, NotPermitted, ValidationFailed
from tests.platform import Platform, error_of, value_of


def test_assigning_again_moves_the_member_and_keeps_history(platform: Platform) -> None:
    first = platform.user("d1@example.org", Role.DISTRIBUTOR)
    second = platform.user("d2@example.org", Role.DISTRIBUTOR)
    sales = platform.user("s@example.org", Role.SALESPERSON)
    platform.assign(first, sales)
    platform.clock.advance(timedelta(days=1))
    platform.assign(second, sales)
    history = value_of(platform.container.assignment_history()(SYSTEM_ACTOR, sales.id))
    assert [a.manager_id for a in history] == [first.id, second.id]
    assert history[0].effective_to == history[1].effective_from
    assert history[1].effective_to is None
    assert all(a.kind is AssignmentKind.SALESPERSON_TEAM for a in history)


def test_a_doctor_member_assigns_their_practice(platform: Platform) -> None:
    sales = platform.user("s@example.org", Role.SALESPERSON)
    doc = platform.user("doc@example.org", Role.DOCTOR, practice="Clinic")
    platform.assign(sales, doc)
    actor = platform.actor("s@example.org")
    assert actor.scope.practice_ids == {doc.practice_id}


def test_managers_must_have_the_role_above_the_member(platform: Platform) -> None:
    master = platform.user("m@example.org", Role.MASTER_DISTRIBUTOR)
    sales = platform.user("s@example.org", Role.SALESPERSON)
    admin = platform.user("a@example.org", Role.ADMIN)
    wrong = AssignMember(manager_id=master.id, member_user_id=sales.id)
    failure = error_of(platform.container.assign_member()(SYSTEM_ACTOR, wrong))
    # The manager is the path's user, no field of the body: a conflict with what they are, not a field error.
    assert failure == Conflict(
        entity="user",
        id=str(master.id),
        detail="the manager must be a distributor for this member, not a master_distributor",
    )
    no_manager = AssignMember(manager_id=master.id, member_user_id=admin.id)
    assert isinstance(error_of(platform.container.assign_member()(SYSTEM_ACTOR, no_manager)), ValidationFailed)


def test_only_admins_assign(platform: Platform) -> None:
    master = platform.user("m@example.org", Role.MASTER_DISTRIBUTOR)
    dist = platform.user("d@example.org", Role.DISTRIBUTOR)
    actor = platform.actor("m@example.org")
    cmd = AssignMember(manager_id=master.id, member_user_id=dist.id)
    assert isinstance(error_of(platform.container.assign_member()(actor, cmd)), NotPermitted)


def test_scope_follows_the_chain_down_three_levels(platform: Platform) -> None:
    master = platform.user("m@example.org", Role.MASTER_DISTRIBUTOR)
    dist = platform.user("d@example.org", Role.DISTRIBUTOR)
    sales = platform.user("s@example.org", Role.SALESPERSON)
    doc = platform.user("doc@example.org", Role.DOCTOR, practice="Clinic")
    platform.user("other@example.org", Role.DOCTOR, practice="Elsewhere")
    platform.assign(master, dist)
    platform.assign(dist, sales)
    platform.assign(sales, doc)
    for email in ("m@example.org", "d@example.org", "s@example.org"):
        assert platform.actor(email).scope.practice_ids == {doc.practice_id}
    assert platform.actor("m@example.org").scope.user_ids == {master.id, dist.id, sales.id}


def test_the_hierarchy_tree_shows_the_callers_subtree(platform: Platform) -> None:
    master = platform.user("m@example.org", Role.MASTER_DISTRIBUTOR, name="Master")
    dist = platform.user("d@example.org", Role.DISTRIBUTOR, name="Dist")
    sales = platform.user("s@example.org", Role.SALESPERSON, name="Sales")
    doc = platform.user("doc@example.org", Role.DOCTOR, practice="Clinic")
    platform.assign(master, dist)
    platform.assign(dist, sales)
    platform.assign(sales, doc)
    platform.user("admin@example.org", Role.ADMIN)
    (root,) = value_of(platform.container.hierarchy()(platform.actor("admin@example.org")))
    assert root.user_id == master.id
    assert root.members[0].members[0].practice_ids == (doc.practice_id,)
    (mine,) = value_of(platform.container.hierarchy()(platform.actor("d@example.org")))
    assert mine.user_id == dist.id
    assert [m.name for m in mine.members] == ["Sales"]
    assert isinstance(error_of(platform.container.hierarchy()(platform.actor("doc@example.org"))), NotPermitted)
