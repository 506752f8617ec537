"""Scope resolution: which practices and users an account reaches, from its role and the hierarchy."""

from __future__ import annotations

from ivr_domain.identity.model import User
from ivr_domain.identity.ports import AssignmentRepository
from ivr_domain.shared.actor import Role, Scope
from ivr_domain.shared.ids import PracticeId, UserId

_SALES_DEPTH = {Role.SALESPERSON: 1, Role.DISTRIBUTOR: 2, Role.MASTER_DISTRIBUTOR: 3}


def resolve_scope(user: User, assignments: AssignmentRepository) -> Scope:
    """Return the scope of a user: everything, their practice, their hierarchy or just themselves."""
    if user.role is Role.ADMIN:
        return Scope(everything=True)
    if user.role is Role.IVR_STAFF:
        return Scope(user_ids=frozenset({user.id}), submitted_ivrs=True)
    if user.role is Role.DOCTOR:
        practices = frozenset({user.practice_id}) if user.practice_id is not None else frozenset()
        return Scope(practice_ids=practices, user_ids=frozenset({user.id}))
    depth = _SALES_DEPTH.get(user.role)
    if depth is None:
        return Scope(user_ids=frozenset({user.id}))
    return _walk_down(user.id, depth, assignments)


def _walk_down(root: UserId, depth: int, assignments: AssignmentRepository) -> Scope:
    """Follow current assignments level by level, one query a level, collecting members."""
    users: set[UserId] = {root}
    practices: set[PracticeId] = set()
    frontier = frozenset({root})
    for _ in range(depth):
        if not frontier:
            break
        below = assignments.current_members(frontier)
        practices.update(a.member_practice_id for a in below if a.member_practice_id is not None)
        frontier = frozenset(a.member_user_id for a in below if a.member_user_id is not None)
        users.update(frontier)
    return Scope(practice_ids=frozenset(practices), user_ids=frozenset(users))
