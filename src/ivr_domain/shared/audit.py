"""Audit entries: who touched what, whose PHI, when, from where, why, and how it ended — never PHI values."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import datetime
from enum import StrEnum
from types import TracebackType
from typing import Protocol, TypeVar

from attrs import frozen
from returns.result import Failure

from ivr_domain.shared.actor import Actor, Origin, Purpose, Role
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import DomainError
from ivr_domain.shared.ids import AuditId, PatientId, SessionId, UserId, new_id

T = TypeVar("T")
E = TypeVar("E", bound=DomainError)


class Outcome(StrEnum):
    """How an audited request ended."""

    SUCCESS = "success"
    DENIED = "denied"  # not permitted, not found in scope, locked out, rate limited, bad credentials
    INVALID = "invalid"  # refused input: validation, stale version, conflict, wrong state


_DENIALS = frozenset({"not_found", "not_permitted", "unauthenticated", "rate_limited"})


def outcome_of(error: DomainError) -> Outcome:
    """Classify a refusal: access denials apart from refused input."""
    return Outcome.DENIED if error.code in _DENIALS else Outcome.INVALID


@frozen(kw_only=True)
class AuditEntry:
    """One audited request; `patient_ids` lists every patient whose data it touched, masked views included."""

    id: AuditId
    at: datetime
    action: str
    outcome: Outcome
    user_id: UserId | None
    role: Role | None
    session_id: SessionId | None = None
    is_system: bool = False
    resource_type: str = ""
    resource_id: str | None = None
    patient_ids: tuple[PatientId, ...] = ()
    changed_fields: tuple[str, ...] = ()
    reason: str = ""
    purpose: Purpose = Purpose.OPERATIONS
    client_address: str | None = None
    user_agent: str | None = None
    correlation_id: str | None = None


class AuditLog(Protocol):
    """Appends entries inside the unit of work's own transaction."""

    def append(self, entry: AuditEntry) -> None:
        """Add an entry; it commits or rolls back with the transaction."""
        ...


class AuditUnitOfWork(Protocol):
    """The smallest transaction that can hold an audit entry."""

    audit: AuditLog

    def __enter__(self) -> AuditUnitOfWork:
        """Begin the transaction."""
        ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make the transaction's writes durable."""
        ...


@frozen(kw_only=True)
class Anonymous:
    """Who acts before authentication (a login attempt): known by where it came from, and by account if any."""

    origin: Origin | None = None
    user_id: UserId | None = None
    role: Role | None = None
    session_id: SessionId | None = None
    is_system: bool = False
    purpose: Purpose = Purpose.OPERATIONS


@frozen(kw_only=True)
class AuditTrail:
    """Builds entries from an actor and writes them: in the caller's transaction, or alone for refusals."""

    uow: Callable[[], AuditUnitOfWork]
    clock: Clock

    def entry(
        self,
        actor: Actor | Anonymous,
        action: str,
        *,
        resource_type: str = "",
        resource_id: object = None,
        patients: Iterable[PatientId] = (),
        fields: Iterable[str] = (),
        outcome: Outcome = Outcome.SUCCESS,
        reason: str = "",
    ) -> AuditEntry:
        """Describe one request by one actor."""
        origin = actor.origin
        return AuditEntry(
            id=AuditId(new_id()),
            at=self.clock.now(),
            action=action,
            outcome=outcome,
            user_id=actor.user_id,
            role=actor.role,
            session_id=actor.session_id,
            is_system=actor.is_system,
            resource_type=resource_type,
            resource_id=None if resource_id is None else str(resource_id),
            patient_ids=tuple(dict.fromkeys(patients)),
            changed_fields=tuple(sorted(set(fields))),
            reason=reason,
            purpose=actor.purpose,
            client_address=origin.client_address if origin else None,
            user_agent=origin.user_agent if origin else None,
            correlation_id=origin.correlation_id if origin else None,
        )

    def write(self, entry: AuditEntry) -> None:
        """Append an entry in a transaction of its own (refusals, whose own transaction rolled back)."""
        with self.uow() as uow:
            uow.audit.append(entry)
            uow.commit()

    def refused(
        self,
        actor: Actor | Anonymous,
        action: str,
        error: E,
        *,
        resource_type: str = "",
        resource_id: object = None,
        patients: Iterable[PatientId] = (),
    ) -> Failure[E]:
        """Record a refusal, which changes nothing but the audit log, and return it as the failure."""
        self.write(
            self.entry(
                actor,
                action,
                resource_type=resource_type,
                resource_id=resource_id,
                patients=patients,
                outcome=outcome_of(error),
                reason=error.code,
            )
        )
        return Failure(error)
