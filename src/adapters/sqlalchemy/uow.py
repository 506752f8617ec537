"""The SQL unit of work: one connection and one transaction per `with` block."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from types import TracebackType
from typing import TYPE_CHECKING, Any, Self

from sqlalchemy import Connection, Engine, RootTransaction

from adapters.sqlalchemy.event_codec import EventCodec
from adapters.sqlalchemy.repositories.assignments import SqlAlchemyAssignmentRepository
from adapters.sqlalchemy.repositories.audit import SqlAlchemyAuditLog, SqlAlchemyAuditRecords
from adapters.sqlalchemy.repositories.documents import SqlAlchemyDocumentRepository
from adapters.sqlalchemy.repositories.identity import (
    SqlAlchemyPracticeDirectory,
    SqlAlchemyPracticeRepository,
    SqlAlchemyUserRepository,
)
from adapters.sqlalchemy.repositories.ivr_documents import SqlAlchemyIvrDocumentRepository
from adapters.sqlalchemy.repositories.ivr_people import SqlAlchemyIvrAudience, SqlAlchemyIvrPatients
from adapters.sqlalchemy.repositories.ivr_practices import SqlAlchemyIvrPractices
from adapters.sqlalchemy.repositories.ivr_rows import IvrCodec
from adapters.sqlalchemy.repositories.ivr_templates import (
    SqlAlchemyIvrTemplateRepository,
    SqlAlchemyJustificationRepository,
)
from adapters.sqlalchemy.repositories.ivrs import SqlAlchemyIvrHistory, SqlAlchemyIvrRepository
from adapters.sqlalchemy.repositories.notifications import SqlAlchemyNotificationRepository
from adapters.sqlalchemy.repositories.outbox import SqlAlchemyOutbox, SqlAlchemyOutboxRecords, SqlAlchemyProcessedEvents
from adapters.sqlalchemy.repositories.patient_rows import PatientCodec
from adapters.sqlalchemy.repositories.patients import SqlAlchemyPatientRepository
from adapters.sqlalchemy.repositories.sessions import SqlAlchemyResetTokenRepository, SqlAlchemySessionRepository
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
from ivr_domain.shared.ports import BlindIndex, FieldCipher

# Called before the commit with the transaction's own driver connection (psycopg on PostgreSQL), so what it
# writes (a job per event) commits or rolls back with the change; and after the commit, outside it.
EnqueueJobs = Callable[[Any, Sequence[EventId]], None]
AfterCommit = Callable[[Sequence[EventId]], None]

_EVENT_CODEC = EventCodec()


class SqlAlchemyUnitOfWork:
    """One transaction on SQLite or PostgreSQL; serves identity, patients and IVRs alike."""

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

    def __init__(
        self,
        engine: Engine,
        *,
        cipher: FieldCipher,
        blind_index: BlindIndex,
        enqueue: EnqueueJobs | None = None,
        after_commit: AfterCommit | None = None,
    ) -> None:
        """Prepare a unit of work; no connection is taken until `__enter__`. The hooks hear of committed events."""
        self._engine = engine
        self._enqueue = enqueue
        self._after_commit = after_commit
        self._outbox: SqlAlchemyOutbox | None = None
        self._codec = PatientCodec(cipher, blind_index)
        self._ivr_codec = IvrCodec(cipher)
        self._connection: Connection | None = None
        self._transaction: RootTransaction | None = None

    def __enter__(self) -> Self:
        """Take a connection and begin the transaction."""
        connection = self._engine.connect()
        self._connection = connection
        self._transaction = connection.begin()
        self.practices = SqlAlchemyPracticeRepository(connection)
        self.users = SqlAlchemyUserRepository(connection)
        self.sessions = SqlAlchemySessionRepository(connection)
        self.reset_tokens = SqlAlchemyResetTokenRepository(connection)
        self.assignments = SqlAlchemyAssignmentRepository(connection)
        self.patients = SqlAlchemyPatientRepository(connection, self._codec)
        self.practice_directory = SqlAlchemyPracticeDirectory(connection)
        self.documents = SqlAlchemyDocumentRepository(connection)
        self.audit = SqlAlchemyAuditLog(connection)
        self.audit_records = SqlAlchemyAuditRecords(connection)
        self._outbox = SqlAlchemyOutbox(connection, _EVENT_CODEC)
        self.outbox = self._outbox
        self.outbox_records = SqlAlchemyOutboxRecords(connection, _EVENT_CODEC)
        self.processed_events = SqlAlchemyProcessedEvents(connection)
        self.notifications = SqlAlchemyNotificationRepository(connection)
        self.ivrs = SqlAlchemyIvrRepository(connection, self._ivr_codec)
        self.ivr_history = SqlAlchemyIvrHistory(connection, self._ivr_codec)
        self.ivr_documents = SqlAlchemyIvrDocumentRepository(connection)
        self.ivr_patients = SqlAlchemyIvrPatients(connection, self._codec)
        self.ivr_audience = SqlAlchemyIvrAudience(connection)
        self.ivr_practices = SqlAlchemyIvrPractices(connection)
        self.ivr_templates = SqlAlchemyIvrTemplateRepository(connection)
        self.medical_justifications = SqlAlchemyJustificationRepository(connection)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed and give the connection back."""
        connection, self._connection = self._connection, None
        if connection is None:
            return
        try:
            if self._transaction is not None and self._transaction.is_active:
                self._transaction.rollback()
        finally:
            self._transaction = None
            connection.close()

    def commit(self) -> None:
        """Commit (the events' jobs enqueued in the same transaction), then continue in a new transaction."""
        connection = self._open()
        events = self._take_events()
        if events and self._enqueue is not None:
            self._enqueue(connection.connection.driver_connection, events)
        if self._transaction is not None:
            self._transaction.commit()
        self._transaction = connection.begin()
        if events and self._after_commit is not None:
            self._after_commit(events)

    def rollback(self) -> None:
        """Roll back, then continue in a new transaction on the same connection."""
        connection = self._open()
        self._take_events()
        if self._transaction is not None:
            self._transaction.rollback()
        self._transaction = connection.begin()

    def _take_events(self) -> list[EventId]:
        if self._outbox is None:
            return []
        events, self._outbox.pending = self._outbox.pending, []
        return events

    def _open(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._connection


if TYPE_CHECKING:

    def _satisfies(
        uow: SqlAlchemyUnitOfWork,
    ) -> tuple[IdentityUnitOfWork, PatientsUnitOfWork, AuditUnitOfWork, AuditRecordsUnitOfWork, IvrUnitOfWork]:
        return uow, uow, uow, uow, uow

    def _satisfies_documents(uow: SqlAlchemyUnitOfWork) -> DocumentsUnitOfWork:
        return uow

    def _satisfies_events(uow: SqlAlchemyUnitOfWork) -> tuple[OutboxUnitOfWork, NotificationsUnitOfWork]:
        return uow, uow
