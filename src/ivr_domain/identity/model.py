"""Practices, users, sessions, reset tokens and hierarchy assignments."""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum

from attrs import evolve, frozen

from ivr_domain.shared.actor import Permission, Role
from ivr_domain.shared.ids import AssignmentId, PracticeId, SessionId, UserId
from ivr_domain.shared.values import Address, Email, Npi, Phone


@frozen(kw_only=True)
class Practice:
    """One physician's office; its physician details may be filled in later."""

    id: PracticeId
    name: str
    npi: Npi | None = None
    address: Address | None = None
    phone: Phone | None = None
    created_at: datetime
    updated_at: datetime
    version: int = 1


@frozen(kw_only=True)
class User:
    """One person's account: exactly one role, per-user grants and revocations over its defaults."""

    id: UserId
    email: Email
    name: str
    role: Role
    password_hash: str
    practice_id: PracticeId | None = None
    grants: frozenset[Permission] = frozenset()
    revocations: frozenset[Permission] = frozenset()
    active: bool = True
    created_at: datetime
    updated_at: datetime
    password_changed_at: datetime
    version: int = 1


class EndReason(StrEnum):
    """Why a session ended before its time."""

    LOGOUT = "logout"
    REFRESH_REUSED = "refresh_reused"
    PASSWORD_CHANGED = "password_changed"
    PASSWORD_RESET = "password_reset"
    DEACTIVATED = "deactivated"


@frozen(kw_only=True)
class Session:
    """A login: refreshed by single-use tokens, ended by logout, reuse, idleness or age."""

    id: SessionId
    user_id: UserId
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ended_at: datetime | None = None
    end_reason: EndReason | None = None
    client_address: str | None = None

    def is_live(self, now: datetime, idle_limit: timedelta) -> bool:
        """Tell whether the session is neither ended, past its absolute limit, nor idle too long."""
        return self.ended_at is None and now < self.expires_at and now - self.last_seen_at < idle_limit

    def end(self, at: datetime, reason: EndReason) -> Session:
        """Return the session ended for a reason (an ended one keeps its first end)."""
        if self.ended_at is not None:
            return self
        return evolve(self, ended_at=at, end_reason=reason)


@frozen(kw_only=True)
class RefreshToken:
    """One single-use refresh token, stored only as its hash."""

    token_hash: str
    session_id: SessionId
    issued_at: datetime
    used_at: datetime | None = None


@frozen(kw_only=True)
class ResetToken:
    """A single-use password reset token, stored only as its hash."""

    token_hash: str
    user_id: UserId
    created_at: datetime
    expires_at: datetime
    used_at: datetime | None = None


class AssignmentKind(StrEnum):
    """The three edges of the sales hierarchy."""

    DISTRIBUTOR_NETWORK = "distributor_network"
    SALESPERSON_TEAM = "salesperson_team"
    DOCTOR_ASSIGNMENT = "doctor_assignment"


MANAGER_ROLE = {
    AssignmentKind.DISTRIBUTOR_NETWORK: Role.MASTER_DISTRIBUTOR,
    AssignmentKind.SALESPERSON_TEAM: Role.DISTRIBUTOR,
    AssignmentKind.DOCTOR_ASSIGNMENT: Role.SALESPERSON,
}


@frozen(kw_only=True)
class Assignment:
    """A member under a manager for a period; the current one has no `effective_to`.

    The member is a user (a distributor or salesperson) or, for doctor assignments, a practice.
    """

    id: AssignmentId
    kind: AssignmentKind
    manager_id: UserId
    member_user_id: UserId | None = None
    member_practice_id: PracticeId | None = None
    effective_from: datetime
    effective_to: datetime | None = None
    assigned_by: UserId

    @property
    def member_key(self) -> str:
        """Return a key naming the member, whichever kind it is."""
        return str(self.member_practice_id if self.member_practice_id is not None else self.member_user_id)
