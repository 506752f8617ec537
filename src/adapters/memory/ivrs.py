"""IVRs, their history, and the IVR context's view of patients and people, held in memory."""

from __future__ import annotations

from datetime import date

from attrs import evolve
from returns.result import Failure, Result, Success

from adapters.memory.paging import keyset_page
from adapters.memory.patients import patient_in_scope
from adapters.memory.workspace import Workspace
from ivr_domain.ivr.model import HistoryEntry, Ivr, IvrStatus, PatientSnapshot
from ivr_domain.ivr.ports import IvrFilter, ivr_in_scope
from ivr_domain.ivr.queue import QueuePosition, QueueQuery
from ivr_domain.shared.actor import Role, Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import IvrId, PatientId, PracticeId, UserId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.workflows.patient_snapshots import snapshot_of

REFERENCE_PREFIX = "IVR"


def format_reference(prefix: str, year: int, number: int) -> str:
    """Return a people-facing reference: `IVR-2026-000123` (more digits once past 999,999)."""
    return f"{prefix}-{year}-{number:06d}"


def _matches(ivr: Ivr, f: IvrFilter) -> bool:
    submitted = ivr.submitted_at
    return (
        (f.status is None or ivr.status is f.status)
        and (f.practice_id is None or ivr.practice_id == f.practice_id)
        and (f.patient_id is None or ivr.patient_id == f.patient_id)
        and (f.reviewer_id is None or ivr.reviewer_id == f.reviewer_id)
        and (f.priority is None or ivr.content.priority is f.priority)
        and (f.created_from is None or ivr.created_at >= f.created_from)
        and (f.created_to is None or ivr.created_at < f.created_to)
        and (f.submitted_from is None or (submitted is not None and submitted >= f.submitted_from))
        and (f.submitted_to is None or (submitted is not None and submitted < f.submitted_to))
    )


class InMemoryIvrRepository:
    """IVRs of one unit of work."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def get(self, ivr_id: IvrId, *, scope: Scope) -> Ivr | None:
        """Return the IVR when it exists within scope."""
        ivr = self._ws.ivrs.get(ivr_id)
        return ivr if ivr is not None and ivr_in_scope(ivr, scope) else None

    def add(self, ivr: Ivr) -> None:
        """Store a new IVR."""
        self._ws.claim_new("ivrs", ivr.id)
        self._ws.ivrs.put(ivr.id, ivr)

    def save(self, ivr: Ivr) -> Result[Ivr, Conflict]:
        """Store a changed IVR if its version is current; return it with the next version."""
        if not self._ws.may_update("ivrs", self._ws.ivrs, ivr.id, ivr.version):
            return Failure(Conflict(entity="ivr", id=str(ivr.id), detail="the IVR was changed by another request"))
        saved = evolve(ivr, version=ivr.version + 1)
        self._ws.ivrs.put(ivr.id, saved)
        return Success(saved)

    def list(self, *, scope: Scope, filters: IvrFilter, page: PageRequest) -> Page[Ivr]:
        """Return one page of the IVRs within scope that match the filters."""
        rows = (i for i in self._ws.ivrs.values() if ivr_in_scope(i, scope) and _matches(i, filters))
        sorts = {"created_at": lambda i: i.created_at, "updated_at": lambda i: i.updated_at}
        return keyset_page(rows, page, sorts, lambda i: i.id)

    def queue(self, *, scope: Scope, query: QueueQuery, page: PageRequest) -> Page[Ivr]:
        """Return one page of the open IVRs within scope, urgent first, then oldest, then id."""
        after = None
        if page.cursor is not None:
            after = QueuePosition.parse(page.cursor)
            if after is None:
                raise ValueError("malformed queue cursor")
        rows = [i for i in self._ws.ivrs.values() if ivr_in_scope(i, scope) and query.matches(i)]
        ordered = sorted(rows, key=lambda i: QueuePosition.of(i).key())
        if after is not None:
            ordered = [i for i in ordered if QueuePosition.of(i).key() > after.key()]
        if len(ordered) <= page.limit:
            return Page(items=tuple(ordered))
        kept = tuple(ordered[: page.limit])
        return Page(items=kept, next_cursor=QueuePosition.of(kept[-1]).cursor())

    def lapsed_approvals(self, today: date, *, limit: int) -> tuple[IvrId, ...]:
        """Return approved IVRs whose `valid_until` is before `today`, the longest lapsed first."""
        lapsed = (
            i
            for i in self._ws.ivrs.values()
            if i.status is IvrStatus.APPROVED and i.valid_until is not None and i.valid_until < today
        )
        return tuple(i.id for i in sorted(lapsed, key=lambda i: (i.valid_until, i.id))[:limit])

    def next_reference(self, year: int) -> str:
        """Return the next reference of a year; taken at once and never given back, like a database sequence."""
        store = self._ws.store
        with store.lock:
            number = store.reference_counters.get((REFERENCE_PREFIX, year), 0) + 1
            store.reference_counters[REFERENCE_PREFIX, year] = number
        return format_reference(REFERENCE_PREFIX, year, number)


class InMemoryIvrHistory:
    """Status changes of IVRs."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def append(self, entry: HistoryEntry) -> None:
        """Record one status change."""
        self._ws.ivr_history.put(entry.id, entry)

    def of(self, ivr_id: IvrId) -> tuple[HistoryEntry, ...]:
        """Return an IVR's changes, oldest first."""
        found = (e for e in self._ws.ivr_history.values() if e.ivr_id == ivr_id)
        return tuple(sorted(found, key=lambda e: (e.at, e.id)))


