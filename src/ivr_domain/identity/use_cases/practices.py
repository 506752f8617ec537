"""Practices: admins manage them; a practice's own users read and update theirs."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.identity.model import Practice
from ivr_domain.identity.policy import may_manage_users, may_update_practice
from ivr_domain.identity.ports import PRACTICE_SORTS, IdentityUnitOfWork
from ivr_domain.shared.actor import Actor
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
from ivr_domain.shared.ids import PracticeId, new_id
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.ports import PhoneNumbers
from ivr_domain.shared.validation import AddressInput, Problems, check_page
from ivr_domain.shared.values import Address, Npi, Phone

WritePracticeError: TypeAlias = NotFound | NotPermitted | PreconditionFailed | Conflict | ValidationFailed

PRACTICE_FIELDS = ("name", "npi", "address", "phone")


@frozen(kw_only=True)
class PracticeInput:
    """A practice's editable details as a client sent them."""

    name: str
    npi: str | None = None
    address: AddressInput | None = None
    phone: str | None = None


@frozen(kw_only=True)
class ParsedPractice:
    """A practice's details once validated."""

    name: str
    npi: Npi | None
    address: Address | None
    phone: Phone | None


PRACTICE_NAME_MAX = 200


def practice_name(problems: Problems, raw: str, path: str) -> str:
    """Trim and check a practice's name: at most 200 characters as typed and as compared, case folded (ß → ss)."""
    name = problems.text(raw, path, max_length=PRACTICE_NAME_MAX)
    if len(name) <= PRACTICE_NAME_MAX < len(name.casefold()):
        problems.add(path, f"must be at most {PRACTICE_NAME_MAX} characters when compared without case")
    return name


def default_practice_name(person: str) -> str:
    """Name the practice of a doctor created without one after them, shortened to fit a practice's name."""
    name = f"Practice of {person}"
    while len(name) > PRACTICE_NAME_MAX or len(name.casefold()) > PRACTICE_NAME_MAX:
        name = name[:-1].rstrip()
    return name


def parse_practice(raw: PracticeInput, phones: PhoneNumbers) -> Result[ParsedPractice, ValidationFailed]:
    """Validate every field of a practice's details at once."""
    problems = Problems()
    name = practice_name(problems, raw.name, "name")
    npi = None if raw.npi is None else problems.take(Npi.parse(raw.npi, "npi"))
    address = problems.address(raw.address, "address")
    phone = problems.phone(raw.phone, phones, "phone")
    failure = problems.failure()
    if failure is not None:
        return Failure(failure)
    return Success(ParsedPractice(name=name, npi=npi, address=address, phone=phone))


def new_practice(details: ParsedPractice, clock: Clock) -> Practice:
    """Return a new practice with these details."""
    now = clock.now()
    return Practice(
        id=PracticeId(new_id()),
        name=details.name,
        npi=details.npi,
        address=details.address,
        phone=details.phone,
        created_at=now,
        updated_at=now,
    )


@frozen(kw_only=True)
class CreatePracticeHandler:
    """Admins register a practice."""

    uow: Callable[[], IdentityUnitOfWork]
    phones: PhoneNumbers
    clock: Clock
    audit: AuditTrail

    def __call__(
        self, actor: Actor, cmd: PracticeInput
    ) -> Result[Practice, NotPermitted | Conflict | ValidationFailed]:
        """Create a practice with a unique name."""
        return self._create(actor, cmd).lash(
            lambda error: self.audit.refused(actor, "practices.create", error, resource_type="practice")
        )

    def _create(self, actor: Actor, cmd: PracticeInput) -> Result[Practice, NotPermitted | Conflict | ValidationFailed]:
        if not may_manage_users(actor):
            return Failure(NotPermitted(action="practices.create"))
        match parse_practice(cmd, self.phones):
            case Failure(problem):
                return Failure(problem)
            case Success(details):
                pass
        with self.uow() as uow:
            existing = uow.practices.find_by_name(details.name)
            if existing is not None:
                return Failure(Conflict(entity="practice", existing_id=str(existing.id), detail="name is taken"))
            practice = new_practice(details, self.clock)
            uow.practices.add(practice)
            record_new_practice(uow, self.audit, actor, practice)
            uow.commit()
            return Success(practice)


