"""Reading the audit log: the auditors' search, and the access report of one patient (accounting of disclosures)."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Protocol, TypedDict

from attrs import frozen
from returns.result import Result, Success

from ivr_domain.admin.ports import AUDIT_SORTS, AuditQuery, AuditRecords
from ivr_domain.patients.ports import PatientRepository
from ivr_domain.shared.actor import Actor, Permission, Projection
from ivr_domain.shared.audit import AuditEntry, AuditLog, AuditTrail
from ivr_domain.shared.errors import InvalidQuery, NotFound, NotPermitted
from ivr_domain.shared.ids import PatientId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.validation import check_page


class AuditReadingUnitOfWork(Protocol):
    """A transaction that reads the audit log, checks a patient's reach, and records the reading itself."""

    audit: AuditLog
    audit_records: AuditRecords
    patients: PatientRepository

    def __enter__(self) -> AuditReadingUnitOfWork:
        """Begin the transaction."""
        ...

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        """Roll back whatever was not committed."""
        ...

    def commit(self) -> None:
        """Make the transaction's writes durable."""
        ...


def _check_range(query: AuditQuery) -> InvalidQuery | None:
    if query.since is not None and query.until is not None and query.since >= query.until:
        return InvalidQuery(parameter="since", detail="since must be before until")
    return None


@frozen(kw_only=True)
class SearchAuditLogHandler:
    """Searches the audit log for those holding audit.read; the search is itself audited."""

    uow: Callable[[], AuditReadingUnitOfWork]
    audit: AuditTrail

    def __call__(
        self, actor: Actor, query: AuditQuery, page: PageRequest
    ) -> Result[Page[AuditEntry], NotPermitted | InvalidQuery]:
        """Return one page of entries, newest first by default."""
        action = "audit.search"
        if not actor.can(Permission.AUDIT_READ):
            return self.audit.refused(actor, action, NotPermitted(action=action))
        problem = check_page(page, AUDIT_SORTS) or _check_range(query)
        if problem is not None:
            return self.audit.refused(actor, action, problem)
        with self.uow() as uow:
            found = uow.audit_records.search(query, page)
            patients = () if query.patient_id is None else (query.patient_id,)
            uow.audit.append(self.audit.entry(actor, action, resource_type="audit_log", patients=patients))
            uow.commit()
        return Success(found)


def _may_report(actor: Actor) -> bool:
    # The practice is the covered entity that answers a patient's request for an accounting of
    # disclosures; auditors read every report.
    return actor.can(Permission.AUDIT_READ) or (
        actor.practice_id is not None and actor.projection is Projection.FULL and actor.can(Permission.PATIENTS_READ)
    )


class _About(TypedDict):
    resource_type: str
    resource_id: object
    patients: tuple[PatientId, ...]


def _about(patient_id: PatientId) -> _About:
    return {"resource_type": "patient", "resource_id": patient_id, "patients": (patient_id,)}


@frozen(kw_only=True)
class AccessReportHandler:
    """Lists every recorded access to one patient's data: who, when, what, why, and how it ended."""

    uow: Callable[[], AuditReadingUnitOfWork]
    audit: AuditTrail

    def __call__(
        self, actor: Actor, patient_id: PatientId, page: PageRequest
    ) -> Result[Page[AuditEntry], NotFound | NotPermitted | InvalidQuery]:
        """Return one page of the patient's access report; 404 outside scope, 403 without the right."""
        action = "patients.access_report"
        with self.uow() as uow:
            reachable = uow.patients.get(patient_id, scope=actor.scope) is not None
        if not reachable:
            missing = NotFound(entity="patient", id=str(patient_id))
            return self.audit.refused(actor, action, missing, **_about(patient_id))
        if not _may_report(actor):
            return self.audit.refused(actor, action, NotPermitted(action=action), **_about(patient_id))
        bad = check_page(page, AUDIT_SORTS)
        if bad is not None:
            return self.audit.refused(actor, action, bad, **_about(patient_id))
        with self.uow() as uow:
            found = uow.audit_records.search(AuditQuery(patient_id=patient_id), page)
            uow.audit.append(self.audit.entry(actor, action, **_about(patient_id)))
            uow.commit()
        return Success(found)
