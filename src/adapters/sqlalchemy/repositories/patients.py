"""Patients in SQL: PHI stored as ciphertext, found through blind indexes, scope pushed into WHERE."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from functools import cache
from typing import Any

from attrs import evolve
from returns.result import Failure, Result, Success
from sqlalchemy import (
    ColumnElement,
    Connection,
    CursorResult,
    Select,
    bindparam,
    delete,
    false,
    or_,
    select,
    true,
    update,
)

from adapters.sqlalchemy.repositories.common import bound_keyset, cut_page, keyset_parameters, sort_key
from adapters.sqlalchemy.repositories.patient_rows import PatientCodec
from adapters.sqlalchemy.tables import patient_insurances, patients
from ivr_domain.patients.model import MaskedPatient, Patient
from ivr_domain.patients.ports import MemberIdSearch, NameAndBirthDate, PatientFilter, PatientSearch
from ivr_domain.shared.actor import Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PatientId, PracticeId
from ivr_domain.shared.paging import Page, PageRequest

_SORT_COLUMNS = {"created_at": patients.c.created_at, "updated_at": patients.c.updated_at}

# What a read selects: the patient's columns but its blind indexes, then its insurances' (but theirs),
# named apart. One query answers a page and its insurances: the page as a subquery, insurances joined.
_PATIENT_READ = tuple(c for c in patients.c if not c.name.startswith("bi_"))
_INSURANCE_READ = tuple(c for c in patient_insurances.c if not c.name.startswith("bi_"))
_INSURANCE_LABELS = tuple(c.label(f"insurance_{c.name}") for c in _INSURANCE_READ)
_PATIENT_KEYS = tuple(c.name for c in _PATIENT_READ)
_INSURANCE_KEYS = tuple(c.name for c in _INSURANCE_READ)
_PATIENT_COUNT = len(_PATIENT_KEYS)
# What a masked read selects: the view's clear columns and the two ciphertexts its initials come from.
_MASKED_READ = (
    patients.c.id, patients.c.practice_id, patients.c.first_name, patients.c.last_name,
    patients.c.archived, patients.c.created_at, patients.c.updated_at, patients.c.version,
)  # fmt: skip
_MASKED_KEYS = tuple(c.name for c in _MASKED_READ)


# Writes take the values as parameters of statements built once (building one per call, its values
# included, cost more than running it: a third of a create's CPU).
_INSERT_PATIENT = patients.insert()
_INSERT_INSURANCES = patient_insurances.insert()
_UPDATE_PATIENT = update(patients).where(
    patients.c.id == bindparam("match_id"), patients.c.version == bindparam("match_version")
)
_DELETE_INSURANCES = delete(patient_insurances).where(patient_insurances.c.patient_id == bindparam("patient_id"))
# The duplicate check of every create and update, built once (its values are bind parameters).
_DUPLICATE = (
    select(patients.c.id)
    .where(
        patients.c.practice_id == bindparam("practice_id"),
        patients.c.bi_name_dob == bindparam("digest"),
        patients.c.archived.is_(False),
    )
    .order_by(patients.c.created_at, patients.c.id)
    .limit(1)
)


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
        values, reach = _reach_parameters(scope)
        found = self._decode(self._db.execute(_get_statement(**reach), {**values, "patient_id": patient_id}))
        return found[0] if found else None

    def add(self, patient: Patient) -> None:
        """Store a new patient."""
        self._db.execute(_INSERT_PATIENT, self._codec.patient_values(patient))
        self._insert_insurances(patient)

    def save(self, patient: Patient) -> Result[Patient, Conflict]:
        """Store a changed patient if its version is current; return it with the next version."""
        saved = evolve(patient, version=patient.version + 1)
        values = {**self._codec.patient_values(saved), "match_id": patient.id, "match_version": patient.version}
        if self._db.execute(_UPDATE_PATIENT, values).rowcount != 1:
            return Failure(Conflict(entity="patient", id=str(patient.id)))
        self._db.execute(_DELETE_INSURANCES, {"patient_id": patient.id})
        self._insert_insurances(saved)
        return Success(saved)

    def list(self, *, scope: Scope, filters: PatientFilter, page: PageRequest) -> Page[Patient]:
        """Return one page of the patients within scope that match the filters."""
        stmt, values = _list_query(scope, filters, page, masked=False)
        return cut_page(self._decode(self._db.execute(stmt, values)), page, _SORTS, lambda p: p.id)

    def list_masked(self, *, scope: Scope, filters: PatientFilter, page: PageRequest) -> Page[MaskedPatient]:
        """Return `list`'s page as masked views: no insurances read, no PHI opened but the two names."""
        stmt, values = _list_query(scope, filters, page, masked=True)
        return cut_page(self._masked(self._db.execute(stmt, values)), page, _SORTS, lambda p: p.id)

    def get_masked(self, patient_id: PatientId, *, scope: Scope) -> MaskedPatient | None:
        """Return `get`'s patient as its masked view: no insurance read, no PHI opened but the two names."""
        values, reach = _reach_parameters(scope)
        found = self._masked(
            self._db.execute(_get_statement(**reach, masked=True), {**values, "patient_id": patient_id})
        )
        return found[0] if found else None

    def search(self, query: PatientSearch, *, scope: Scope, limit: int) -> tuple[Patient, ...]:
        """Return unarchived patients within scope matching exactly, through blind indexes only."""
        return self._load(self._search_statement(query, scope, limit, _PATIENT_READ), order=("created_at", False))

    def search_masked(self, query: PatientSearch, *, scope: Scope, limit: int) -> tuple[MaskedPatient, ...]:
        """Return `search`'s matches as masked views: no insurance read, no PHI opened but the two names."""
        return self._masked(self._db.execute(self._search_statement(query, scope, limit, _MASKED_READ)))

    def _search_statement(
        self, query: PatientSearch, scope: Scope, limit: int, columns: tuple[ColumnElement[Any], ...]
    ) -> Select[Any]:
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
        return (
            select(*columns)
            .where(found, patients.c.archived.is_(False), patients_in_scope(scope))
            .order_by(patients.c.created_at, patients.c.id)
            .limit(limit)
        )

    def find_duplicate(
        self, *, practice_id: PracticeId, first_name: str, last_name: str, date_of_birth: date
    ) -> PatientId | None:
        """Return an unarchived patient of the practice with the same normalised names and birth date."""
        digest = self._codec.name_dob(first_name, last_name, date_of_birth)
        found = self._db.execute(_DUPLICATE, {"practice_id": practice_id, "digest": digest}).scalar_one_or_none()
        return PatientId(found) if found is not None else None

    def _insert_insurances(self, patient: Patient) -> None:
        if patient.insurances:
            rows = [self._codec.insurance_values(patient.id, i) for i in patient.insurances]
            self._db.execute(_INSERT_INSURANCES, rows)

    def _load(self, stmt: Select[Any], *, order: tuple[str, bool] | None = None) -> tuple[Patient, ...]:
        return self._decode(self._db.execute(_with_insurances(stmt, order)))

    def _masked(self, result: CursorResult[Any]) -> tuple[MaskedPatient, ...]:
        """Decode rows of `_MASKED_READ` into masked views."""
        return tuple(self._codec.masked(dict(zip(_MASKED_KEYS, row, strict=True))) for row in result.all())

    def _decode(self, result: CursorResult[Any]) -> tuple[Patient, ...]:
        """Decode rows of `_with_insurances`: one per insurance (or one for a patient without any)."""
        rows: dict[Any, tuple[dict[str, Any], list[dict[str, Any]]]] = {}
        for row in result.all():  # one fetchall: iterating fetches row by row, in Python
            found = rows.get(row[0])
            if found is None:
                found = rows[row[0]] = (dict(zip(_PATIENT_KEYS, row[:_PATIENT_COUNT], strict=True)), [])
            if row[_PATIENT_COUNT] is not None:  # the insurance's patient_id: none when it has no insurance
                found[1].append(dict(zip(_INSURANCE_KEYS, row[_PATIENT_COUNT:], strict=True)))
        return tuple(self._codec.patient(patient, insurances) for patient, insurances in rows.values())


