"""Drafting IVRs: create one for a patient, and replace its content while it is editable."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr import policy
from ivr_domain.ivr.lifecycle import EDITABLE_STATES, UPDATE, allowed_actions, may_edit
from ivr_domain.ivr.model import Ivr, IvrContent, IvrStatus, PatientSnapshot
from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.ivr.templates.prefill import prefill
from ivr_domain.ivr.use_cases._common import CONTENT_FIELDS, Reached, history_entry, record
from ivr_domain.ivr.validation import IvrInput, parse_content
from ivr_domain.shared.actor import Actor, Permission
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.changes import changed_fields, given_fields
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.errors import (
    Conflict,
    InvalidTransition,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.ids import IvrId, IvrTemplateId, JustificationId, new_id
from ivr_domain.shared.ports import CodeSets

# The history trigger on an IVR when a reverification of it is created: a link, not a status change.
REVERIFIED = "reverified"

CreateIvrError: TypeAlias = NotPermitted | ValidationFailed
UpdateIvrError: TypeAlias = (
    NotFound | NotPermitted | PreconditionFailed | InvalidTransition | ValidationFailed | Conflict
)


@frozen(kw_only=True)
class CreateIvr:
    """A new draft IVR for a patient of the caller's practice (any practice for an admin).

    With `template_id` the template fills what the body did not give (`given`: the body's top-level field
    names as sent; None reads them off the values); `justification_ids` append library texts to the notes.
    """

    ivr: IvrInput
    template_id: IvrTemplateId | None = None
    justification_ids: tuple[JustificationId, ...] = ()
    given: frozenset[str] | None = None


@frozen(kw_only=True)
class UpdateIvr:
    """An IVR's full new content, with the version the client last saw."""

    ivr_id: IvrId
    ivr: IvrInput
    expected_version: int | None = None


def _patient_for(
    uow: IvrUnitOfWork, actor: Actor, raw: IvrInput, content: IvrContent
) -> Result[tuple[PatientSnapshot, Ivr | None], ValidationFailed]:
    """Find the patient and the renewed IVR (if any) a body names; both must be within the caller's reach."""
    patient = uow.ivr_patients.snapshot(raw.patient_id, scope=actor.scope)
    if patient is None or not actor.scope.reaches_practice(patient.practice_id):
        return Failure(ValidationFailed.single("patient_id", "is not a patient you can create IVRs for"))
    if content.previous_ivr_id is None:
        return Success((patient, None))
    previous = uow.ivrs.get(content.previous_ivr_id, scope=actor.scope)
    if previous is None or previous.patient_id != patient.patient_id:
        return Failure(ValidationFailed.single("previous_ivr_id", "is not an IVR of this patient"))
    return Success((patient, previous))


@frozen(kw_only=True)
class CreateIvrHandler:
    """Starts a draft IVR with a fresh reference."""

    uow: Callable[[], IvrUnitOfWork]
    codes: CodeSets
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: CreateIvr) -> Result[policy.ShownIvr, CreateIvrError]:
        """Validate what is present and store the draft; an incomplete draft is fine until submit."""
        return self._create(actor, cmd).lash(
            lambda error: self.audit.refused(
                actor, "ivrs.create", error, resource_type="ivr", patients=(cmd.ivr.patient_id,)
            )
        )

    def _create(self, actor: Actor, cmd: CreateIvr) -> Result[policy.ShownIvr, CreateIvrError]:
        if not actor.can(Permission.IVRS_WRITE):
            return Failure(NotPermitted(action="ivrs.create"))
        now = self.clock.now()
        with self.uow() as uow:
            match prefill(
                uow,
                actor,
                cmd.ivr,
                template_id=cmd.template_id,
                justification_ids=cmd.justification_ids,
                given=cmd.given,
            ):
                case Failure(problem):
                    return Failure(problem)
                case Success(prefilled):
                    pass
            match parse_content(prefilled.ivr, self.codes, now):
                case Failure(problem):
                    return Failure(problem)
                case Success(parsed):
                    content = evolve(parsed, justification_ids=prefilled.justification_ids)
            match _patient_for(uow, actor, cmd.ivr, content):
                case Failure(problem):
                    return Failure(problem)
                case Success((patient, renewed)):
                    pass
            if patient.archived:
                return Failure(ValidationFailed.single("patient_id", "the patient is archived"))
            ivr = Ivr(
                id=IvrId(new_id()),
                reference=uow.ivrs.next_reference(now.year),
                practice_id=patient.practice_id,
                patient_id=patient.patient_id,
                patient_initials=patient.initials,
                status=IvrStatus.DRAFT,
                content=content,
                created_by=actor.user_id,
                created_at=now,
                updated_at=now,
                code_set_version=self.codes.icd10cm_version if content.diagnosis_codes else None,
            )
            uow.ivrs.add(ivr)
            link = renewed.id if renewed is not None else None
            uow.ivr_history.append(
                history_entry(actor, ivr, from_status=None, trigger="create", at=now, linked_ivr_id=link)
            )
            if renewed is not None:
                # The renewed IVR's history shows the link; its status stays what it is.
                uow.ivr_history.append(
                    history_entry(
                        actor, renewed, from_status=renewed.status, trigger=REVERIFIED, at=now, linked_ivr_id=ivr.id
                    )
                )
            record(uow, self.audit, actor, action="ivrs.create", ivr=ivr, fields=given_fields(content, CONTENT_FIELDS))
            uow.commit()
            return Success(policy.show(actor, ivr))


