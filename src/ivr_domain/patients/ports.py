"""What the patients context needs from persistence."""

from __future__ import annotations

from datetime import date, datetime
from types import TracebackType
from typing import Protocol

from attrs import frozen
from returns.result import Result

from ivr_domain.patients.model import MaskedPatient, Patient
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.audit import AuditLog
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PatientId, PracticeId
from ivr_domain.shared.paging import Page, PageRequest

PATIENT_SORTS = ("created_at", "updated_at")


@frozen(kw_only=True)
class PatientFilter:
    """Non-PHI filters of the patient list; archived patients show only when asked for."""

    archived: bool = False
    practice_id: PracticeId | None = None
    created_from: datetime | None = None
    created_to: datetime | None = None


@frozen(kw_only=True)
class NameAndBirthDate:
    """Search by normalised last name and date of birth, first name optional."""

    last_name: str
    date_of_birth: date
    first_name: str | None = None


@frozen(kw_only=True)
class MemberIdSearch:
    """Search by an insurance member id."""

    member_id: str


PatientSearch = NameAndBirthDate | MemberIdSearch


class PatientRepository(Protocol):
    """Patients, stored encrypted and found through blind indexes."""

    def get(self, patient_id: PatientId, *, scope: Scope) -> Patient | None:
        """Return the patient when they exist within scope (archived ones included)."""
        ...

    def get_masked(self, patient_id: PatientId, *, scope: Scope) -> MaskedPatient | None:
        """Return `get`'s patient as its masked view, opening no PHI but the names its initials come from."""
        ...

    def add(self, patient: Patient) -> None:
        """Store a new patient."""
        ...

    def save(self, patient: Patient) -> Result[Patient, Conflict]:
        """Store a changed patient if its version is current; return it with the next version."""
        ...

    def list(self, *, scope: Scope, filters: PatientFilter, page: PageRequest) -> Page[Patient]:
        """Return one page of the patients within scope that match the filters."""
        ...

    def list_masked(self, *, scope: Scope, filters: PatientFilter, page: PageRequest) -> Page[MaskedPatient]:
        """Return `list`'s page as masked views, opening no PHI but the names their initials come from."""
        ...

    def search(self, query: PatientSearch, *, scope: Scope, limit: int) -> tuple[Patient, ...]:
        """Return unarchived patients within scope matching exactly, through blind indexes only."""
        ...

    def search_masked(self, query: PatientSearch, *, scope: Scope, limit: int) -> tuple[MaskedPatient, ...]:
        """Return `search`'s matches as masked views, opening no PHI but the names their initials come from."""
        ...

    def find_duplicate(
        self, *, practice_id: PracticeId, first_name: str, last_name: str, date_of_birth: date
    ) -> PatientId | None:
        """Return an unarchived patient of the practice with the same normalised names and birth date."""
        ...


class PracticeDirectory(Protocol):
    """Which practices exist, as far as patients need to know."""

    def exists(self, practice_id: PracticeId) -> bool:
        """Tell whether a practice with this id exists."""
        ...


class PatientsUnitOfWork(Protocol):
    """One transaction over the patients context's stores, and the audit log its requests append to."""

    patients: PatientRepository
    practice_directory: PracticeDirectory
    audit: AuditLog

    def __enter__(self) -> PatientsUnitOfWork:
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
