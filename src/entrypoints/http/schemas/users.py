"""Bodies and answers of accounts, permissions, roles and the sales hierarchy."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

import msgspec
from attrs import frozen

from entrypoints.http.schemas.common import utc
from ivr_domain.identity.model import Assignment, User
from ivr_domain.identity.permissions import GRANTABLE, ROLE_DEFAULTS, effective_permissions
from ivr_domain.identity.use_cases.hierarchy import HierarchyNode
from ivr_domain.shared.actor import Actor, Permission


@frozen(kw_only=True)
class UpdateUserBody:
    """New profile details; only admins change an email address."""

    name: str
    email: str | None = None


@frozen(kw_only=True)
class PermissionsBody:
    """Grants and revocations over the role's defaults."""

    grants: frozenset[Permission] = frozenset()
    revocations: frozenset[Permission] = frozenset()


@frozen(kw_only=True)
class AssignBody:
    """The member to put under the user of the path: a distributor, salesperson, doctor or practice."""

    member_user_id: UUID | None = None
    member_practice_id: UUID | None = None


class UserOut(msgspec.Struct, kw_only=True):
    """An account; its password hash never leaves the server."""

    id: UUID
    email: str
    name: str
    role: str
    practice_id: UUID | None
    active: bool
    permissions: list[str]
    grants: list[str]
    revocations: list[str]
    version: int
    created_at: datetime
    updated_at: datetime


class ScopeOut(msgspec.Struct, kw_only=True):
    """A summary of what the caller reaches."""

    everything: bool
    practice_count: int
    submitted_ivrs: bool


class MeOut(UserOut, kw_only=True):
    """The caller's own account, with the reach of their session."""

    scope: ScopeOut


class UserPage(msgspec.Struct, kw_only=True):
    """One page of accounts."""

    items: list[UserOut]
    next_cursor: str | None


class RoleOut(msgspec.Struct, kw_only=True):
    """A role, its default permissions and every permission an account of it may be granted."""

    role: str
    permissions: list[str]
    grantable: list[str]


class RoleList(msgspec.Struct, kw_only=True):
    """Every role."""

    items: list[RoleOut]


class AssignmentOut(msgspec.Struct, kw_only=True):
    """A hierarchy edge for a period; the current one has no `effective_to`."""

    id: UUID
    kind: str
    manager_id: UUID
    member_user_id: UUID | None
    member_practice_id: UUID | None
    effective_from: datetime
    effective_to: datetime | None
    assigned_by: UUID


class AssignmentList(msgspec.Struct, kw_only=True):
    """Assignments, oldest first."""

    items: list[AssignmentOut]


class HierarchyNodeOut(msgspec.Struct, kw_only=True):
    """A member of the sales hierarchy with the members and practices under them."""

    user_id: UUID
    name: str
    role: str
    members: list[HierarchyNodeOut]
    practice_ids: list[UUID]


class HierarchyOut(msgspec.Struct, kw_only=True):
    """The trees in the caller's reach."""

    items: list[HierarchyNodeOut]


def _fields(user: User) -> dict[str, object]:
    return {
        "id": user.id,
        "email": user.email.value,
        "name": user.name,
        "role": user.role.value,
        "practice_id": user.practice_id,
        "active": user.active,
        "permissions": sorted(effective_permissions(user.role, user.grants, user.revocations)),
        "grants": sorted(user.grants),
        "revocations": sorted(user.revocations),
        "version": user.version,
        "created_at": utc(user.created_at),
        "updated_at": utc(user.updated_at),
    }


def user_out(user: User) -> UserOut:
    """Return the wire form of an account."""
    return UserOut(**_fields(user))  # type: ignore[arg-type]


def me_out(user: User, actor: Actor) -> MeOut:
    """Return the caller's account with their session's reach."""
    scope = ScopeOut(
        everything=actor.scope.everything,
        practice_count=len(actor.scope.practice_ids),
        submitted_ivrs=actor.scope.submitted_ivrs,
    )
    return MeOut(**_fields(user), scope=scope)  # type: ignore[arg-type]


def roles_out() -> RoleList:
    """Return every role with its default and grantable permissions."""
    return RoleList(
        items=[
            RoleOut(role=r.value, permissions=sorted(p), grantable=sorted(GRANTABLE[r]))
            for r, p in ROLE_DEFAULTS.items()
        ]
    )


def assignment_out(a: Assignment) -> AssignmentOut:
    """Return the wire form of a hierarchy edge."""
    return AssignmentOut(
        id=a.id,
        kind=a.kind.value,
        manager_id=a.manager_id,
        member_user_id=a.member_user_id,
        member_practice_id=a.member_practice_id,
        effective_from=utc(a.effective_from),
        effective_to=utc(a.effective_to) if a.effective_to is not None else None,
        assigned_by=a.assigned_by,
    )


def node_out(node: HierarchyNode) -> HierarchyNodeOut:
    """Return the wire form of a hierarchy subtree."""
    return HierarchyNodeOut(
        user_id=node.user_id,
        name=node.name,
        role=node.role.value,
        members=[node_out(m) for m in node.members],
        practice_ids=list(node.practice_ids),
    )
