"""The in-memory unit of work: a snapshot at `__enter__`, published atomically on `commit`."""

from __future__ import annotations

from types import TracebackType
from typing import TYPE_CHECKING, Self

from adapters.memory.assignments import InMemoryAssignmentRepository
from adapters.memory.identity import InMemoryPracticeDirectory, InMemoryPracticeRepository, InMemoryUserRepository
from adapters.memory.patients import InMemoryPatientRepository
from adapters.memory.sessions import InMemoryResetTokenRepository, InMemorySessionRepository
from adapters.memory.store import InMemoryStore
from adapters.memory.workspace import Workspace
from ivr_domain.identity.ports import (
    AssignmentRepository,
    IdentityUnitOfWork,
    PracticeRepository,
    ResetTokenRepository,
    SessionRepository,
    UserRepository,
)
from ivr_domain.patients.ports import PatientRepository, PatientsUnitOfWork, PracticeDirectory


class InMemoryUnitOfWork:
    """One transaction over an `InMemoryStore`; serves identity and patients alike."""

    practices: PracticeRepository
    users: UserRepository
    sessions: SessionRepository
    reset_tokens: ResetTokenRepository
    assignments: AssignmentRepository
    patients: PatientRepository
    practice_directory: PracticeDirectory

    def __init__(self, store: InMemoryStore) -> None:
        """Prepare a unit of work over a store; nothing is read until `__enter__`."""
        self._store = store
        self._workspace: Workspace | None = None

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
            workspace.release()
        self._begin()

    def rollback(self) -> None:
        """Discard this transaction's writes, then continue on a fresh snapshot."""
        self._end()
        self._begin()

    def _begin(self) -> None:
        workspace = Workspace(self._store)
        self._workspace = workspace
        self.practices = InMemoryPracticeRepository(workspace)
        self.users = InMemoryUserRepository(workspace)
        self.sessions = InMemorySessionRepository(workspace)
        self.reset_tokens = InMemoryResetTokenRepository(workspace)
        self.assignments = InMemoryAssignmentRepository(workspace)
        self.patients = InMemoryPatientRepository(workspace)
        self.practice_directory = InMemoryPracticeDirectory(workspace)

    def _end(self) -> None:
        if self._workspace is not None:
            self._workspace.release()
            self._workspace = None

    def _current(self) -> Workspace:
        if self._workspace is None:
            raise RuntimeError("the unit of work is not open: use it in a `with` block")
        return self._workspace


if TYPE_CHECKING:

    def _satisfies(uow: InMemoryUnitOfWork) -> tuple[IdentityUnitOfWork, PatientsUnitOfWork]:
        return uow, uow