def record_new_practice(uow: IdentityUnitOfWork, audit: AuditTrail, actor: Actor, practice: Practice) -> None:
    """Audit a practice's creation in the transaction that creates it."""
    fields = given_fields(practice, PRACTICE_FIELDS)
    uow.audit.append(
        audit.entry(actor, "practices.create", resource_type="practice", resource_id=practice.id, fields=fields)
    )


@frozen(kw_only=True)
class GetPracticeHandler:
    """Reads one practice within scope."""

    uow: Callable[[], IdentityUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, practice_id: PracticeId) -> Result[Practice, NotFound]:
        """Return the practice, or NotFound outside the actor's scope."""
        action = "practices.read"
        with self.uow() as uow:
            practice = uow.practices.get(practice_id, scope=actor.scope)
            if practice is not None:
                uow.audit.append(self.audit.entry(actor, action, resource_type="practice", resource_id=practice.id))
                uow.commit()
                return Success(practice)
        missing = NotFound(entity="practice", id=str(practice_id))
        return self.audit.refused(actor, action, missing, resource_type="practice", resource_id=practice_id)

    def peek(self, actor: Actor, practice_id: PracticeId) -> Result[Practice, NotFound]:
        """Answer as a read would, recording nothing: the edge orders another request's refusals with it."""
        with self.uow() as uow:
            practice = uow.practices.get(practice_id, scope=actor.scope)
        return Success(practice) if practice is not None else Failure(NotFound(entity="practice", id=str(practice_id)))


@frozen(kw_only=True)
class ListPracticesHandler:
    """Lists the practices within scope."""

    uow: Callable[[], IdentityUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, page: PageRequest) -> Result[Page[Practice], InvalidQuery]:
        """Return one page of practices."""
        action = "practices.list"
        bad = check_page(page, PRACTICE_SORTS)
        if bad is not None:
            return self.audit.refused(actor, action, bad, resource_type="practice")
        with self.uow() as uow:
            found = uow.practices.list(scope=actor.scope, page=page)
            uow.audit.append(self.audit.entry(actor, action, resource_type="practice"))
            uow.commit()
        return Success(found)


@frozen(kw_only=True)
class UpdatePractice:
    """New details for a practice, with the version the client last saw."""

    practice_id: PracticeId
    details: PracticeInput
    expected_version: int | None = None


@frozen(kw_only=True)
class UpdatePracticeHandler:
    """Admins update any practice, a practice's users their own."""

    uow: Callable[[], IdentityUnitOfWork]
    phones: PhoneNumbers
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: UpdatePractice) -> Result[Practice, WritePracticeError]:
        """Replace a practice's details if the version matches."""
        return self._update(actor, cmd).lash(
            lambda error: self.audit.refused(
                actor, "practices.update", error, resource_type="practice", resource_id=cmd.practice_id
            )
        )

    def _update(self, actor: Actor, cmd: UpdatePractice) -> Result[Practice, WritePracticeError]:
        with self.uow() as uow:
            practice = uow.practices.get(cmd.practice_id, scope=actor.scope)
            if practice is None:
                return Failure(NotFound(entity="practice", id=str(cmd.practice_id)))
            if not may_update_practice(actor, practice):
                return Failure(NotPermitted(action="practices.update"))
            if cmd.expected_version is not None and cmd.expected_version != practice.version:
                return Failure(
                    PreconditionFailed(entity="practice", id=str(practice.id), current_version=practice.version)
                )
            match parse_practice(cmd.details, self.phones):
                case Failure(problem):
                    return Failure(problem)
                case Success(details):
                    pass
            same_name = uow.practices.find_by_name(details.name)
            if same_name is not None and same_name.id != practice.id:
                return Failure(Conflict(entity="practice", existing_id=str(same_name.id), detail="name is taken"))
            changed = evolve(
                practice,
                name=details.name,
                npi=details.npi,
                address=details.address,
                phone=details.phone,
                updated_at=self.clock.now(),
            )
            result: Result[Practice, WritePracticeError] = uow.practices.save(changed)
            if isinstance(result, Success):
                fields = changed_fields(practice, changed, PRACTICE_FIELDS)
                entry = self.audit.entry(
                    actor, "practices.update", resource_type="practice", resource_id=practice.id, fields=fields
                )
                uow.audit.append(entry)
                uow.commit()
            return result