@frozen(kw_only=True)
class UpdateIvrHandler:
    """Replaces the content of a draft, or of an IVR the reviewer sent back for information."""

    uow: Callable[[], IvrUnitOfWork]
    codes: CodeSets
    clock: Clock
    audit: AuditTrail

    def __call__(self, actor: Actor, cmd: UpdateIvr) -> Result[policy.ShownIvr, UpdateIvrError]:
        """Answer in order: 404 scope, 403 role or practice, 412 stale If-Match, 409 state, 422 fields, 409 race."""
        reached = Reached()
        return self._update(actor, cmd, reached).lash(
            lambda error: self.audit.refused(
                actor, "ivrs.update", error, resource_type="ivr", resource_id=cmd.ivr_id, patients=reached.patients
            )
        )

    def _update(self, actor: Actor, cmd: UpdateIvr, reached: Reached) -> Result[policy.ShownIvr, UpdateIvrError]:
        with self.uow() as uow:
            ivr = reached.ivr(uow.ivrs.get(cmd.ivr_id, scope=actor.scope))
            if ivr is None:
                return Failure(NotFound(entity="ivr", id=str(cmd.ivr_id)))
            if not may_edit(actor, ivr):
                return Failure(NotPermitted(action="ivrs.update"))
            if cmd.expected_version is not None and cmd.expected_version != ivr.version:
                return Failure(PreconditionFailed(entity="ivr", id=str(ivr.id), current_version=ivr.version))
            if ivr.status not in EDITABLE_STATES:
                return Failure(
                    InvalidTransition(
                        entity="ivr",
                        status=ivr.status.value,
                        trigger=UPDATE,
                        allowed=allowed_actions(actor, ivr),
                        detail=f"an IVR in status {ivr.status.value} cannot be edited (only draft, info_requested)",
                    )
                )
            now = self.clock.now()
            match parse_content(cmd.ivr, self.codes, now):
                case Failure(problem):
                    return Failure(problem)
                case Success(content):
                    pass
            match _patient_for(uow, actor, cmd.ivr, content):
                case Failure(problem):
                    return Failure(problem)
                case Success((patient, _)):
                    pass
            if patient.practice_id != ivr.practice_id:
                return Failure(ValidationFailed.single("patient_id", "must be a patient of the IVR's practice"))
            if patient.archived:
                return Failure(ValidationFailed.single("patient_id", "the patient is archived"))
            if content.previous_ivr_id == ivr.id:
                return Failure(ValidationFailed.single("previous_ivr_id", "an IVR cannot renew itself"))
            # Justifications are chosen on create only: an edit keeps which ones were (their texts are in the notes).
            content = evolve(content, justification_ids=ivr.content.justification_ids)
            changed = evolve(
                ivr,
                patient_id=patient.patient_id,
                patient_initials=patient.initials,
                content=content,
                updated_at=now,
                code_set_version=self.codes.icd10cm_version if content.diagnosis_codes else None,
            )
            match uow.ivrs.save(changed):
                case Failure(conflict):
                    return Failure(conflict)
                case Success(saved):
                    pass
            fields = changed_fields(ivr.content, content, CONTENT_FIELDS)
            if patient.patient_id != ivr.patient_id:
                fields = ("patient_id", *fields)
            # Moving an IVR to another patient concerns both: each one's access report shows it.
            record(uow, self.audit, actor, action="ivrs.update", ivr=saved, fields=fields, also=(ivr.patient_id,))
            uow.commit()
            return Success(policy.show(actor, saved))
