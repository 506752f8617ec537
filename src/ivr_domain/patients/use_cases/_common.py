"""What the patient use cases share: error unions, audited field names, duplicates, audited saves."""

from __future__ import annotations

from typing import TypeAlias
from uuid import UUID

from returns.result import Failure, Result, Success

from ivr_domain.patients import policy
from ivr_domain.patients.model import Patient, PatientView
from ivr_domain.patients.ports import PatientsUnitOfWork
from ivr_domain.patients.validation import PatientDetails
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.changes import changed_fields
from ivr_domain.shared.errors import (
    Conflict,
    DomainError,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.ids import PatientId, PracticeId

CreatePatientError: TypeAlias = NotPermitted | ValidationFailed | Conflict
WritePatientError: TypeAlias = NotFound | NotPermitted | PreconditionFailed | ValidationFailed | Conflict

# Names only: audit entries say which details a write set or changed, never their values.
PATIENT_DETAILS = ("name", "date_of_birth", "sex", "phone", "email", "address", "insurances")


def duplicate_of(
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


def disclosed(error: DomainError) -> tuple[PatientId, ...]:
    """A duplicate's conflict tells the caller that another patient exists: that patient is touched too."""
    if isinstance(error, Conflict) and error.entity == "patient" and error.existing_id:
        return (PatientId(UUID(error.existing_id)),)
    return ()


def record(
    uow: PatientsUnitOfWork,
    audit: AuditTrail,
    actor: Actor,
    *,
    action: str,
    patient: PatientView,
    fields: tuple[str, ...] = (),
) -> None:
    """Audit a request about one patient in the request's own transaction, and commit."""
    entry = audit.entry(
        actor, action, resource_type="patient", resource_id=patient.id, patients=(patient.id,), fields=fields
    )
    uow.audit.append(entry)
    uow.commit()


def save(
    uow: PatientsUnitOfWork, audit: AuditTrail, actor: Actor, *, action: str, before: Patient, changed: Patient
) -> Result[PatientView, WritePatientError]:
    """Store a change under its version check, audit the names of the fields it changed, and commit."""
    match uow.patients.save(changed):
        case Success(saved):
            fields = changed_fields(before, changed, (*PATIENT_DETAILS, "archived"))
            record(uow, audit, actor, action=action, patient=saved, fields=fields)
            return Success(policy.project(actor, saved))
        case Failure(conflict):
            return Failure(conflict)
    raise AssertionError("unreachable")  # pragma: no cover
