"""Patients in SQL: PHI stored as ciphertext, found through blind indexes, scope pushed into WHERE."""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from typing import Any

from attrs import evolve
from returns.result import Failure, Result, Success
from sqlalchemy import ColumnElement, Connection, Select, delete, false, or_, select, true, update

from adapters.sqlalchemy.repositories.common import cut_page, keyset
from adapters.sqlalchemy.repositories.patient_rows import PatientCodec
from adapters.sqlalchemy.tables import patient_insurances, patients
from ivr_domain.patients.model import Patient
from ivr_domain.patients.ports import MemberIdSearch, NameAndBirthDate, PatientFilter, PatientSearch
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PatientId, PracticeId
from ivr_domain.shared.paging import Page, PageRequest

_SORT_COLUMNS = {"created_at": patients.c.created_at, "updated_at": patients.c.updated_at}


def patients_in_scope(scope: Scope) -> ColumnElement[bool]:
    """The WHERE clause of the patients a scope reaches: by practice, or through a submitted IVR."""
    if scope.everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if scope.practice_ids:
        clauses.append(patients.c.practice_id.in_(scope.practice_ids))
    if scope.submitted_ivrs:
        clauses.append(patients.c.ivr_submitted.is_(True))
    return or_(*clauses) if clauses else false()


class SqlAlchemyPatientRepository:
    """Patients on one connection's transaction."""

    def __init__(self, connection: Connection, codec: PatientCodec) -> None:
        """Work within the unit of work's transaction, encrypting through the codec."""
        self._db = connection
        self._codec = codec

    def get(self, patient_id: PatientId, *, scope: Scope) -> Patient | None:
        """Return the patient when they exist within scope (archived ones included)."""
        found = self._load(select(patients).where(patients.c.id == patient_id, patients_in_scope(scope)))
        return found[0] if found else None

    def add(self, patient: Patient) -> None:
        """Store a new patient."""
        self._db.execute(patients.insert().values(**self._codec.patient_values(patient)))
        self._insert_insurances(patient)

    def save(self, patient: Patient) -> Result[Patient, Conflict]:
        """Store a changed patient if its version is current; return it with the next version."""
        saved = evolve(patient, version=patient.version + 1)
        stmt = (
            update(patients)
            .where(patients.c.id == patient.id, patients.c.version == patient.version)
            .values(**self._codec.patient_values(saved))
        )
        if self._db.execute(stmt).rowcount != 1:
            return Failure(Conflict(entity="patient", id=str(patient.id)))
        self._db.execute(delete(patient_insurances).where(patient_insurances.c.patient_id == patient.id))
        self._insert_insurances(saved)
        return Success(saved)

    def list(self, *, scope: Scope, filters: PatientFilter, page: PageRequest) -> Page[Patient]:
        """Return one page of the patients within scope that match the filters."""
        stmt = select(patients).where(patients_in_scope(scope), patients.c.archived.is_(filters.archived))
        if filters.practice_id is not None:
            stmt = stmt.where(patients.c.practice_id == filters.practice_id)
        if filters.created_from is not None:
            stmt = stmt.where(patients.c.created_at >= filters.created_from)
        if filters.created_to is not None:
            stmt = stmt.where(patients.c.created_at < filters.created_to)
        items = self._load(keyset(stmt, page, _SORT_COLUMNS, patients.c.id))
        sorts = {"created_at": lambda p: p.created_at, "updated_at": lambda p: p.updated_at}
        return cut_page(items, page, sorts, lambda p: p.id)

    def search(self, query: PatientSearch, *, scope: Scope, limit: int) -> tuple[Patient, ...]:
        """Return unarchived patients within scope matching exactly, through blind indexes only."""
        match query:
            case NameAndBirthDate(last_name=last, date_of_birth=born, first_name=None):
                found = patients.c.bi_last_dob == self._codec.last_dob(last, born)
            case NameAndBirthDate(last_name=last, date_of_birth=born, first_name=str(first)):
                found = patients.c.bi_name_dob == self._codec.name_dob(first, last, born)
            case MemberIdSearch(member_id=member_id):
                holders = select(patient_insurances.c.patient_id).where(
                    patient_insurances.c.bi_member_id == self._codec.member_id(member_id)
                )
                found = patients.c.id.in_(holders)
        stmt = (
            select(patients)
            .where(found, patients.c.archived.is_(False), patients_in_scope(scope))
            .order_by(patients.c.created_at, patients.c.id)
            .limit(limit)
        )
        return self._load(stmt)

    def find_duplicate(
        self, *, practice_id: PracticeId, first_name: str, last_name: str, date_of_birth: date
    ) -> PatientId | None:
        """Return an unarchived patient of the practice with the same normalised names and birth date."""
        stmt = (
            select(patients.c.id)
            .where(
                patients.c.practice_id == practice_id,
                patients.c.bi_name_dob == self._codec.name_dob(first_name, last_name, date_of_birth),
                patients.c.archived.is_(False),
            )
            .order_by(patients.c.created_at, patients.c.id)
            .limit(1)
        )
        found = self._db.execute(stmt).scalar_one_or_none()
        return PatientId(found) if found is not None else None

    def _insert_insurances(self, patient: Patient) -> None:
        if patient.insurances:
            rows = [self._codec.insurance_values(patient.id, i) for i in patient.insurances]
            self._db.execute(patient_insurances.insert(), rows)

    def _load(self, stmt: Select[Any]) -> tuple[Patient, ...]:
        rows = [r._mapping for r in self._db.execute(stmt)]
        if not rows:
            return ()
        ids = [r["id"] for r in rows]
        by_patient: dict[Any, list[Any]] = defaultdict(list)
        for ins in self._db.execute(select(patient_insurances).where(patient_insurances.c.patient_id.in_(ids))):
            by_patient[ins.patient_id].append(ins._mapping)
        return tuple(self._codec.patient(r, by_patient[r["id"]]) for r in rows)