_SORTS: dict[str, Callable[[Any], Any]] = {"created_at": lambda p: p.created_at, "updated_at": lambda p: p.updated_at}


def _list_query(
    scope: Scope, filters: PatientFilter, page: PageRequest, *, masked: bool
) -> tuple[Select[Any], dict[str, Any]]:
    """The list statement of this request's shape and the values of its parameters."""
    key = sort_key(page, _SORT_COLUMNS)
    values, reach = _reach_parameters(scope)
    values |= keyset_parameters(page, key)
    for name in ("practice_id", "created_from", "created_to"):
        if getattr(filters, name) is not None:
            values[f"filter_{name}"] = getattr(filters, name)
    stmt = _list_statement(
        **reach,
        archived=filters.archived,
        filtered=frozenset(name for name in values if name.startswith("filter_")),
        sort=key.field,
        descending=key.descending,
        after=page.cursor is not None,
        masked=masked,
    )
    return stmt, values


def _with_insurances(stmt: Select[Any], order: tuple[str, bool] | None) -> Select[Any]:
    """The patients `stmt` selects (`_PATIENT_READ`) with their insurances joined: one round trip.

    `order` names the sort column and direction of `stmt`, which the join repeats (then the id).
    """
    chosen = stmt.subquery("chosen")
    joined = select(chosen, *_INSURANCE_LABELS).outerjoin(
        patient_insurances, patient_insurances.c.patient_id == chosen.c.id
    )
    if order is None:
        return joined
    column, row_id = chosen.c[order[0]], chosen.c.id
    return joined.order_by(*((column.desc(), row_id.desc()) if order[1] else (column.asc(), row_id.asc())))


