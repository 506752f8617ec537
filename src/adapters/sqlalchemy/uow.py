"""The SQL unit of work: one connection and one transaction per `with` block."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from sqlalchemy import Connection, Engine, RootTransaction

from adapters.sqlalchemy.repositories.assignments import SqlAlchemyAssignmentRepository
from adapters.sqlalchemy.repositories.identity import (
    SqlAlchemyPracticeDirectory,
    SqlAlchemyPracticeRepository,
    SqlAlchemyUserRepository,
)
from adapters.sqlalchemy.repositories.patient_rows import PatientCodec
from adapters.sqlalchemy.repositories.patients import SqlAlchemyPatientRepository
from adapters.sqlalchemy.repositories.sessions import SqlAlchemyResetTokenRepository, SqlAlchemySessionRepository
from ivr_domain.identity.ports import (
    AssignmentRepository,
    IdentityUnitOfWork,
    PracticeRepository,
    ResetTokenRepository,
    SessionRepository,
    UserRepository,
)
from ivr_domain.patients.ports import PatientRepository, PatientsUnitOfWork, PracticeDirectory
from ivr_domain.shared.ports import BlindIndex, FieldCipher


class SqlAlchemyUnitOfWork:
    """One transaction on SQLite or PostgreSQL; serves identity and patients alike."""

    practices: PracticeRepository
    users: UserRepository
    sessions: SessionRepository
    reset_tokens: ResetTokenRepository
    assignments: AssignmentRepository
    patients: PatientRepository
    practice_directory: PracticeDirectory

    def __init__(self, engine: Engine, *, cipher: FieldCipher, blind_index: BlindIndex) -> None:
        """Prepare a unit of work; no connection is taken until `__enter__`."""
        self._engine = engine
        self._codec = PatientCodec(cipher, blind_index)
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
        """Commit, then continue in a new transaction on the same connection."""
        connection = self._open()
        if self._transaction is not None:
            self._transaction.commit()
        self._transaction = connection.begin()

    def rollback(self) -> None:
        """Roll back, then continue in a new transaction on the same connection."""
        connection = self._open()
        if self._transaction is not None:
            self._transaction.rollback()
        self._transaction = connection.begin()

    def _open(self) -> Connection:
        if self._connection is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._connection


if TYPE_CHECKING:

    def _satisfies(uow: SqlAlchemyUnitOfWork) -> tuple[IdentityUnitOfWork, PatientsUnitOfWork]:
        return uow, uow
