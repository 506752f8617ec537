"""The in-memory unit of work: a snapshot at `__enter__`, published atomically on `commit`."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Self

from adapters.memory.assignments import InMemoryAssignmentRepository
from adapters.memory.audit import AuditRow, InMemoryAuditLog, InMemoryAuditRecords
from adapters.memory.documents import InMemoryDocumentRepository
from adapters.memory.events import InMemoryOutbox, InMemoryOutboxRecords, InMemoryProcessedEvents, OutboxRow
from adapters.memory.identity import InMemoryPracticeDirectory, InMemoryPracticeRepository, InMemoryUserRepository
from adapters.memory.ivr_documents import InMemoryIvrDocumentRepository
from adapters.memory.ivr_practices import InMemoryIvrPractices
from adapters.memory.ivr_templates import InMemoryIvrTemplateRepository, InMemoryJustificationRepository
from adapters.memory.ivrs import (
    InMemoryIvrAudience,
    InMemoryIvrHistory,
    InMemoryIvrPatients,
    InMemoryIvrRepository,
)
from adapters.memory.notifications import InMemoryNotificationRepository
from adapters.memory.patients import InMemoryPatientRepository
from adapters.memory.sessions import InMemoryResetTokenRepository, InMemorySessionRepository
from adapters.memory.store import InMemoryStore
from adapters.memory.workspace import Workspace
from ivr_domain.admin.ports import AuditRecords, AuditRecordsUnitOfWork
from ivr_domain.identity.ports import (
    AssignmentRepository,
    IdentityUnitOfWork,
    PracticeRepository,
    ResetTokenRepository,
    SessionRepository,
    UserRepository,
)
from ivr_domain.ivr.documents import IvrDocumentRepository
from ivr_domain.ivr.ports import IvrAudience, IvrHistory, IvrPatients, IvrRepository, IvrUnitOfWork
from ivr_domain.ivr.printing import IvrPractices
from ivr_domain.ivr.templates.ports import IvrTemplateRepository, JustificationRepository
from ivr_domain.notifications.ports import NotificationRepository, NotificationsUnitOfWork
from ivr_domain.patients.documents import DocumentRepository, DocumentsUnitOfWork
from ivr_domain.patients.ports import PatientRepository, PatientsUnitOfWork, PracticeDirectory
from ivr_domain.shared.audit import AuditLog, AuditUnitOfWork
from ivr_domain.shared.dispatch import OutboxRecords, OutboxUnitOfWork, ProcessedEvents
from ivr_domain.shared.events import EventOutbox
from ivr_domain.shared.ids import EventId

AfterCommit = Callable[[Sequence[EventId]], None]


class InMemoryUnitOfWork:
    """One transaction over an `InMemoryStore`; serves identity and patients alike."""

    practices: PracticeRepository
    users: UserRepository
    sessions: SessionRepository
    reset_tokens: ResetTokenRepository
    assignments: AssignmentRepository
    patients: PatientRepository
    practice_directory: PracticeDirectory
    documents: DocumentRepository
    audit: AuditLog
    audit_records: AuditRecords
    outbox: EventOutbox
    outbox_records: OutboxRecords
    processed_events: ProcessedEvents
    notifications: NotificationRepository
    ivrs: IvrRepository
    ivr_history: IvrHistory
    ivr_documents: IvrDocumentRepository
    ivr_patients: IvrPatients
    ivr_audience: IvrAudience
    ivr_practices: IvrPractices
    ivr_templates: IvrTemplateRepository
    medical_justifications: JustificationRepository

    def __init__(self, store: InMemoryStore, *, after_commit: AfterCommit | None = None) -> None:
        """Prepare a unit of work over a store; `after_commit` hears of the events each commit published."""
        self._store = store
        self._after_commit = after_commit
        self._outbox_records: InMemoryOutboxRecords | None = None
        self._workspace: Workspace | None = None
        self._audit_records: InMemoryAuditRecords | None = None

    def __enter__(self) -> Self:
        """Begin the transaction on a snapshot of the committed store."""
        self._begin()
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Discard whatever was not committed."""
        self._end()

    def commit(self) -> None:
        """Publish this transaction's writes atomically, then continue on a fresh snapshot."""
        workspace = self._current()
        with self._store.lock:
            self._store.apply(workspace.changes())
            self._store.audit.rows.extend(AuditRow(entry=entry) for entry in self._audit_log.pending)
            published = self._publish_events()
            workspace.release()
        self._begin()
        if published and self._after_commit is not None:
            self._after_commit(published)

    def _publish_events(self) -> list[EventId]:
        events = self._store.events
        events.outbox.extend(OutboxRow(event=event) for event in self._outbox.pending)
        events.processed.update(self._processed.claimed)
        if self._notifications.changes:
            events.notifications = {**events.notifications, **self._notifications.changes}
        return [event.event_id for event in self._outbox.pending]

    def rollback(self) -> None:
        """Discard this transaction's writes, then continue on a fresh snapshot."""
        self._end()
        self._begin()

    def _begin(self) -> None:
        if self._audit_records is not None:
            self._audit_records.release()  # the sealer's lock lasts one transaction, as on PostgreSQL
        if self._outbox_records is not None:
            self._outbox_records.release()
        workspace = Workspace(self._store)
        self._workspace = workspace
        self.practices = InMemoryPracticeRepository(workspace)
        self.users = InMemoryUserRepository(workspace)
        self.sessions = InMemorySessionRepository(workspace)
        self.reset_tokens = InMemoryResetTokenRepository(workspace)
        self.assignments = InMemoryAssignmentRepository(workspace)
        self.patients = InMemoryPatientRepository(workspace)
        self.practice_directory = InMemoryPracticeDirectory(workspace)
        self.documents = InMemoryDocumentRepository(workspace)
        self.ivrs = InMemoryIvrRepository(workspace)
        self.ivr_history = InMemoryIvrHistory(workspace)
        self.ivr_documents = InMemoryIvrDocumentRepository(workspace)
        self.ivr_patients = InMemoryIvrPatients(workspace)
        self.ivr_audience = InMemoryIvrAudience(workspace)
        self.ivr_practices = InMemoryIvrPractices(workspace)
        self.ivr_templates = InMemoryIvrTemplateRepository(workspace)
        self.medical_justifications = InMemoryJustificationRepository(workspace)
        self._audit_log = InMemoryAuditLog()
        self._audit_records = InMemoryAuditRecords(self._store.audit, self._store.lock)
        self.audit = self._audit_log
        self.audit_records = self._audit_records
        self._outbox = InMemoryOutbox()
        self._outbox_records = InMemoryOutboxRecords(self._store)
        self._processed = InMemoryProcessedEvents(self._store, workspace)
        self._notifications = InMemoryNotificationRepository(self._store.events)
        self.outbox = self._outbox
        self.outbox_records = self._outbox_records
        self.processed_events = self._processed
        self.notifications = self._notifications

    def _end(self) -> None:
        if self._audit_records is not None:
            self._audit_records.release()
        if self._outbox_records is not None:
            self._outbox_records.release()
        if self._workspace is not None:
            self._workspace.release()
            self._workspace = None

    def _current(self) -> Workspace:
        if self._workspace is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._workspace


if TYPE_CHECKING:

    def _satisfies(
        uow: InMemoryUnitOfWork,
    ) -> tuple[IdentityUnitOfWork, PatientsUnitOfWork, AuditUnitOfWork, AuditRecordsUnitOfWork]:
        return uow, uow, uow, uow

    def _satisfies_documents(uow: InMemoryUnitOfWork) -> DocumentsUnitOfWork:
        return uow

    def _satisfies_events(uow: InMemoryUnitOfWork) -> tuple[OutboxUnitOfWork, NotificationsUnitOfWork]:
        return uow, uow

    def _satisfies_ivrs(uow: InMemoryUnitOfWork) -> IvrUnitOfWork:
        return uow
