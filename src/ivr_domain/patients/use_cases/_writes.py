"""Writing patients: create, update and archive, each audited with the names of the fields it set."""

from __future__ import annotations

from collections.abc import Callable

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.patients import policy
from ivr_domain.patients.model import Patient, PatientView
from ivr_domain.patients.ports import PatientsUnitOfWork
from ivr_domain.patients.use_cases._common import (
    PATIENT_DETAILS,
    CreatePatientError,
    WritePatientError,
    disclosed,
    duplicate_of,
    record,
    save,
)
from ivr_domain.patients.validation import PatientInput, parse_patient
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.changes import given_fields
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import NotFound, NotPermitted, PreconditionFailed, ValidationFailed
from ivr_domain.shared.ids import PatientId, PracticeId, new_id
from ivr_domain.shared.ports import PhoneNumbers


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


@frozen(kw_only=True)
class CreatePatientHandler:
    """Registers a patient with a practice."""

    uow: Callable[[], PatientsUnitOfWork]
    phones: PhoneNumbers
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: CreatePatient) -> Result[PatientView, CreatePatientError]:
        """Validate, refuse likely duplicates, and store the patient."""
        return self._create(actor, cmd).lash(
            lambda error: self.audit.refused(
                actor, "patients.create", error, resource_type="patient", patients=disclosed(error)
            )
        )

    def _create(self, actor: Actor, cmd: CreatePatient) -> Result[PatientView, CreatePatientError]:
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
            duplicate = None if cmd.allow_duplicate else duplicate_of(uow, practice_id, details, None)
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
            fields = given_fields(patient, PATIENT_DETAILS)
            record(uow, self.audit, actor, action="patients.create", patient=patient, fields=fields)
            return Success(policy.project(actor, patient))


@frozen(kw_only=True)
class UpdatePatientHandler:
    """Replaces a patient's details under optimistic concurrency."""

    uow: Callable[[], PatientsUnitOfWork]
    phones: PhoneNumbers
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: UpdatePatient) -> Result[PatientView, WritePatientError]:
        """Answer in order: 404 scope, 403 permission, 412 stale If-Match, 422 fields, 409 duplicate or race."""
        return self._update(actor, cmd).lash(
            lambda error: self.audit.refused(
                actor,
                "patients.update",
                error,
                resource_type="patient",
                resource_id=cmd.patient_id,
                patients=(cmd.patient_id, *disclosed(error)),
            )
        )

    def _update(self, actor: Actor, cmd: UpdatePatient) -> Result[PatientView, WritePatientError]:
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
            duplicate = None if cmd.allow_duplicate else duplicate_of(uow, patient.practice_id, details, patient.id)
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
            return save(uow, self.audit, actor, action="patients.update", before=patient, changed=changed)


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
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: ArchivePatient) -> Result[PatientView, WritePatientError]:
        """Mark the patient archived; archiving twice changes nothing."""
        return self._archive(actor, cmd).lash(
            lambda error: self.audit.refused(
                actor,
                "patients.archive",
                error,
                resource_type="patient",
                resource_id=cmd.patient_id,
                patients=(cmd.patient_id,),
            )
        )

    def _archive(self, actor: Actor, cmd: ArchivePatient) -> Result[PatientView, WritePatientError]:
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
                record(uow, self.audit, actor, action="patients.archive", patient=patient)
                return Success(policy.project(actor, patient))
            archived = evolve(patient, archived=True, updated_at=self.clock.now())
            return save(uow, self.audit, actor, action="patients.archive", before=patient, changed=archived)
