"""Accounts: create, read, list, update, deactivate, and per-user permissions."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.identity.model import EndReason, Practice, User
from ivr_domain.identity.permissions import ROLE_DEFAULTS
from ivr_domain.identity.policy import (
    AuthPolicy,
    may_manage_users,
    may_update_user,
    password_problems,
)
from ivr_domain.identity.ports import USER_SORTS, IdentityUnitOfWork, UserFilter
from ivr_domain.identity.use_cases.practices import ParsedPractice, new_practice
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor, Permission, Role
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import (
    Conflict,
    InvalidQuery,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.ids import PracticeId, UserId, new_id
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.ports import PasswordHasher
from ivr_domain.shared.validation import Problems, check_page
from ivr_domain.shared.values import Email

CreateUserError: TypeAlias = NotPermitted | Conflict | ValidationFailed
WriteUserError: TypeAlias = NotFound | NotPermitted | PreconditionFailed | Conflict | ValidationFailed


@frozen(kw_only=True)
class CreateUser:
    """A new account; a doctor joins a practice by id or name, or gets a practice of their own."""

    email: str
    name: str
    role: Role
    password: str
    practice_id: PracticeId | None = None
    practice_name: str | None = None


@frozen(kw_only=True)
class CreateUserHandler:
    """Admins (and the CLI's system actor) open accounts."""

    uow: Callable[[], IdentityUnitOfWork]
    hasher: PasswordHasher
    clock: Clock
    policy: AuthPolicy

    def __call__(self, actor: Actor, cmd: CreateUser) -> Result[User, CreateUserError]:
        """Validate and store a new account."""
        if not may_manage_users(actor):
            return Failure(NotPermitted(action="users.create"))
        problems = Problems()
        email = problems.email(cmd.email, "email")
        name = problems.text(cmd.name, "name", max_length=200)
        if email is not None:
            for message in password_problems(cmd.password, self.policy, email=email.value):
                problems.add("password", message)
        if cmd.role is not Role.DOCTOR and (cmd.practice_id is not None or cmd.practice_name is not None):
            problems.add("practice_id", "only doctors belong to a practice")
        failure = problems.failure()
        if failure is not None or email is None:
            return Failure(failure or ValidationFailed.single("email", "must be an email address"))
        with self.uow() as uow:
            practice_id: PracticeId | None = None
            if cmd.role is Role.DOCTOR:
                found = self._practice_for(uow, cmd, name)
                if isinstance(found, ValidationFailed):
                    return Failure(found)
                practice_id = found.id
            now = self.clock.now()
            user = User(
                id=UserId(new_id()),
                email=email,
                name=name,
                role=cmd.role,
                password_hash=self.hasher.hash(cmd.password),
                practice_id=practice_id,
                created_at=now,
                updated_at=now,
                password_changed_at=now,
            )
            result: Result[User, CreateUserError] = uow.users.add(user)
            if isinstance(result, Success):
                uow.commit()
            return result

    def _practice_for(self, uow: IdentityUnitOfWork, cmd: CreateUser, name: str) -> Practice | ValidationFailed:
        if cmd.practice_id is not None:
            practice = uow.practices.get(cmd.practice_id, scope=SYSTEM_ACTOR.scope)
            return practice or ValidationFailed.single("practice_id", "no such practice")
        practice_name = cmd.practice_name.strip() if cmd.practice_name else f"Practice of {name}"
        existing = uow.practices.find_by_name(practice_name)
        if existing is not None:
            return existing
        practice = new_practice(ParsedPractice(name=practice_name, npi=None, address=None, phone=None), self.clock)
        uow.practices.add(practice)
        return practice


@frozen(kw_only=True)
class GetUserHandler:
    """Reads one account within scope."""

    uow: Callable[[], IdentityUnitOfWork]

    def __call__(self, actor: Actor, user_id: UserId) -> Result[User, NotFound]:
        """Return the account, or NotFound outside the actor's scope."""
        with self.uow() as uow:
            user = uow.users.get(user_id, scope=actor.scope)
        return Success(user) if user is not None else Failure(NotFound(entity="user", id=str(user_id)))


@frozen(kw_only=True)
class ListUsersHandler:
    """Lists the accounts within scope."""

    uow: Callable[[], IdentityUnitOfWork]

    def __call__(self, actor: Actor, filters: UserFilter, page: PageRequest) -> Result[Page[User], InvalidQuery]:
        """Return one page of accounts."""
        bad = check_page(page, USER_SORTS)
        if bad is not None:
            return Failure(bad)
        with self.uow() as uow:
            return Success(uow.users.list(scope=actor.scope, filters=filters, page=page))


@frozen(kw_only=True)
class UpdateUser:
    """New profile details; only admins change an email address."""

    user_id: UserId
    name: str
    email: str | None = None
    expected_version: int | None = None


@frozen(kw_only=True)
class UpdateUserHandler:
    """Admins update any account, everyone their own name."""

    uow: Callable[[], IdentityUnitOfWork]
    clock: Clock

    def __call__(self, actor: Actor, cmd: UpdateUser) -> Result[User, WriteUserError]:
        """Replace the profile if the version matches."""
        with self.uow() as uow:
            user = uow.users.get(cmd.user_id, scope=actor.scope)
            if user is None:
                return Failure(NotFound(entity="user", id=str(cmd.user_id)))
            if not may_update_user(actor, user) or (cmd.email is not None and not may_manage_users(actor)):
                return Failure(NotPermitted(action="users.update"))
            if cmd.expected_version is not None and cmd.expected_version != user.version:
                return Failure(PreconditionFailed(entity="user", id=str(user.id), current_version=user.version))
            problems = Problems()
            name = problems.text(cmd.name, "name", max_length=200)
            email = problems.email(cmd.email, "email") if cmd.email is not None else user.email
            failure = problems.failure()
            if failure is not None or email is None:
                return Failure(failure or ValidationFailed.single("email", "must be an email address"))
            taken = uow.users.find_by_email(email)
            if taken is not None and taken.id != user.id:
                return Failure(Conflict(entity="user", detail="email is taken"))
            result: Result[User, WriteUserError] = uow.users.save(
                evolve(user, name=name, email=email, updated_at=self.clock.now())
            )
            if isinstance(result, Success):
                uow.commit()
            return result


@frozen(kw_only=True)
class DeactivateUserHandler:
    """Admins close an account: it can no longer log in and its sessions end."""

    uow: Callable[[], IdentityUnitOfWork]
    clock: Clock

    def __call__(self, actor: Actor, user_id: UserId) -> Result[User, WriteUserError]:
        """Deactivate an account other than the caller's own."""
        with self.uow() as uow:
            user = uow.users.get(user_id, scope=actor.scope)
            if user is None:
                return Failure(NotFound(entity="user", id=str(user_id)))
            if not may_manage_users(actor):
                return Failure(NotPermitted(action="users.deactivate"))
            if user.id == actor.user_id:
                return Failure(
                    Conflict(entity="user", id=str(user.id), detail="you cannot deactivate your own account")
                )
            if not user.active:
                return Success(user)
            now = self.clock.now()
            result: Result[User, WriteUserError] = uow.users.save(evolve(user, active=False, updated_at=now))
            if isinstance(result, Success):
                uow.sessions.end_all_for_user(user.id, at=now, reason=EndReason.DEACTIVATED)
                uow.commit()
            return result


@frozen(kw_only=True)
class SetPermissions:
    """Per-user grants and revocations over the role's defaults."""

    user_id: UserId
    grants: frozenset[Permission]
    revocations: frozenset[Permission]


@frozen(kw_only=True)
class SetPermissionsHandler:
    """Admins adjust an account's permissions."""

    uow: Callable[[], IdentityUnitOfWork]
    clock: Clock

    def __call__(self, actor: Actor, cmd: SetPermissions) -> Result[User, WriteUserError]:
        """Replace the account's grants and revocations."""
        with self.uow() as uow:
            user = uow.users.get(cmd.user_id, scope=actor.scope)
            if user is None:
                return Failure(NotFound(entity="user", id=str(cmd.user_id)))
            if not may_manage_users(actor):
                return Failure(NotPermitted(action="users.permissions"))
            both = cmd.grants & cmd.revocations
            if both:
                names = ", ".join(sorted(both))
                return Failure(ValidationFailed.single("revocations", f"cannot both grant and revoke {names}"))
            defaults = ROLE_DEFAULTS[user.role]
            changed = evolve(
                user,
                grants=cmd.grants - defaults,
                revocations=cmd.revocations & defaults,
                updated_at=self.clock.now(),
            )
            result: Result[User, WriteUserError] = uow.users.save(changed)
            if isinstance(result, Success):
                uow.commit()
            return result


@frozen(kw_only=True)
class FindUserByEmailHandler:
    """Finds an account by email within scope (the command line names people by email)."""

    uow: Callable[[], IdentityUnitOfWork]

    def __call__(self, actor: Actor, email: str) -> Result[User, NotFound | ValidationFailed]:
        """Return the account with this email, or NotFound."""
        match Email.parse(email):
            case Success(address):
                pass
            case _:
                return Failure(ValidationFailed.single("email", "must be an email address"))
        with self.uow() as uow:
            user = uow.users.find_by_email(address)
            visible = user is not None and uow.users.get(user.id, scope=actor.scope) is not None
        if user is None or not visible:
            return Failure(NotFound(entity="user", detail=f"no account with email {address.value}"))
        return Success(user)
