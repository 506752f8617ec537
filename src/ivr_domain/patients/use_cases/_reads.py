"""Reading patients: one, a page, or a search; each entry lists every patient returned, masked views too."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen
from returns.result import Failure, Result, Success

from ivr_domain.patients import policy
from ivr_domain.patients.model import PatientView
from ivr_domain.patients.ports import (
    PATIENT_SORTS,
    MemberIdSearch,
    NameAndBirthDate,
    PatientFilter,
    PatientSearch,
    PatientsUnitOfWork,
)
from ivr_domain.patients.use_cases._common import record
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.errors import InvalidQuery, NotFound, NotPermitted, ValidationFailed
from ivr_domain.shared.ids import PatientId
from ivr_domain.shared.paging import Page, PageRequest
from ivr_domain.shared.validation import check_page

SEARCH_LIMIT = 50


@frozen(kw_only=True)
class GetPatientHandler:
    """Reads one patient in the projection the actor is entitled to."""

    uow: Callable[[], PatientsUnitOfWork]
    audit: AuditTrail

    def __call__(self, actor: Actor, patient_id: PatientId) -> Result[PatientView, NotFound | NotPermitted]:
        """Return the patient, NotFound outside scope, NotPermitted without patients.read."""
        return self._read(actor, patient_id).lash(
            lambda error: self.audit.refused(
                actor, "patients.read", error, resource_type="patient", resource_id=patient_id, patients=(patient_id,)
            )
        )

    def peek(self, actor: Actor, patient_id: PatientId) -> Result[PatientView, NotFound | NotPermitted]:
        """Answer as a read would, recording nothing: another request's refusal order needs it, not the caller.

        The edge uses it to answer 404, 403 or 412 before a body's 422 (API.md); that request's own refusal is
        what the audit log then records, so nothing here may count as a read of the patient.
        """
        with self.uow() as uow:
            return self._find(uow, actor, patient_id)

    def _read(self, actor: Actor, patient_id: PatientId) -> Result[PatientView, NotFound | NotPermitted]:
        with self.uow() as uow:
            match self._find(uow, actor, patient_id):
                case Failure(refusal):
                    return Failure(refusal)
                case Success(view):
                    pass
            record(uow, self.audit, actor, action="patients.read", patient=view)
            return Success(view)

    @staticmethod
    def _find(
        uow: PatientsUnitOfWork, actor: Actor, patient_id: PatientId
    ) -> Result[PatientView, NotFound | NotPermitted]:
        """The patient in the actor's projection; a masked view is read masked, opening only the names."""
        view: PatientView | None
        if policy.sees_full(actor):
            view = uow.patients.get(patient_id, scope=actor.scope)
        else:
            view = uow.patients.get_masked(patient_id, scope=actor.scope)
        if view is None:
            return Failure(NotFound(entity="patient", id=str(patient_id)))
        if not policy.may_read(actor):
            return Failure(NotPermitted(action="patients.read"))
        return Success(view)


@frozen(kw_only=True)
class ListPatientsHandler:
    """Lists the patients within scope, filtered and sorted by non-PHI fields only."""

    uow: Callable[[], PatientsUnitOfWork]
    audit: AuditTrail

    def __call__(
        self, actor: Actor, filters: PatientFilter, page: PageRequest
    ) -> Result[Page[PatientView], NotPermitted | InvalidQuery]:
        """Return one page in the actor's projection; the audit entry lists every patient on it."""
        action = "patients.list"
        if not policy.may_read(actor):
            return self.audit.refused(actor, action, NotPermitted(action=action), resource_type="patient")
        bad = check_page(page, PATIENT_SORTS)
        if bad is not None:
            return self.audit.refused(actor, action, bad, resource_type="patient")
        with self.uow() as uow:
            found = _page_in_projection(uow, actor, filters, page)
            returned = tuple(p.id for p in found.items)
            uow.audit.append(self.audit.entry(actor, action, resource_type="patient", patients=returned))
            uow.commit()
        return Success(found)


def _page_in_projection(
    uow: PatientsUnitOfWork, actor: Actor, filters: PatientFilter, page: PageRequest
) -> Page[PatientView]:
    """Read the page as the actor may see it; a masked page never opens more PHI than the names it shows."""
    if policy.sees_full(actor):
        full = uow.patients.list(scope=actor.scope, filters=filters, page=page)
        return Page(items=full.items, next_cursor=full.next_cursor)
    masked = uow.patients.list_masked(scope=actor.scope, filters=filters, page=page)
    return Page(items=masked.items, next_cursor=masked.next_cursor)


@frozen(kw_only=True)
class SearchPatientsHandler:
    """Finds patients by exact name and birth date or member id, through blind indexes only."""

    uow: Callable[[], PatientsUnitOfWork]
    audit: AuditTrail

    def __call__(
        self, actor: Actor, query: PatientSearch
    ) -> Result[tuple[PatientView, ...], NotPermitted | ValidationFailed]:
        """Return up to fifty matching patients within scope, in the actor's projection; each match is audited."""
        action = "patients.search"
        if not policy.may_read(actor):
            return self.audit.refused(actor, action, NotPermitted(action=action), resource_type="patient")
        problem = _query_problem(query)
        if problem is not None:
            return self.audit.refused(actor, action, problem, resource_type="patient")
        with self.uow() as uow:
            found: tuple[PatientView, ...]
            if policy.sees_full(actor):
                found = uow.patients.search(query, scope=actor.scope, limit=SEARCH_LIMIT)
            else:
                found = uow.patients.search_masked(query, scope=actor.scope, limit=SEARCH_LIMIT)
            # The search terms are PHI and stay out of the entry; the patients it returned are listed.
            returned = tuple(p.id for p in found)
            uow.audit.append(self.audit.entry(actor, action, resource_type="patient", patients=returned))
            uow.commit()
        return Success(found)


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
