"""Accounts: create, read, find, list and update (closing one and its permissions: `access`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.identity.model import User
from ivr_domain.identity.policy import (
    AuthPolicy,
    may_manage_users,
    may_update_user,
    password_problems,
)
from ivr_domain.identity.ports import USER_SORTS, IdentityUnitOfWork, UserFilter
from ivr_domain.identity.use_cases.practices import (
    ParsedPractice,
    default_practice_name,
    new_practice,
    record_new_practice,
)
from ivr_domain.identity.use_cases.practices import practice_name as checked_practice_name
from ivr_domain.shared.actor import SYSTEM_ACTOR, Actor, Role
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.changes import changed_fields, given_fields
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
    """Admins (and the CLI's system actor) open accounts; a doctor's new practice is audited with it."""

    uow: Callable[[], IdentityUnitOfWork]
    hasher: PasswordHasher
    clock: Clock
    policy: AuthPolicy
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: CreateUser) -> Result[User, CreateUserError]:
        """Validate and store a new account."""
        return self._create(actor, cmd).lash(
            lambda error: self.audit.refused(actor, "users.create", error, resource_type="user")
        )

    def _create(self, actor: Actor, cmd: CreateUser) -> Result[User, CreateUserError]:
        if not may_manage_users(actor):
            return Failure(NotPermitted(action="users.create"))
        problems = Problems()
        email = problems.email(cmd.email, "email")
        name = problems.text(cmd.name, "name", max_length=200)
        # Without a valid address only the rule about its name is skipped: the password's others still answer.
        for message in password_problems(cmd.password, self.policy, email=email.value if email else ""):
            problems.add("password", message)
        practice_name = None
        if cmd.role is not Role.DOCTOR:
            for given in ("practice_id", "practice_name"):
                if getattr(cmd, given) is not None:
                    problems.add(given, "only doctors belong to a practice")
        elif cmd.practice_name is not None:
            practice_name = checked_practice_name(problems, cmd.practice_name, "practice_name")
        with self.uow() as uow:
            chosen = cmd.practice_id if cmd.role is Role.DOCTOR else None
            if chosen is not None and uow.practices.get(chosen, scope=SYSTEM_ACTOR.scope) is None:
                problems.add("practice_id", "no such practice")
            failure = problems.failure()
            if failure is not None or email is None:
                return Failure(failure or ValidationFailed.single("email", "must be an email address"))
            practice_id: PracticeId | None = None
            if cmd.role is Role.DOCTOR:
                named = practice_name or default_practice_name(name)
                practice_id = self._practice_for(uow, actor, cmd.practice_id, named)
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
                fields = (*given_fields(user, ("email", "name", "role", "practice_id")), "password")
                uow.audit.append(
                    self.audit.entry(actor, "users.create", resource_type="user", resource_id=user.id, fields=fields)
                )
                uow.commit()
            return result

    def _practice_for(
        self, uow: IdentityUnitOfWork, actor: Actor, practice_id: PracticeId | None, practice_name: str
    ) -> PracticeId:
        """Return the doctor's practice: the one named by an id (known to exist) or by name, created if missing."""
        if practice_id is not None:
            return practice_id
        existing = uow.practices.find_by_name(practice_name)
        if existing is not None:
            return existing.id
        practice = new_practice(ParsedPractice(name=practice_name, npi=None, address=None, phone=None), self.clock)
        uow.practices.add(practice)
        record_new_practice(uow, self.audit, actor, practice)
        return practice.id


@frozen(kw_only=True)
class GetUserHandler:
    """Reads one account within scope."""

    uow: Callable[[], IdentityUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, user_id: UserId) -> Result[User, NotFound]:
        """Return the account, or NotFound outside the actor's scope."""
        with self.uow() as uow:
            user = uow.users.get(user_id, scope=actor.scope)
            if user is not None:
                return Success(_read(uow, self.audit, actor, user))
        missing = NotFound(entity="user", id=str(user_id))
        return self.audit.refused(actor, "users.read", missing, resource_type="user", resource_id=user_id)

    def peek(self, actor: Actor, user_id: UserId) -> Result[User, NotFound]:
        """Answer as a read would, recording nothing: the edge orders another request's refusals with it."""
        with self.uow() as uow:
            user = uow.users.get(user_id, scope=actor.scope)
        return Success(user) if user is not None else Failure(NotFound(entity="user", id=str(user_id)))


def _read(uow: IdentityUnitOfWork, audit: AuditTrail, actor: Actor, user: User) -> User:
    """Audit the reading of an account and commit."""
    uow.audit.append(audit.entry(actor, "users.read", resource_type="user", resource_id=user.id))
    uow.commit()
    return user


@frozen(kw_only=True)
class ListUsersHandler:
    """Lists the accounts within scope."""

    uow: Callable[[], IdentityUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, filters: UserFilter, page: PageRequest) -> Result[Page[User], InvalidQuery]:
        """Return one page of accounts."""
        bad = check_page(page, USER_SORTS)
        if bad is not None:
            return self.audit.refused(actor, "users.list", bad, resource_type="user")
        with self.uow() as uow:
            found = uow.users.list(scope=actor.scope, filters=filters, page=page)
            uow.audit.append(self.audit.entry(actor, "users.list", resource_type="user"))
            uow.commit()
        return Success(found)


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
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: UpdateUser) -> Result[User, WriteUserError]:
        """Replace the profile if the version matches."""
        return self._update(actor, cmd).lash(
            lambda error: self.audit.refused(
                actor, "users.update", error, resource_type="user", resource_id=cmd.user_id
            )
        )

    def _update(self, actor: Actor, cmd: UpdateUser) -> Result[User, WriteUserError]:
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
            changed = evolve(user, name=name, email=email, updated_at=self.clock.now())
            result: Result[User, WriteUserError] = uow.users.save(changed)
            if isinstance(result, Success):
                fields = changed_fields(user, changed, ("name", "email"))
                uow.audit.append(
                    self.audit.entry(actor, "users.update", resource_type="user", resource_id=user.id, fields=fields)
                )
                uow.commit()
            return result


@frozen(kw_only=True)
class FindUserByEmailHandler:
    """Finds an account by email within scope (the command line names people by email); audited as a read."""

    uow: Callable[[], IdentityUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, email: str) -> Result[User, NotFound | ValidationFailed]:
        """Return the account with this email, or NotFound."""
        match Email.parse(email):
            case Success(address):
                pass
            case _:
                invalid = ValidationFailed.single("email", "must be an email address")
                return self.audit.refused(actor, "users.read", invalid, resource_type="user")
        with self.uow() as uow:
            user = uow.users.find_by_email(address)
            if user is not None and uow.users.get(user.id, scope=actor.scope) is not None:
                return Success(_read(uow, self.audit, actor, user))
        # The entry names no account: the address is not recorded, and one outside reach is not disclosed.
        missing = NotFound(entity="user", detail="no account with that email in your reach")
        return self.audit.refused(actor, "users.read", missing, resource_type="user")