class InMemoryIvrPatients:
    """The patients table as the IVR context sees it."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def snapshot(self, patient_id: PatientId, *, scope: Scope) -> PatientSnapshot | None:
        """Return the patient as they are now, with their insurances, when within scope."""
        patient = self._ws.patients.get(patient_id)
        if patient is None or not patient_in_scope(patient, scope):
            return None
        return snapshot_of(patient)

    def mark_submitted(self, patient_id: PatientId) -> bool:
        """Bring the patient into verification staff's reach, as a versioned change of the patient."""
        patient = self._ws.patients.get(patient_id)
        if patient is None or patient.ivr_submitted:
            return True
        if not self._ws.may_update("patients", self._ws.patients, patient_id, patient.version):
            return False
        self._ws.patients.put(patient_id, evolve(patient, ivr_submitted=True, version=patient.version + 1))
        return True


class InMemoryIvrAudience:
    """Who hears of an IVR's changes: the practice's users and its sales chain."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def practice_users(self, practice_id: PracticeId) -> tuple[UserId, ...]:
        """Return the active users of a practice."""
        found = (u for u in self._ws.users.values() if u.practice_id == practice_id and u.active)
        return tuple(sorted((u.id for u in found), key=str))

    def sales_chain(self, practice_id: PracticeId) -> tuple[UserId, ...]:
        """Return the salesperson assigned the practice now and the managers above them, nearest first; active only."""
        current = [a for a in self._ws.assignments.values() if a.effective_to is None]
        manager = next((a.manager_id for a in current if a.member_practice_id == practice_id), None)
        chain: list[UserId] = []
        while manager is not None and manager not in chain:
            chain.append(manager)
            manager = next((a.manager_id for a in current if a.member_user_id == manager), None)
        # The walk goes through an inactive account (its manager still oversees the practice); it hears nothing.
        return tuple(user_id for user_id in chain if (user := self._ws.users.get(user_id)) is not None and user.active)

    def is_reviewer(self, user_id: UserId) -> bool:
        """Tell whether a user is active verification staff or an active admin."""
        user = self._ws.users.get(user_id)
        return user is not None and user.active and user.role in (Role.IVR_STAFF, Role.ADMIN)