def _reach_parameters(scope: Scope) -> tuple[dict[str, Any], dict[str, bool]]:
    """A scope as the shape of its clause (`_bound_reach`'s arguments) and the values of its parameters."""
    by_practice = not scope.everything and bool(scope.practice_ids)
    shape = {
        "everything": scope.everything,
        "by_practice": by_practice,
        "by_ivr": not scope.everything and scope.submitted_ivrs,
    }
    return ({"practice_ids": list(scope.practice_ids)} if by_practice else {}), shape


def _bound_reach(*, everything: bool, by_practice: bool, by_ivr: bool) -> ColumnElement[bool]:
    """`patients_in_scope` for statements built once: the practices are the expanding `practice_ids`."""
    if everything:
        return true()
    clauses: list[ColumnElement[bool]] = []
    if by_practice:
        clauses.append(patients.c.practice_id.in_(bindparam("practice_ids", expanding=True)))
    if by_ivr:
        clauses.append(patients.c.ivr_submitted.is_(True))
    return or_(*clauses) if clauses else false()


@cache
def _get_statement(*, everything: bool, by_practice: bool, by_ivr: bool, masked: bool = False) -> Select[Any]:
    """One patient by `patient_id` within a scope of this shape, with insurances unless masked; built once per shape."""
    reach = _bound_reach(everything=everything, by_practice=by_practice, by_ivr=by_ivr)
    if masked:
        return select(*_MASKED_READ).where(patients.c.id == bindparam("patient_id"), reach)
    return _with_insurances(select(*_PATIENT_READ).where(patients.c.id == bindparam("patient_id"), reach), None)


@cache
def _list_statement(
    *,
    everything: bool,
    by_practice: bool,
    by_ivr: bool,
    archived: bool,
    filtered: frozenset[str],
    sort: str,
    descending: bool,
    after: bool,
    masked: bool,
) -> Select[Any]:
    """The list query of one shape, built once: scope, filters, cursor and page size are bind parameters.

    Building a statement and its cache key, and matching a new statement's columns to the cached
    compilation, cost more than running it; a shape (which scope, which filters, which sort, which view)
    is built the first time it is asked for and reused by every request of that shape. A masked view
    selects only its own columns and joins no insurances.
    """
    reach = _bound_reach(everything=everything, by_practice=by_practice, by_ivr=by_ivr)
    stmt = select(*(_MASKED_READ if masked else _PATIENT_READ)).where(reach, patients.c.archived.is_(archived))
    if "filter_practice_id" in filtered:
        stmt = stmt.where(patients.c.practice_id == bindparam("filter_practice_id"))
    if "filter_created_from" in filtered:
        stmt = stmt.where(patients.c.created_at >= bindparam("filter_created_from"))
    if "filter_created_to" in filtered:
        stmt = stmt.where(patients.c.created_at < bindparam("filter_created_to"))
    stmt = bound_keyset(stmt, _SORT_COLUMNS[sort], patients.c.id, descending=descending, after=after)
    return stmt if masked else _with_insurances(stmt, (sort, descending))
