"""Moving an IVR through its lifecycle: one handler, one small command per trigger.

Every change writes one history row, one audit entry and one event in one transaction; every refusal
changes nothing but the audit log. Refusals answer in API.md's order: 404 scope, 403 role/practice/reviewer,
412 stale If-Match, 409 state, 422 body rules, 409 a lost race.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime
from typing import ClassVar, TypeAlias

from attrs import evolve, frozen
from returns.result import Failure, Result, Success

from ivr_domain.ivr import policy
from ivr_domain.ivr.coverage import Coverage, check_approval, valid_until
from ivr_domain.ivr.documents import missing_kinds
from ivr_domain.ivr.lifecycle import TRANSITIONS, Trigger, allowed_actions, leads_from, may_pull
from ivr_domain.ivr.model import InfoRequest, Ivr, Rejection, RejectionReason
from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.ivr.use_cases._common import Reached, history_entry, record, status_changed
from ivr_domain.ivr.validation import check_complete
from ivr_domain.shared.actor import Actor
from ivr_domain.shared.audit import AuditTrail
from ivr_domain.shared.clock import Clock
from ivr_domain.shared.documents import DocumentKind
from ivr_domain.shared.errors import (
    Conflict,
    FieldError,
    InvalidTransition,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.ids import IvrId
from ivr_domain.shared.validation import Problems

MIN_EXPLANATION = 20
MAX_MESSAGE = 2000


@frozen(kw_only=True)
class Submit:
    """Send a complete draft to verification."""

    trigger: ClassVar[Trigger] = Trigger.SUBMIT


@frozen(kw_only=True)
class StartReview:
    """Take a submitted IVR into review; the actor becomes its reviewer unless one is assigned."""

    trigger: ClassVar[Trigger] = Trigger.START_REVIEW


@frozen(kw_only=True)
class RequestInfo:
    """Ask the practice for more information, optionally by a date."""

    trigger: ClassVar[Trigger] = Trigger.REQUEST_INFO
    message: str
    due_date: date | None = None


@frozen(kw_only=True)
class Resubmit:
    """Send an IVR back to verification after supplying what was asked for."""

    trigger: ClassVar[Trigger] = Trigger.RESUBMIT


@frozen(kw_only=True)
class RequirePriorAuth:
    """Hold the IVR until the payer's prior authorisation is obtained."""

    trigger: ClassVar[Trigger] = Trigger.REQUIRE_PRIOR_AUTH
    note: str | None = None


@frozen(kw_only=True)
class Approve:
    """Approve with one coverage result per verified insurance."""

    trigger: ClassVar[Trigger] = Trigger.APPROVE
    coverages: tuple[Coverage, ...]


@frozen(kw_only=True)
class Reject:
    """Refuse with a reason code and an explanation of 20 characters or more."""

    trigger: ClassVar[Trigger] = Trigger.REJECT
    reason_code: RejectionReason
    explanation: str


@frozen(kw_only=True)
class Cancel:
    """Withdraw an IVR that no decision has been made on."""

    trigger: ClassVar[Trigger] = Trigger.CANCEL


@frozen(kw_only=True)
class Expire:
    """End an approval whose validity has passed (the platform does this, nobody else)."""

    trigger: ClassVar[Trigger] = Trigger.EXPIRE


IvrAction: TypeAlias = (
    Submit | StartReview | RequestInfo | Resubmit | RequirePriorAuth | Approve | Reject | Cancel | Expire
)
ActError: TypeAlias = NotFound | NotPermitted | PreconditionFailed | InvalidTransition | ValidationFailed | Conflict


@frozen(kw_only=True)
class ActOnIvr:
    """One trigger on one IVR, with the version the client last saw (If-Match)."""

    ivr_id: IvrId
    action: IvrAction
    expected_version: int | None = None


