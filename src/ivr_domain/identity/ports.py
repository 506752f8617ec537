"""What identity needs from persistence and delivery."""

from __future__ import annotations

from datetime import datetime
from types import TracebackType
from typing import Protocol

from attrs import frozen
from returns.result import Result

from ivr_domain.identity.model import (
    Assignment,
    Practice,
    RefreshToken,
    ResetToken,
    Session,
    User,
)
from ivr_domain.shared.actor import Role, Scope
from ivr_domain.shared.audit import AuditLog
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.events import EventOutbox
from ivr_domain.shared.ids import PracticeId, SessionId, UserId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.values import Email

USER_SORTS = ("created_at", "email")
PRACTICE_SORTS = ("created_at", "name")


@frozen(kw_only=True)
class UserFilter:
    """Non-PHI filters of the user list."""

    role: Role | None = None
    practice_id: PracticeId | None = None
    active: bool | None = None


class PracticeRepository(Protocol):
    """Practices by id and name."""

    def get(self, practice_id: PracticeId, *, scope: Scope) -> Practice | None:
        """Return the practice when it exists within scope."""
        ...

    def find_by_name(self, name: str) -> Practice | None:
        """Return the practice with exactly this name (case-insensitive), whatever the scope."""
        ...

    def add(self, practice: Practice) -> None:
        """Store a new practice."""
        ...

    def save(self, practice: Practice) -> Result[Practice, Conflict]:
        """Store a changed practice if its version is current; return it with the next version."""
        ...

    def list(self, *, scope: Scope, page: PageRequest) -> Page[Practice]:
        """Return one page of the practices within scope."""
        ...


class UserRepository(Protocol):
    """Accounts by id and email."""

    def get(self, user_id: UserId, *, scope: Scope) -> User | None:
        """Return the user when they exist within scope."""
        ...

    def find_by_email(self, email: Email) -> User | None:
        """Return the account with this email, whatever the scope."""
        ...

    def add(self, user: User) -> Result[User, Conflict]:
        """Store a new account; an email already taken is a conflict."""
        ...

    def version_held(self, user_id: UserId) -> int | None:
        """Return the account's current version, held against change until the transaction ends (None: no account).

        A login compares it with the version whose password it verified: a password changed in between refuses
        the login, and a change that comes after waits for it and then ends its session like any other.
        """
        ...

    def save(self, user: User) -> Result[User, Conflict]:
        """Store a changed account if its version is current; return it with the next version."""
        ...

    def list(self, *, scope: Scope, filters: UserFilter, page: PageRequest) -> Page[User]:
        """Return one page of the users within scope that match the filters."""
        ...


class SessionRepository(Protocol):
    """Sessions and their refresh tokens."""

    def get(self, session_id: SessionId) -> Session | None:
        """Return the session."""
        ...

    def add(self, session: Session) -> None:
        """Store a new session."""
        ...

    def save(self, session: Session) -> bool:
        """Store a live session's activity or its end; False, writing nothing, when it has ended meanwhile.

        An end is never overwritten: a touch or a rotation saved from an older read must not revive a session
        that a logout, a reuse or a password change ended in between.
        """
        ...

    def end_all_for_user(self, user_id: UserId, *, at: datetime, reason: str, keep: SessionId | None = None) -> int:
        """End every live session of a user but `keep`; return how many ended."""
        ...

    def add_refresh_token(self, token: RefreshToken) -> None:
        """Store a newly issued refresh token."""
        ...

    def get_refresh_token(self, token_hash: str) -> RefreshToken | None:
        """Return the refresh token with this hash."""
        ...

    def use_refresh_token(self, token_hash: str, *, at: datetime) -> bool:
        """Mark a refresh token used; False when it was already used (a reuse)."""
        ...


class ResetTokenRepository(Protocol):
    """Password reset tokens."""

    def add(self, token: ResetToken) -> None:
        """Store a new reset token."""
        ...

    def get(self, token_hash: str) -> ResetToken | None:
        """Return the reset token with this hash."""
        ...

    def use(self, token_hash: str, *, at: datetime) -> bool:
        """Mark a reset token used; False when it was already used."""
        ...


class AssignmentRepository(Protocol):
    """The sales hierarchy's edges, current and past."""

    def current_for_user(self, member: UserId) -> Assignment | None:
        """Return the current assignment of a distributor or salesperson."""
        ...

    def current_for_practice(self, member: PracticeId) -> Assignment | None:
        """Return the current assignment of a practice."""
        ...

    def add(self, assignment: Assignment) -> Result[Assignment, Conflict]:
        """Store a new current assignment; a member already assigned is a conflict."""
        ...

    def close(self, assignment: Assignment, *, at: datetime) -> None:
        """End a current assignment at a time."""
        ...

    def current_members(self, managers: frozenset[UserId]) -> tuple[Assignment, ...]:
        """Return the current assignments under any of these managers."""
        ...

    def history(self, user_id: UserId) -> tuple[Assignment, ...]:
        """Return every assignment, current or past, where the user is manager or member, oldest first."""
        ...

    def all_current(self) -> tuple[Assignment, ...]:
        """Return every current assignment."""
        ...


class IdentityUnitOfWork(Protocol):
    """One transaction over identity's stores, the audit log its requests append to, and the event outbox."""

    practices: PracticeRepository
    users: UserRepository
    sessions: SessionRepository
    reset_tokens: ResetTokenRepository
    assignments: AssignmentRepository
    audit: AuditLog
    outbox: EventOutbox

    def __enter__(self) -> IdentityUnitOfWork:
        """Begin the transaction."""
        ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make the transaction's changes durable."""
        ...

    def rollback(self) -> None:
        """Discard the transaction's changes."""
        ...


class ResetNotifier(Protocol):
    """Delivers password reset tokens to their owner."""

    def send_password_reset(self, *, email: Email, user_id: UserId, token: str) -> None:
        """Send the reset token (as a link) to the account's owner."""
        ...
