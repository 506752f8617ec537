"""What the IVR use cases share: the audit entry of a request about one IVR, and who hears of a change."""

from __future__ import annotations

from datetime import datetime

from attrs import define

from ivr_domain.ivr.events import IvrStatusChanged
from ivr_domain.ivr.model import HistoryEntry, Ivr, IvrStatus
from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.ids import IvrHistoryId, IvrId, PatientId, new_id

# Names only: audit entries say which parts of an IVR a write set or changed, never their values.
CONTENT_FIELDS = (
    "request_type",
    "priority",
    "insurance_ranks",
    "physician",
    "facility",
    "wounds",
    "diagnosis_codes",
    "application_cpt_codes",
    "anticipated_first_service_date",
    "planned_applications",
    "products",
    "signature",
    "notes",
    "previous_ivr_id",
    "justification_ids",
)


def record(
    uow: IvrUnitOfWork,
    audit: AuditTrail,
    actor: Actor,
    *,
    action: str,
    ivr: Ivr,
    fields: tuple[str, ...] = (),
    also: tuple[PatientId, ...] = (),
) -> None:
    """Append the audit entry of a request about one IVR (naming its patient, and `also`) to its own transaction."""
    patients = tuple(dict.fromkeys((ivr.patient_id, *also)))
    entry = audit.entry(actor, action, resource_type="ivr", resource_id=ivr.id, patients=patients, fields=fields)
    uow.audit.append(entry)


@define
class Reached:
    """The patient a refusal names: the IVR's, once the request has found it within the caller's scope.

    Someone tried to act on that patient's record, so the refusal belongs in their access report; an IVR
    out of scope (404) names none, and a patient named only in the request body is never taken on trust.
    """

    patients: tuple[PatientId, ...] = ()

    def ivr(self, ivr: Ivr | None) -> Ivr | None:
        """Remember the patient of the IVR the request found (None: not found), and return the IVR."""
        if ivr is not None:
            self.patients = (ivr.patient_id,)
        return ivr


def history_entry(
    actor: Actor,
    ivr: Ivr,
    *,
    from_status: IvrStatus | None,
    trigger: str,
    at: datetime,
    reason: str | None = None,
    note: str | None = None,
    linked_ivr_id: IvrId | None = None,
) -> HistoryEntry:
    """Describe one status change of an IVR."""
    return HistoryEntry(
        id=IvrHistoryId(new_id()),
        ivr_id=ivr.id,
        from_status=from_status,
        to_status=ivr.status,
        trigger=trigger,
        actor_id=actor.user_id,
        actor_role=None if actor.is_system else actor.role,
        at=at,
        reason=reason,
        note=note,
        linked_ivr_id=linked_ivr_id,
    )


def status_changed(uow: IvrUnitOfWork, actor: Actor, before: Ivr, after: Ivr, *, trigger: str, at: datetime) -> None:
    """Record the event of a transition, addressed to the practice, the reviewer and the sales chain."""
    people = (
        *uow.ivr_audience.practice_users(after.practice_id),
        *((after.reviewer_id,) if after.reviewer_id is not None else ()),
        *uow.ivr_audience.sales_chain(after.practice_id),
    )
    audience = tuple(user for user in dict.fromkeys(people) if user != actor.user_id)
    uow.outbox.add(
        IvrStatusChanged(
            occurred_at=at,
            ivr_id=after.id,
            practice_id=after.practice_id,
            from_status=before.status.value,
            to_status=after.status.value,
            trigger=trigger,
            actor_id=actor.user_id,
            reviewer_id=after.reviewer_id,
            audience=audience,
        )
    )
