"""What identity tells the rest of the platform: ids and timestamps only, never names, emails or tokens."""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar, Self

from attrs import frozen

from ivr_domain.identity.model import Assignment, AssignmentKind
from ivr_domain.shared.events import DomainEvent
from ivr_domain.shared.ids import AssignmentId, PracticeId, SessionId, UserId


@frozen(kw_only=True)
class _MembershipChange(DomainEvent):
    """An assignment of the sales hierarchy that began or ended."""

    assignment_id: AssignmentId
    kind: AssignmentKind
    manager_id: UserId
    member_user_id: UserId | None = None
    member_practice_id: PracticeId | None = None

    @classmethod
    def of(cls, assignment: Assignment, *, at: datetime) -> Self:
        """Describe the assignment that began or ended."""
        return cls(
            occurred_at=at,
            assignment_id=assignment.id,
            kind=assignment.kind,
            manager_id=assignment.manager_id,
            member_user_id=assignment.member_user_id,
            member_practice_id=assignment.member_practice_id,
        )


@frozen(kw_only=True)
class MemberAssigned(_MembershipChange):
    """A manager gained a member: a distributor, a salesperson, or a practice."""

    name: ClassVar[str] = "identity.member_assigned"


@frozen(kw_only=True)
class MemberRemoved(_MembershipChange):
    """A manager lost a member (it moved to another manager)."""

    name: ClassVar[str] = "identity.member_removed"


@frozen(kw_only=True)
class PasswordChanged(DomainEvent):
    """A user changed their own password."""

    name: ClassVar[str] = "identity.password_changed"
    user_id: UserId


@frozen(kw_only=True)
class PasswordReset(DomainEvent):
    """A user's password was set from a reset token."""

    name: ClassVar[str] = "identity.password_reset"
    user_id: UserId


@frozen(kw_only=True)
class SessionRevokedForReuse(DomainEvent):
    """A refresh token was presented twice, so its session was ended (the token may have been stolen)."""

    name: ClassVar[str] = "identity.session_revoked_for_reuse"
    user_id: UserId
    session_id: SessionId


IDENTITY_EVENTS: tuple[type[DomainEvent], ...] = (
    MemberAssigned,
    MemberRemoved,
    PasswordChanged,
    PasswordReset,
    SessionRevokedForReuse,
)
