"""Practices and users held in memory."""

from __future__ import annotations

from attrs import evolve
from returns.result import Failure, Result, Success

from adapters.memory.paging import keyset_page
from adapters.memory.workspace import Workspace
from ivr_domain.identity.model import Practice, User
from ivr_domain.identity.ports import UserFilter
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PracticeId, UserId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.values import Email


def practice_in_scope(practice: Practice, scope: Scope) -> bool:
    """Tell whether a practice is within reach."""
    return scope.everything or practice.id in scope.practice_ids


def user_in_scope(user: User, scope: Scope) -> bool:
    """Tell whether a user is within reach: listed, or a member of a reachable practice."""
    if scope.everything or user.id in scope.user_ids:
        return True
    return user.practice_id is not None and user.practice_id in scope.practice_ids


class InMemoryPracticeRepository:
    """Practices of one unit of work."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def get(self, practice_id: PracticeId, *, scope: Scope) -> Practice | None:
        """Return the practice when it exists within scope."""
        practice = self._ws.practices.get(practice_id)
        return practice if practice is not None and practice_in_scope(practice, scope) else None

    def find_by_name(self, name: str) -> Practice | None:
        """Return the practice with exactly this name (case-insensitive), whatever the scope."""
        wanted = name.casefold()
        return next((p for p in self._ws.practices.values() if p.name.casefold() == wanted), None)

    def add(self, practice: Practice) -> None:
        """Store a new practice."""
        self._ws.claim_new("practices", practice.id)
        self._ws.practices.put(practice.id, practice)

    def save(self, practice: Practice) -> Result[Practice, Conflict]:
        """Store a changed practice if its version is current; return it with the next version."""
        if not self._ws.may_update("practices", self._ws.practices, practice.id, practice.version):
            return Failure(Conflict(entity="practice", id=str(practice.id)))
        saved = evolve(practice, version=practice.version + 1)
        self._ws.practices.put(practice.id, saved)
        return Success(saved)

    def list(self, *, scope: Scope, page: PageRequest) -> Page[Practice]:
        """Return one page of the practices within scope."""
        rows = (p for p in self._ws.practices.values() if practice_in_scope(p, scope))
        return keyset_page(rows, page, {"created_at": lambda p: p.created_at, "name": lambda p: p.name}, lambda p: p.id)


class InMemoryUserRepository:
    """Accounts of one unit of work; emails are unique."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def get(self, user_id: UserId, *, scope: Scope) -> User | None:
        """Return the user when they exist within scope."""
        user = self._ws.users.get(user_id)
        return user if user is not None and user_in_scope(user, scope) else None

    def find_by_email(self, email: Email) -> User | None:
        """Return the account with this email, whatever the scope."""
        return next((u for u in self._ws.users.values() if u.email.value == email.value.lower()), None)

    def add(self, user: User) -> Result[User, Conflict]:
        """Store a new account; an email already taken is a conflict."""
        clash = self._email_clash(user)
        if clash is not None:
            return Failure(clash)
        self._ws.claim_new("users", user.id)
        self._ws.users.put(user.id, user)
        return Success(user)

    def version_held(self, user_id: UserId) -> int | None:
        """Return the account's current version as committed (the memory store checks at this read, not by locks)."""
        with self._ws.store.lock:
            committed = self._ws.store.users.get(user_id)
        mine = self._ws.users.get(user_id)
        versions = [u.version for u in (mine, committed) if u is not None]
        return max(versions) if versions else None

    def save(self, user: User) -> Result[User, Conflict]:
        """Store a changed account if its version is current; return it with the next version."""
        if not self._ws.may_update("users", self._ws.users, user.id, user.version):
            return Failure(Conflict(entity="user", id=str(user.id)))
        clash = self._email_clash(user)
        if clash is not None:
            return Failure(clash)
        saved = evolve(user, version=user.version + 1)
        self._ws.users.put(user.id, saved)
        return Success(saved)

    def list(self, *, scope: Scope, filters: UserFilter, page: PageRequest) -> Page[User]:
        """Return one page of the users within scope that match the filters."""
        rows = (u for u in self._ws.users.values() if user_in_scope(u, scope) and _matches(u, filters))
        sorts = {"created_at": lambda u: u.created_at, "email": lambda u: u.email.value}
        return keyset_page(rows, page, sorts, lambda u: u.id)

    def _email_clash(self, user: User) -> Conflict | None:
        email = user.email.value.lower()
        mine = next((u for u in self._ws.users.values() if u.email.value == email and u.id != user.id), None)
        if mine is not None:
            return Conflict(entity="user", existing_id=str(mine.id))
        store = self._ws.store

        def committed_clash() -> bool:
            return any(u.email.value == email and u.id != user.id for u in store.users.values())

        if not self._ws.may_take(("users.email", email), committed_clash):
            taken = next((u for u in store.users.values() if u.email.value == email), None)
            return Conflict(entity="user", existing_id=str(taken.id) if taken is not None else None)
        return None


def _matches(user: User, filters: UserFilter) -> bool:
    return (
        (filters.role is None or user.role is filters.role)
        and (filters.practice_id is None or user.practice_id == filters.practice_id)
        and (filters.active is None or user.active is filters.active)
    )


class InMemoryPracticeDirectory:
    """Answers the patients context's question whether a practice exists."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def exists(self, practice_id: PracticeId) -> bool:
        """Tell whether a practice with this id exists."""
        return self._ws.practices.get(practice_id) is not None
