"""One unit of work's view of the store: snapshot tables, its own writes and its claims."""

from __future__ import annotations

from collections.abc import Callable, Hashable, Mapping
from typing import Any, Protocol, TypeVar

from adapters.memory.store import InMemoryStore, TableView
from ivr_domain.identity.model import Assignment, Practice, RefreshToken, ResetToken, Session, User
from ivr_domain.ivr.documents import IvrDocument
from ivr_domain.ivr.model import HistoryEntry, Ivr
from ivr_domain.ivr.templates.model import IvrTemplate, MedicalJustification
from ivr_domain.patients.documents import Document
from ivr_domain.patients.model import Patient
from ivr_domain.shared.ids import (
    AssignmentId,
    DocumentId,
    IvrHistoryId,
    IvrId,
    IvrTemplateId,
    JustificationId,
    PatientId,
    PracticeId,
    SessionId,
    UserId,
)


class Versioned(Protocol):
    """An aggregate carrying an optimistic-concurrency version."""

    @property
    def version(self) -> int:
        """Return the version."""
        ...


K = TypeVar("K", bound=Hashable)
E = TypeVar("E", bound=Versioned)


class Workspace:
    """The tables of one transaction, read from a snapshot taken when it began."""

    def __init__(self, store: InMemoryStore) -> None:
        """Take the snapshot."""
        snap = store.snapshot()
        self.store = store
        self.practices: TableView[PracticeId, Practice] = TableView(snap.practices)
        self.users: TableView[UserId, User] = TableView(snap.users)
        self.sessions: TableView[SessionId, Session] = TableView(snap.sessions)
        self.refresh_tokens: TableView[str, RefreshToken] = TableView(snap.refresh_tokens)
        self.reset_tokens: TableView[str, ResetToken] = TableView(snap.reset_tokens)
        self.assignments: TableView[AssignmentId, Assignment] = TableView(snap.assignments)
        self.patients: TableView[PatientId, Patient] = TableView(snap.patients)
        self.documents: TableView[DocumentId, Document] = TableView(snap.documents)
        self.ivrs: TableView[IvrId, Ivr] = TableView(snap.ivrs)
        self.ivr_history: TableView[IvrHistoryId, HistoryEntry] = TableView(snap.ivr_history)
        self.ivr_templates: TableView[IvrTemplateId, IvrTemplate | None] = TableView(snap.ivr_templates)
        self.medical_justifications: TableView[JustificationId, MedicalJustification | None] = TableView(
            snap.medical_justifications
        )
        self.ivr_documents: TableView[DocumentId, IvrDocument] = TableView(snap.ivr_documents)

    def changes(self) -> Mapping[str, Mapping[Any, Any]]:
        """Return this transaction's writes, table by table."""
        return {
            "practices": self.practices.changes,
            "users": self.users.changes,
            "sessions": self.sessions.changes,
            "refresh_tokens": self.refresh_tokens.changes,
            "reset_tokens": self.reset_tokens.changes,
            "assignments": self.assignments.changes,
            "patients": self.patients.changes,
            "documents": self.documents.changes,
            "ivrs": self.ivrs.changes,
            "ivr_history": self.ivr_history.changes,
            "ivr_templates": self.ivr_templates.changes,
            "medical_justifications": self.medical_justifications.changes,
            "ivr_documents": self.ivr_documents.changes,
        }

    def claim_new(self, table: str, key: Hashable) -> None:
        """Claim a row this transaction creates, so its later saves need no committed version."""
        with self.store.lock:
            self.store.claim((table, key), self)

    def may_update(self, table: str, view: TableView[K, E], key: K, expected: int) -> bool:
        """Tell whether `expected` is the current version everywhere, claiming the row if so."""
        mine = view.get(key)
        if mine is None or mine.version != expected:
            return False
        with self.store.lock:
            if self.store.held_by((table, key), self):
                return True
            committed = getattr(self.store, table).get(key)
            if committed is None or committed.version != expected:
                return False
            return self.store.claim((table, key), self)

    def may_take(self, key: Hashable, committed_clash: Callable[[], bool]) -> bool:
        """Claim a unique value (an email, a current member) unless committed rows or another writer hold it."""
        with self.store.lock:
            if self.store.held_by(key, self):
                return True
            if committed_clash():
                return False
            return self.store.claim(key, self)

    def release(self) -> None:
        """Drop this transaction's claims."""
        self.store.release(self)