@frozen(kw_only=True)
class _Change:
    """An IVR after a trigger, and what its history row says about why."""

    ivr: Ivr
    reason: str | None = None
    note: str | None = None


def action_name(trigger: Trigger) -> str:
    """Return the audit action of a trigger (`ivrs.start_review`)."""
    return f"ivrs.{trigger.value.replace('-', '_')}"


@frozen(kw_only=True)
class ActOnIvrHandler:
    """Pulls one trigger on one IVR."""

    uow: Callable[[], IvrUnitOfWork]
    clock: Clock
    audit: AuditTrail
    required_document_kinds: frozenset[DocumentKind] = frozenset()
    """The kinds a submit and a resubmit need on the IVR or its patient (an operator's setting; none by default)."""

    def __call__(self, actor: Actor, cmd: ActOnIvr) -> Result[policy.ShownIvr, ActError]:
        """Apply the trigger, or say why not; either way the audit log records it."""
        reached = Reached()
        return self._act(actor, cmd, reached).lash(
            lambda error: self.audit.refused(
                actor,
                action_name(cmd.action.trigger),
                error,
                resource_type="ivr",
                resource_id=cmd.ivr_id,
                patients=reached.patients,
            )
        )

    def _act(self, actor: Actor, cmd: ActOnIvr, reached: Reached) -> Result[policy.ShownIvr, ActError]:
        trigger = cmd.action.trigger
        with self.uow() as uow:
            ivr = reached.ivr(uow.ivrs.get(cmd.ivr_id, scope=actor.scope))
            if ivr is None:
                return Failure(NotFound(entity="ivr", id=str(cmd.ivr_id)))
            if not may_pull(actor, ivr, trigger):
                return Failure(NotPermitted(action=action_name(trigger), detail=_why_not(trigger)))
            if cmd.expected_version is not None and cmd.expected_version != ivr.version:
                return Failure(PreconditionFailed(entity="ivr", id=str(ivr.id), current_version=ivr.version))
            if not leads_from(ivr.status, trigger):
                return Failure(
                    InvalidTransition(
                        entity="ivr",
                        status=ivr.status.value,
                        trigger=trigger.value,
                        allowed=allowed_actions(actor, ivr),
                        detail=f"{trigger.value} is not allowed for an IVR in status {ivr.status.value}",
                    )
                )
            now = self.clock.now()
            match self._apply(uow, actor, ivr, cmd.action, now):
                case Failure(refusal):
                    return Failure(refusal)
                case Success(change):
                    pass
            match uow.ivrs.save(change.ivr):
                case Failure(conflict):
                    return Failure(conflict)
                case Success(saved):
                    pass
            uow.ivr_history.append(
                history_entry(
                    actor,
                    saved,
                    from_status=ivr.status,
                    trigger=trigger.value,
                    at=now,
                    reason=change.reason,
                    note=change.note,
                )
            )
            record(uow, self.audit, actor, action=action_name(trigger), ivr=saved)
            status_changed(uow, actor, ivr, saved, trigger=trigger.value, at=now)
            uow.commit()
            return Success(policy.show(actor, saved))

    def _apply(
        self, uow: IvrUnitOfWork, actor: Actor, ivr: Ivr, action: IvrAction, now: datetime
    ) -> Result[_Change, ValidationFailed | InvalidTransition | Conflict]:
        moved = evolve(ivr, status=TRANSITIONS[action.trigger].target, updated_at=now)
        today = self.clock.today()
        match action:
            case Submit() | Resubmit():
                return self._submitted(uow, actor, moved, now, first=isinstance(action, Submit))
            case StartReview():
                return Success(_Change(ivr=evolve(moved, reviewer_id=ivr.reviewer_id or actor.user_id)))
            case RequestInfo(message=message, due_date=due):
                problems = Problems()
                text = problems.text(message, "message", max_length=MAX_MESSAGE)
                if due is not None and due < today:
                    problems.add("due_date", "must not be in the past")
                failure = problems.failure()
                if failure is not None:
                    return Failure(failure)
                request = InfoRequest(message=text, due_date=due, requested_at=now)
                return Success(_Change(ivr=evolve(moved, info_request=request), note=text))
            case RequirePriorAuth(note=note):
                problems = Problems()
                said = None if note is None else problems.text(note, "note", max_length=MAX_MESSAGE)
                failure = problems.failure()
                if failure is not None:
                    return Failure(failure)
                return Success(_Change(ivr=evolve(moved, prior_auth_note=said, passed_prior_auth=True), note=said))
            case Approve(coverages=coverages):
                checked = check_approval(
                    coverages, ranks=ivr.content.insurance_ranks, passed_prior_auth=ivr.passed_prior_auth, today=today
                ).failure()
                if checked is not None:
                    return Failure(checked)
                approved = evolve(moved, coverages=coverages, valid_until=valid_until(coverages), decided_at=now)
                return Success(_Change(ivr=approved))
            case Reject(reason_code=reason, explanation=explanation):
                text = explanation.strip()
                if len(text) < MIN_EXPLANATION or len(text) > MAX_MESSAGE:
                    return Failure(
                        ValidationFailed.single("explanation", f"must be {MIN_EXPLANATION} to {MAX_MESSAGE} characters")
                    )
                rejection = Rejection(reason_code=reason, explanation=text)
                return Success(
                    _Change(ivr=evolve(moved, rejection=rejection, decided_at=now), reason=reason.value, note=text)
                )
            case Cancel():
                return Success(_Change(ivr=moved))
            case Expire():
                if ivr.valid_until is None or ivr.valid_until >= today:
                    return Failure(
                        InvalidTransition(
                            entity="ivr",
                            status=ivr.status.value,
                            trigger=Trigger.EXPIRE.value,
                            detail="the approval is still valid",
                        )
                    )
                return Success(_Change(ivr=moved))
        raise AssertionError("unreachable")  # pragma: no cover

    def _submitted(
        self, uow: IvrUnitOfWork, actor: Actor, moved: Ivr, now: datetime, *, first: bool
    ) -> Result[_Change, ValidationFailed | InvalidTransition | Conflict]:
        # Marked first: a first submit then holds the patient's row, so the snapshot below is the patient as
        # committed now and an edit racing it waits (and then finds its version moved) instead of slipping in
        # between. A refusal below rolls the mark back with everything else.
        if not uow.ivr_patients.mark_submitted(moved.patient_id):
            return Failure(
                Conflict(entity="patient", id=str(moved.patient_id), detail="the patient is being changed; try again")
            )
        snapshot = uow.ivr_patients.snapshot(moved.patient_id, scope=actor.scope)
        if snapshot is None:
            return Failure(ValidationFailed.single("patient_id", "is not a patient of this practice any more"))
        incomplete = check_complete(moved.content, snapshot, self.clock.today())
        missing = self._missing_documents(uow, moved)
        if incomplete is not None or missing:
            return Failure(ValidationFailed(errors=(*(incomplete.errors if incomplete else ()), *missing)))
        submitted = evolve(
            moved,
            patient_snapshot=snapshot,
            patient_initials=snapshot.initials,
            submitted_at=now if first or moved.submitted_at is None else moved.submitted_at,
            last_submitted_at=now,
            info_request=None,
        )
        return Success(_Change(ivr=submitted))

    def _missing_documents(self, uow: IvrUnitOfWork, ivr: Ivr) -> tuple[FieldError, ...]:
        if not self.required_document_kinds:
            return ()  # nothing required: no query
        present = uow.ivr_documents.kinds_present(ivr.id, patient_id=ivr.patient_id)
        return missing_kinds(self.required_document_kinds, present)


def _why_not(trigger: Trigger) -> str:
    party = TRANSITIONS[trigger].party
    return f"{trigger.value} is for {party.value}"
