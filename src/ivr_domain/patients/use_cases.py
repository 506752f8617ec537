"""Patient use cases: create, read, update, archive, list and search, scoped and projected in the core."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.patients import policy
from ivr_domain.patients.model import Patient, PatientView
from ivr_domain.patients.ports import (
    PATIENT_SORTS,
    MemberIdSearch,
    NameAndBirthDate,
    PatientFilter,
    PatientSearch,
    PatientsUnitOfWork,
)
from ivr_domain.patients.validation import PatientDetails, PatientInput, parse_patient
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import (
    Conflict,
    InvalidQuery,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.ids import PatientId, PracticeId, new_id
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.ports import PhoneNumbers
from ivr_domain.shared.validation import check_page

SEARCH_LIMIT = 50

CreatePatientError: TypeAlias = NotPermitted | ValidationFailed | Conflict
WritePatientError: TypeAlias = NotFound | NotPermitted | PreconditionFailed | ValidationFailed | Conflict


@frozen(kw_only=True)
class CreatePatient:
    """A new patient for a practice (a doctor's own unless an admin names one)."""

    patient: PatientInput
    practice_id: PracticeId | None = None
    allow_duplicate: bool = False


@frozen(kw_only=True)
class UpdatePatient:
    """A patient's full new details, with the version the client last saw."""

    patient_id: PatientId
    patient: PatientInput
    expected_version: int | None = None
    allow_duplicate: bool = False


def _duplicate(
    uow: PatientsUnitOfWork, practice_id: PracticeId, details: PatientDetails, itself: PatientId | None
) -> Conflict | None:
    existing = uow.patients.find_duplicate(
        practice_id=practice_id,
        first_name=details.name.first,
        last_name=details.name.last,
        date_of_birth=details.date_of_birth,
    )
    if existing is None or existing == itself:
        return None
    return Conflict(
        entity="patient",
        existing_id=str(existing),
        detail="a patient with the same name and date of birth exists in this practice; "
        "send allow_duplicate=true to create another",
    )


@frozen(kw_only=True)
class CreatePatientHandler:
    """Registers a patient with a practice."""

    uow: Callable[[], PatientsUnitOfWork]
    phones: PhoneNumbers
    clock: Clock

    def __call__(self, actor: Actor, cmd: CreatePatient) -> Result[PatientView, CreatePatientError]:
        """Validate, refuse likely duplicates, and store the patient."""
        if not policy.may_write(actor):
            return Failure(NotPermitted(action="patients.create"))
        practice_id = cmd.practice_id or actor.practice_id
        if practice_id is None:
            return Failure(ValidationFailed.single("practice_id", "is required"))
        match parse_patient(cmd.patient, self.phones, self.clock.today()):
            case Failure(problem):
                return Failure(problem)
            case Success(details):
                pass
        with self.uow() as uow:
            if not actor.scope.reaches_practice(practice_id) or not uow.practice_directory.exists(practice_id):
                return Failure(ValidationFailed.single("practice_id", "is not a practice you can add patients to"))
            duplicate = None if cmd.allow_duplicate else _duplicate(uow, practice_id, details, None)
            if duplicate is not None:
                return Failure(duplicate)
            now = self.clock.now()
            patient = Patient(
                id=PatientId(new_id()),
                practice_id=practice_id,
                name=details.name,
                date_of_birth=details.date_of_birth,
                sex=details.sex,
                phone=details.phone,
                email=details.email,
                address=details.address,
                insurances=details.insurances,
                created_by=actor.user_id,
                created_at=now,
                updated_at=now,
            )
            uow.patients.add(patient)
            uow.commit()
            return Success(policy.project(actor, patient))


@frozen(kw_only=True)
class GetPatientHandler:
    """Reads one patient in the projection the actor is entitled to."""

    uow: Callable[[], PatientsUnitOfWork]

    def __call__(self, actor: Actor, patient_id: PatientId) -> Result[PatientView, NotFound | NotPermitted]:
        """Return the patient, NotFound outside scope, NotPermitted without patients.read."""
        with self.uow() as uow:
            patient = uow.patients.get(patient_id, scope=actor.scope)
        if patient is None:
            return Failure(NotFound(entity="patient", id=str(patient_id)))
        if not policy.may_read(actor):
            return Failure(NotPermitted(action="patients.read"))
        return Success(policy.project(actor, patient))


@frozen(kw_only=True)
class UpdatePatientHandler:
    """Replaces a patient's details under optimistic concurrency."""

    uow: Callable[[], PatientsUnitOfWork]
    phones: PhoneNumbers
    clock: Clock

    def __call__(self, actor: Actor, cmd: UpdatePatient) -> Result[PatientView, WritePatientError]:
        """Answer in order: 404 scope, 403 permission, 412 stale If-Match, 422 fields, 409 duplicate or race."""
        with self.uow() as uow:
            patient = uow.patients.get(cmd.patient_id, scope=actor.scope)
            if patient is None:
                return Failure(NotFound(entity="patient", id=str(cmd.patient_id)))
            if not policy.may_write(actor):
                return Failure(NotPermitted(action="patients.update"))
            if cmd.expected_version is not None and cmd.expected_version != patient.version:
                return Failure(
                    PreconditionFailed(entity="patient", id=str(patient.id), current_version=patient.version)
                )
            match parse_patient(cmd.patient, self.phones, self.clock.today()):
                case Failure(problem):
                    return Failure(problem)
                case Success(details):
                    pass
            duplicate = None if cmd.allow_duplicate else _duplicate(uow, patient.practice_id, details, patient.id)
            if duplicate is not None:
                return Failure(duplicate)
            changed = evolve(
                patient,
                name=details.name,
                date_of_birth=details.date_of_birth,
                sex=details.sex,
                phone=details.phone,
                email=details.email,
                address=details.address,
                insurances=details.insurances,
                updated_at=self.clock.now(),
            )
            return self._save(actor, uow, changed)

    @staticmethod
    def _save(actor: Actor, uow: PatientsUnitOfWork, changed: Patient) -> Result[PatientView, WritePatientError]:
        match uow.patients.save(changed):
            case Success(saved):
                uow.commit()
                return Success(policy.project(actor, saved))
            case Failure(conflict):
                return Failure(conflict)
        raise AssertionError("unreachable")  # pragma: no cover


@frozen(kw_only=True)
class ArchivePatient:
    """Hide a patient from lists; nothing is deleted."""

    patient_id: PatientId
    expected_version: int | None = None


@frozen(kw_only=True)
class ArchivePatientHandler:
    """Archives a patient."""

    uow: Callable[[], PatientsUnitOfWork]
    clock: Clock

    def __call__(self, actor: Actor, cmd: ArchivePatient) -> Result[PatientView, WritePatientError]:
        """Mark the patient archived; archiving twice changes nothing."""
        with self.uow() as uow:
            patient = uow.patients.get(cmd.patient_id, scope=actor.scope)
            if patient is None:
                return Failure(NotFound(entity="patient", id=str(cmd.patient_id)))
            if not policy.may_write(actor):
                return Failure(NotPermitted(action="patients.archive"))
            if cmd.expected_version is not None and cmd.expected_version != patient.version:
                return Failure(
                    PreconditionFailed(entity="patient", id=str(patient.id), current_version=patient.version)
                )
            if patient.archived:
                return Success(policy.project(actor, patient))
            return UpdatePatientHandler._save(actor, uow, evolve(patient, archived=True, updated_at=self.clock.now()))


@frozen(kw_only=True)
class ListPatientsHandler:
    """Lists the patients within scope, filtered and sorted by non-PHI fields only."""

    uow: Callable[[], PatientsUnitOfWork]

    def __call__(
        self, actor: Actor, filters: PatientFilter, page: PageRequest
    ) -> Result[Page[PatientView], NotPermitted | InvalidQuery]:
        """Return one page in the actor's projection."""
        if not policy.may_read(actor):
            return Failure(NotPermitted(action="patients.list"))
        bad = check_page(page, PATIENT_SORTS)
        if bad is not None:
            return Failure(bad)
        with self.uow() as uow:
            found = uow.patients.list(scope=actor.scope, filters=filters, page=page)
        views = tuple(policy.project(actor, p) for p in found.items)
        return Success(Page(items=views, next_cursor=found.next_cursor))


@frozen(kw_only=True)
class SearchPatientsHandler:
    """Finds patients by exact name and birth date or member id, through blind indexes only."""

    uow: Callable[[], PatientsUnitOfWork]

    def __call__(
        self, actor: Actor, query: PatientSearch
    ) -> Result[tuple[PatientView, ...], NotPermitted | ValidationFailed]:
        """Return up to fifty matching patients within scope, in the actor's projection."""
        if not policy.may_read(actor):
            return Failure(NotPermitted(action="patients.search"))
        problem = _query_problem(query)
        if problem is not None:
            return Failure(problem)
        with self.uow() as uow:
            found = uow.patients.search(query, scope=actor.scope, limit=SEARCH_LIMIT)
        return Success(tuple(policy.project(actor, p) for p in found))


def _query_problem(query: PatientSearch) -> ValidationFailed | None:
    match query:
        case NameAndBirthDate(last_name=last, first_name=first):
            if not last.strip():
                return ValidationFailed.single("last_name", "must not be blank")
            if first is not None and not first.strip():
                return ValidationFailed.single("first_name", "must not be blank when given")
        case MemberIdSearch(member_id=member_id):
            if not member_id.strip():
                return ValidationFailed.single("member_id", "must not be blank")
    return None
