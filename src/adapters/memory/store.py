"""The in-memory store: committed rows in plain dicts, replaced (never mutated) on each commit."""

from __future__ import annotations

import threading
from collections.abc import Hashable, Iterator, Mapping
from typing import Any, Generic, TypeVar

from attrs import frozen

from adapters.memory.audit import new_audit_table
from adapters.memory.events import new_event_tables
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

K = TypeVar("K", bound=Hashable)
V = TypeVar("V")

TABLES = (
    "practices",
    "users",
    "sessions",
    "refresh_tokens",
    "reset_tokens",
    "assignments",
    "patients",
    "documents",
    "ivrs",
    "ivr_history",
    "ivr_templates",
    "medical_justifications",
    "ivr_documents",
)


@frozen(kw_only=True)
class Snapshot:
    """The committed tables at one instant; the dicts are never changed after being published."""

    practices: Mapping[PracticeId, Practice]
    users: Mapping[UserId, User]
    sessions: Mapping[SessionId, Session]
    refresh_tokens: Mapping[str, RefreshToken]
    reset_tokens: Mapping[str, ResetToken]
    assignments: Mapping[AssignmentId, Assignment]
    patients: Mapping[PatientId, Patient]
    documents: Mapping[DocumentId, Document]
    ivrs: Mapping[IvrId, Ivr]
    ivr_history: Mapping[IvrHistoryId, HistoryEntry]
    # A deleted template or justification is a None row: `apply` only ever adds and replaces keys.
    ivr_templates: Mapping[IvrTemplateId, IvrTemplate | None]
    medical_justifications: Mapping[JustificationId, MedicalJustification | None]
    ivr_documents: Mapping[DocumentId, IvrDocument]


class InMemoryStore:
    """Every row of every table, plus the lock that serialises commits and claims."""

    def __init__(self) -> None:
        """Start empty."""
        self.lock = threading.RLock()
        self.practices: dict[PracticeId, Practice] = {}
        self.users: dict[UserId, User] = {}
        self.sessions: dict[SessionId, Session] = {}
        self.refresh_tokens: dict[str, RefreshToken] = {}
        self.reset_tokens: dict[str, ResetToken] = {}
        self.assignments: dict[AssignmentId, Assignment] = {}
        self.patients: dict[PatientId, Patient] = {}
        self.documents: dict[DocumentId, Document] = {}
        self.ivrs: dict[IvrId, Ivr] = {}
        self.ivr_history: dict[IvrHistoryId, HistoryEntry] = {}
        self.ivr_templates: dict[IvrTemplateId, IvrTemplate | None] = {}
        self.medical_justifications: dict[JustificationId, MedicalJustification | None] = {}
        self.ivr_documents: dict[DocumentId, IvrDocument] = {}
        # People-facing reference numbers per (prefix, year): taken at once, never given back, like a sequence.
        self.reference_counters: dict[tuple[str, int], int] = {}
        self.audit = new_audit_table()
        self.events = new_event_tables()
        # A claim marks a row (or a unique value) a live unit of work is changing, so that a
        # second writer gets its Conflict at once, as a row lock would give it on PostgreSQL.
        self._claims: dict[Hashable, object] = {}

    def snapshot(self) -> Snapshot:
        """Return the committed tables as they are now (no copy: committed dicts are immutable)."""
        with self.lock:
            return Snapshot(**{name: getattr(self, name) for name in TABLES})

    def claim(self, key: Hashable, owner: object) -> bool:
        """Reserve a key for one owner; False when another owner holds it. Call with the lock held."""
        holder = self._claims.setdefault(key, owner)
        return holder is owner

    def held_by(self, key: Hashable, owner: object) -> bool:
        """Tell whether the owner holds a key."""
        return self._claims.get(key) is owner

    def release(self, owner: object) -> None:
        """Drop every claim of one owner."""
        with self.lock:
            for key in [k for k, held in self._claims.items() if held is owner]:
                del self._claims[key]

    def apply(self, changes: Mapping[str, Mapping[Any, Any]]) -> None:
        """Publish new versions of the changed tables, atomically."""
        with self.lock:
            for name, rows in changes.items():
                if rows:
                    table = dict(getattr(self, name))
                    table.update(rows)
                    setattr(self, name, table)


class TableView(Generic[K, V]):
    """One table as a unit of work sees it: its snapshot overlaid with its own writes."""

    def __init__(self, base: Mapping[K, V]) -> None:
        """Read through to a committed snapshot."""
        self._base = base
        self.changes: dict[K, V] = {}

    def get(self, key: K) -> V | None:
        """Return a row by key."""
        if key in self.changes:
            return self.changes[key]
        return self._base.get(key)

    def put(self, key: K, row: V) -> None:
        """Write a row (visible to this unit of work only until commit)."""
        self.changes[key] = row

    def values(self) -> Iterator[V]:
        """Iterate over every row."""
        yield from self.changes.values()
        yield from (row for key, row in self._base.items() if key not in self.changes)
