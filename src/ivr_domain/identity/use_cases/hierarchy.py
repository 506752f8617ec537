"""The sales hierarchy: assigning members to managers, their history, and the tree in reach."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from attrs import frozen
from returns.result import Failure, Result, Success

from ivr_domain.identity.events import MemberAssigned, MemberRemoved
from ivr_domain.identity.model import MANAGER_ROLE, Assignment, AssignmentKind, User
from ivr_domain.identity.policy import may_manage_users
from ivr_domain.identity.ports import IdentityUnitOfWork
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor, Role
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import Conflict, NotFound, NotPermitted, ValidationFailed
from ivr_domain.shared.ids import AssignmentId, PracticeId, UserId, new_id

AssignError: TypeAlias = NotFound | NotPermitted | Conflict | ValidationFailed

_SALES_ROLES = (Role.MASTER_DISTRIBUTOR, Role.DISTRIBUTOR, Role.SALESPERSON)

_KIND_OF_MEMBER_ROLE = {
    Role.DISTRIBUTOR: AssignmentKind.DISTRIBUTOR_NETWORK,
    Role.SALESPERSON: AssignmentKind.SALESPERSON_TEAM,
    Role.DOCTOR: AssignmentKind.DOCTOR_ASSIGNMENT,
}


@frozen(kw_only=True)
class AssignMember:
    """Put a distributor, salesperson or practice under a manager; a doctor stands for their practice."""

    manager_id: UserId
    member_user_id: UserId | None = None
    member_practice_id: PracticeId | None = None


def _member_ref(cmd: AssignMember) -> tuple[str, object]:
    """Name what an assignment moves: the member user, or the practice."""
    if cmd.member_practice_id is not None and cmd.member_user_id is None:
        return "practice", cmd.member_practice_id
    return "user", cmd.member_user_id


@frozen(kw_only=True)
class AssignMemberHandler:
    """Admins move members in the hierarchy; the previous assignment is closed, never erased."""

    uow: Callable[[], IdentityUnitOfWork]
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: AssignMember) -> Result[Assignment, AssignError]:
        """Make the manager the member's one current manager."""
        kind, member = _member_ref(cmd)
        return self._assign(actor, cmd).lash(
            lambda error: self.audit.refused(actor, "hierarchy.assign", error, resource_type=kind, resource_id=member)
        )

    def _assign(self, actor: Actor, cmd: AssignMember) -> Result[Assignment, AssignError]:
        with self.uow() as uow:
            manager = uow.users.get(cmd.manager_id, scope=actor.scope)
            if manager is None:
                return Failure(NotFound(entity="user", id=str(cmd.manager_id)))
            if not may_manage_users(actor):
                return Failure(NotPermitted(action="users.assign"))
            # The manager is no field of the request's body: what is wrong with them is a conflict, not a field error.
            if not manager.active:
                return Failure(Conflict(entity="user", id=str(manager.id), detail="the manager's account is inactive"))
            member = self._member(uow, cmd)
            if isinstance(member, ValidationFailed):
                return Failure(member)
            kind, user_id, practice_id = member
            if manager.role is not MANAGER_ROLE[kind]:
                wanted, role = MANAGER_ROLE[kind].value, manager.role.value
                detail = f"the manager must be a {wanted} for this member, not a {role}"
                return Failure(Conflict(entity="user", id=str(manager.id), detail=detail))
            current = (
                uow.assignments.current_for_practice(practice_id)
                if practice_id is not None
                else uow.assignments.current_for_user(user_id)
                if user_id is not None
                else None
            )
            if current is not None and current.manager_id == manager.id:
                self._record(uow, actor, cmd, changed=False)
                return Success(current)
            now = self.clock.now()
            if current is not None:
                uow.assignments.close(current, at=now)
            assignment = Assignment(
                id=AssignmentId(new_id()),
                kind=kind,
                manager_id=manager.id,
                member_user_id=user_id,
                member_practice_id=practice_id,
                effective_from=now,
                assigned_by=actor.user_id,
            )
            result: Result[Assignment, AssignError] = uow.assignments.add(assignment)
            if isinstance(result, Success):
                if current is not None:
                    uow.outbox.add(MemberRemoved.of(current, at=now))
                uow.outbox.add(MemberAssigned.of(assignment, at=now))
                self._record(uow, actor, cmd, changed=True)
            return result

    def _record(self, uow: IdentityUnitOfWork, actor: Actor, cmd: AssignMember, *, changed: bool) -> None:
        """Audit the assignment (its manager changed, or it already was so) and commit."""
        kind, member = _member_ref(cmd)
        fields = ("manager_id",) if changed else ()
        uow.audit.append(
            self.audit.entry(actor, "hierarchy.assign", resource_type=kind, resource_id=member, fields=fields)
        )
        uow.commit()

    def _member(
        self, uow: IdentityUnitOfWork, cmd: AssignMember
    ) -> tuple[AssignmentKind, UserId | None, PracticeId | None] | ValidationFailed:
        if (cmd.member_user_id is None) == (cmd.member_practice_id is None):
            return ValidationFailed.single(
                "member_user_id", "give exactly one of member_user_id and member_practice_id"
            )
        if cmd.member_practice_id is not None:
            if uow.practices.get(cmd.member_practice_id, scope=SYSTEM_ACTOR.scope) is None:
                return ValidationFailed.single("member_practice_id", "no such practice")
            return AssignmentKind.DOCTOR_ASSIGNMENT, None, cmd.member_practice_id
        user = uow.users.get(cmd.member_user_id, scope=SYSTEM_ACTOR.scope) if cmd.member_user_id else None
        if user is None:
            return ValidationFailed.single("member_user_id", "no such user")
        kind = _KIND_OF_MEMBER_ROLE.get(user.role)
        if kind is None:
            return ValidationFailed.single("member_user_id", f"a {user.role.value} has no manager in the hierarchy")
        if kind is AssignmentKind.DOCTOR_ASSIGNMENT:
            return kind, None, user.practice_id
        return kind, user.id, None


