"""Patients held in memory (plaintext: for tests and embedding), matched on normalised values."""

from __future__ import annotations

from datetime import date

from attrs import evolve
from returns.result import Failure, Result, Success

from adapters.memory.paging import keyset_page
from adapters.memory.workspace import Workspace
from ivr_domain.patients.model import MaskedPatient, Patient
from ivr_domain.patients.ports import MemberIdSearch, NameAndBirthDate, PatientFilter, PatientSearch
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PatientId, PracticeId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.values import normalise_for_match


def normalise_member_id(member_id: str) -> str:
    """Fold a member id for matching: as any text, and without spaces or hyphens."""
    return normalise_for_match(member_id).replace(" ", "").replace("-", "")


def patient_in_scope(patient: Patient, scope: Scope) -> bool:
    """Tell whether a patient is within reach: by practice, or through a submitted IVR."""
    if scope.everything or patient.practice_id in scope.practice_ids:
        return True
    return scope.submitted_ivrs and patient.ivr_submitted


def _matches(patient: Patient, filters: PatientFilter) -> bool:
    return (
        patient.archived is filters.archived
        and (filters.practice_id is None or patient.practice_id == filters.practice_id)
        and (filters.created_from is None or patient.created_at >= filters.created_from)
        and (filters.created_to is None or patient.created_at < filters.created_to)
    )


def _found_by(patient: Patient, query: PatientSearch) -> bool:
    match query:
        case NameAndBirthDate(last_name=last, date_of_birth=born, first_name=first):
            return (
                patient.date_of_birth == born
                and normalise_for_match(patient.name.last) == normalise_for_match(last)
                and (first is None or normalise_for_match(patient.name.first) == normalise_for_match(first))
            )
        case MemberIdSearch(member_id=member_id):
            wanted = normalise_member_id(member_id)
            return any(normalise_member_id(i.member_id) == wanted for i in patient.insurances)


class InMemoryPatientRepository:
    """Patients of one unit of work."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def get(self, patient_id: PatientId, *, scope: Scope) -> Patient | None:
        """Return the patient when they exist within scope (archived ones included)."""
        patient = self._ws.patients.get(patient_id)
        return patient if patient is not None and patient_in_scope(patient, scope) else None

    def get_masked(self, patient_id: PatientId, *, scope: Scope) -> MaskedPatient | None:
        """Return `get`'s patient as its masked view."""
        patient = self.get(patient_id, scope=scope)
        return MaskedPatient.of(patient) if patient is not None else None

    def add(self, patient: Patient) -> None:
        """Store a new patient."""
        self._ws.claim_new("patients", patient.id)
        self._ws.patients.put(patient.id, patient)

    def save(self, patient: Patient) -> Result[Patient, Conflict]:
        """Store a changed patient if its version is current; return it with the next version."""
        if not self._ws.may_update("patients", self._ws.patients, patient.id, patient.version):
            return Failure(Conflict(entity="patient", id=str(patient.id)))
        saved = evolve(patient, version=patient.version + 1)
        self._ws.patients.put(patient.id, saved)
        return Success(saved)

    def list(self, *, scope: Scope, filters: PatientFilter, page: PageRequest) -> Page[Patient]:
        """Return one page of the patients within scope that match the filters."""
        rows = (p for p in self._ws.patients.values() if patient_in_scope(p, scope) and _matches(p, filters))
        sorts = {"created_at": lambda p: p.created_at, "updated_at": lambda p: p.updated_at}
        return keyset_page(rows, page, sorts, lambda p: p.id)

    def list_masked(self, *, scope: Scope, filters: PatientFilter, page: PageRequest) -> Page[MaskedPatient]:
        """Return `list`'s page as masked views (nothing is encrypted here, so nothing is saved by reading less)."""
        found = self.list(scope=scope, filters=filters, page=page)
        return Page(items=tuple(MaskedPatient.of(p) for p in found.items), next_cursor=found.next_cursor)

    def search(self, query: PatientSearch, *, scope: Scope, limit: int) -> tuple[Patient, ...]:
        """Return unarchived patients within scope matching exactly, oldest first."""
        found = [
            p
            for p in self._ws.patients.values()
            if not p.archived and patient_in_scope(p, scope) and _found_by(p, query)
        ]
        return tuple(sorted(found, key=lambda p: (p.created_at, p.id))[:limit])

    def search_masked(self, query: PatientSearch, *, scope: Scope, limit: int) -> tuple[MaskedPatient, ...]:
        """Return `search`'s matches as masked views."""
        return tuple(MaskedPatient.of(p) for p in self.search(query, scope=scope, limit=limit))

    def find_duplicate(
        self, *, practice_id: PracticeId, first_name: str, last_name: str, date_of_birth: date
    ) -> PatientId | None:
        """Return an unarchived patient of the practice with the same normalised names and birth date."""
        query = NameAndBirthDate(last_name=last_name, first_name=first_name, date_of_birth=date_of_birth)
        found = sorted(
            (
                p
                for p in self._ws.patients.values()
                if p.practice_id == practice_id and not p.archived and _found_by(p, query)
            ),
            key=lambda p: (p.created_at, p.id),
        )
        return found[0].id if found else None
