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


def parse_practice(raw: PracticeInput, phones: PhoneNumbers) -> Result[ParsedPractice, ValidationFailed]:
    """Validate every field of a practice's details at once."""
    problems = Problems()
    name = problems.text(raw.name, "name", max_length=200)
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

    def __call__(
        self, actor: Actor, cmd: PracticeInput
    ) -> Result[Practice, NotPermitted | Conflict | ValidationFailed]:
        """Create a practice with a unique name."""
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
            uow.commit()
            return Success(practice)


@frozen(kw_only=True)
class GetPracticeHandler:
    """Reads one practice within scope."""

    uow: Callable[[], IdentityUnitOfWork]

    def __call__(self, actor: Actor, practice_id: PracticeId) -> Result[Practice, NotFound]:
        """Return the practice, or NotFound outside the actor's scope."""
        with self.uow() as uow:
            practice = uow.practices.get(practice_id, scope=actor.scope)
        if practice is None:
            return Failure(NotFound(entity="practice", id=str(practice_id)))
        return Success(practice)


@frozen(kw_only=True)
class ListPracticesHandler:
    """Lists the practices within scope."""

    uow: Callable[[], IdentityUnitOfWork]

    def __call__(self, actor: Actor, page: PageRequest) -> Result[Page[Practice], InvalidQuery]:
        """Return one page of practices."""
        bad = check_page(page, PRACTICE_SORTS)
        if bad is not None:
            return Failure(bad)
        with self.uow() as uow:
            return Success(uow.practices.list(scope=actor.scope, page=page))


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

    def __call__(self, actor: Actor, cmd: UpdatePractice) -> Result[Practice, WritePracticeError]:
        """Replace a practice's details if the version matches."""
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
                uow.commit()
            return result