@frozen(kw_only=True)
class AssignmentHistoryHandler:
    """Every assignment, current or past, where a user is manager or member."""

    uow: Callable[[], IdentityUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, user_id: UserId) -> Result[tuple[Assignment, ...], NotFound]:
        """Return the user's assignment history, oldest first."""
        action = "hierarchy.history"
        with self.uow() as uow:
            user = uow.users.get(user_id, scope=actor.scope)
            if user is not None:
                history = list(uow.assignments.history(user.id))
                if user.practice_id is not None:
                    history.extend(a for a in self._practice_history(uow, user) if a not in history)
                uow.audit.append(self.audit.entry(actor, action, resource_type="user", resource_id=user.id))
                uow.commit()
                return Success(tuple(sorted(history, key=lambda a: (a.effective_from, str(a.id)))))
        missing = NotFound(entity="user", id=str(user_id))
        return self.audit.refused(actor, action, missing, resource_type="user", resource_id=user_id)

    def _practice_history(self, uow: IdentityUnitOfWork, user: User) -> tuple[Assignment, ...]:
        current = uow.assignments.current_for_practice(user.practice_id) if user.practice_id else None
        return () if current is None else (current,)


@frozen(kw_only=True)
class HierarchyNode:
    """One member of the tree: a user with the members and practices under them."""

    user_id: UserId
    name: str
    role: Role
    members: tuple[HierarchyNode, ...] = ()
    practice_ids: tuple[PracticeId, ...] = ()


@frozen(kw_only=True)
class HierarchyHandler:
    """The sales hierarchy as far as the actor reaches."""

    uow: Callable[[], IdentityUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor) -> Result[tuple[HierarchyNode, ...], NotPermitted]:
        """Return the whole forest for admins, the caller's own subtree for the sales hierarchy."""
        action = "hierarchy.read"
        if not actor.scope.everything and actor.role not in _SALES_ROLES:
            return self.audit.refused(actor, action, NotPermitted(action="users.hierarchy"), resource_type="hierarchy")
        with self.uow() as uow:
            edges = uow.assignments.all_current()
            if actor.scope.everything:
                managed = {a.member_user_id for a in edges if a.member_user_id is not None}
                roots = sorted({a.manager_id for a in edges} - managed, key=str)
            else:
                roots = [actor.user_id]
            by_manager: dict[UserId, list[Assignment]] = {}
            for edge in edges:
                by_manager.setdefault(edge.manager_id, []).append(edge)
            forest = tuple(n for n in (self._node(uow, r, by_manager) for r in roots) if n is not None)
            uow.audit.append(self.audit.entry(actor, action, resource_type="hierarchy"))
            uow.commit()
        return Success(forest)

    def _node(
        self, uow: IdentityUnitOfWork, user_id: UserId, by_manager: dict[UserId, list[Assignment]]
    ) -> HierarchyNode | None:
        user = uow.users.get(user_id, scope=SYSTEM_ACTOR.scope)
        if user is None:
            return None
        below = by_manager.get(user_id, [])
        members = (self._node(uow, a.member_user_id, by_manager) for a in below if a.member_user_id is not None)
        practices = tuple(a.member_practice_id for a in below if a.member_practice_id is not None)
        return HierarchyNode(
            user_id=user.id,
            name=user.name,
            role=user.role,
            members=tuple(m for m in members if m is not None),
            practice_ids=practices,
        )
