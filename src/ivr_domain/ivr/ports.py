"""What the IVR context needs from persistence, and its own view of patients and of who is told about an IVR."""

from __future__ import annotations

from datetime import date, datetime
from types import TracebackType
from typing import Protocol

from attrs import frozen
from returns.result import Result

from ivr_domain.ivr.documents import IvrDocumentRepository
from ivr_domain.ivr.model import HistoryEntry, Ivr, IvrStatus, PatientSnapshot, Priority
from ivr_domain.ivr.queue import QueueQuery
from ivr_domain.ivr.templates.ports import IvrTemplateRepository, JustificationRepository
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.audit import AuditLog
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.events import EventOutbox
from ivr_domain.shared.ids import IvrId, PatientId, PracticeId, UserId
from ivr_domain.shared.paging import Page, PageRequest

IVR_SORTS = ("created_at", "updated_at")


@frozen(kw_only=True)
class IvrFilter:
    """Non-PHI filters of the IVR list; every one optional, all of them combined."""

    status: IvrStatus | None = None
    practice_id: PracticeId | None = None
    patient_id: PatientId | None = None
    reviewer_id: UserId | None = None
    priority: Priority | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None
    submitted_from: datetime | None = None
    submitted_to: datetime | None = None


def ivr_in_scope(ivr: Ivr, scope: Scope) -> bool:
    """Tell whether an IVR is within reach: by practice, or (verification staff) once it was ever submitted."""
    if scope.everything or ivr.practice_id in scope.practice_ids:
        return True
    return scope.submitted_ivrs and ivr.submitted_at is not None


class IvrRepository(Protocol):
    """IVRs, their content stored encrypted; scope is applied where they are read."""

    def get(self, ivr_id: IvrId, *, scope: Scope) -> Ivr | None:
        """Return the IVR when it exists within scope."""
        ...

    def add(self, ivr: Ivr) -> None:
        """Store a new IVR."""
        ...

    def save(self, ivr: Ivr) -> Result[Ivr, Conflict]:
        """Store a changed IVR if its version is current; return it with the next version."""
        ...

    def list(self, *, scope: Scope, filters: IvrFilter, page: PageRequest) -> Page[Ivr]:
        """Return one page of the IVRs within scope that match the filters."""
        ...

    def queue(self, *, scope: Scope, query: QueueQuery, page: PageRequest) -> Page[Ivr]:
        """Return one page of the open IVRs within scope: urgent first, then oldest `last_submitted_at`, then id.

        The page's cursor is a `QueuePosition`'s; `page.sort` is ignored. ValueError on a malformed cursor.
        """
        ...

    def lapsed_approvals(self, today: date, *, limit: int) -> tuple[IvrId, ...]:
        """Return approved IVRs whose `valid_until` is before `today`, the longest lapsed first."""
        ...

    def next_reference(self, year: int) -> str:
        """Return the next people-facing reference of a year, `IVR-2026-000123`; never the same one twice.

        On the databases the counter is part of the transaction: a create that rolls back gives its number
        back. In memory a number once taken is never reused, like a sequence.
        """
        ...


class IvrHistory(Protocol):
    """The status changes of IVRs, append-only."""

    def append(self, entry: HistoryEntry) -> None:
        """Record one status change."""
        ...

    def of(self, ivr_id: IvrId) -> tuple[HistoryEntry, ...]:
        """Return an IVR's changes, oldest first."""
        ...


class IvrPatients(Protocol):
    """The patients an IVR is about, as the IVR context needs them (it never imports the patients context)."""

    def snapshot(self, patient_id: PatientId, *, scope: Scope) -> PatientSnapshot | None:
        """Return the patient as they are now, with their insurances, when within scope."""
        ...

    def mark_submitted(self, patient_id: PatientId) -> bool:
        """Note that an IVR about this patient was submitted, bringing them into verification staff's reach.

        A versioned change of the patient (a concurrent patient edit cannot write the flag back). False when
        another transaction is changing the patient right now and this one cannot wait for it (memory only).
        """
        ...


class IvrAudience(Protocol):
    """Who is told when an IVR changes: the practice's users and the sales chain above the practice."""

    def practice_users(self, practice_id: PracticeId) -> tuple[UserId, ...]:
        """Return the active users of a practice."""
        ...

    def sales_chain(self, practice_id: PracticeId) -> tuple[UserId, ...]:
        """Return the active salesperson currently assigned the practice and the active distributors above them."""
        ...

    def is_reviewer(self, user_id: UserId) -> bool:
        """Tell whether a user is active verification staff or an active admin, who may review IVRs."""
        ...


class IvrUnitOfWork(Protocol):
    """One transaction over IVRs, their history and documents, the audit log and the outbox."""

    ivrs: IvrRepository
    ivr_history: IvrHistory
    ivr_documents: IvrDocumentRepository
    ivr_patients: IvrPatients
    ivr_audience: IvrAudience
    ivr_templates: IvrTemplateRepository
    medical_justifications: JustificationRepository
    audit: AuditLog
    outbox: EventOutbox

    def __enter__(self) -> IvrUnitOfWork:
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
