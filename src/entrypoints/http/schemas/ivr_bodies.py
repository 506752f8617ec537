"""Bodies of IVR requests: a draft's content, and the small bodies of the workflow actions (API.md).

The draft body is the core's `IvrInput` itself (patient, physician, facility, wounds, diagnoses, products...);
a create also takes `template_id` and `justification_ids` (API.md), which a full update (PUT) refuses as
unknown fields: they choose where a new IVR starts from, not what an existing one holds.
"""

from __future__ import annotations

from datetime import date
from uuid import UUID

import attrs
from attrs import frozen

from ivr_domain.ivr.coverage import Coverage
from ivr_domain.ivr.lifecycle import Trigger
from ivr_domain.ivr.model import RejectionReason
from ivr_domain.ivr.use_cases import (
    Approve,
    CreateIvr,
    IvrAction,
    Reject,
    RequestInfo,
    RequirePriorAuth,
    Resubmit,
    StartReview,
    Submit,
)
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.shared.ids import IvrTemplateId, JustificationId


@frozen(kw_only=True)
class IvrCreateBody(IvrInput):
    """A new IVR's body: its content, and optionally the template it starts from and library justifications."""

    template_id: UUID | None = None
    justification_ids: tuple[UUID, ...] = ()


def create_command(body: IvrCreateBody, sent: object) -> CreateIvr:
    """Return the create command of a decoded body; the top-level keys `sent` (parsed JSON) win over a template."""
    given = frozenset(sent) if isinstance(sent, dict) else frozenset()
    content = IvrInput(**{field.name: getattr(body, field.name) for field in attrs.fields(IvrInput)})
    return CreateIvr(
        ivr=content,
        template_id=IvrTemplateId(body.template_id) if body.template_id is not None else None,
        justification_ids=tuple(JustificationId(j) for j in body.justification_ids),
        given=given,
    )


@frozen(kw_only=True)
class NoBody:
    """The body of an action that carries no data: `{}`, or no body at all."""


@frozen(kw_only=True)
class RequestInfoBody:
    """What the reviewer asks the practice for, and optionally by when."""

    message: str
    due_date: date | None = None


@frozen(kw_only=True)
class RequirePriorAuthBody:
    """Why the IVR waits for the payer's prior authorisation."""

    note: str | None = None


@frozen(kw_only=True)
class RejectBody:
    """Why the IVR is refused: a reason code and an explanation of 20 characters or more."""

    reason_code: RejectionReason
    explanation: str


@frozen(kw_only=True)
class ApproveBody:
    """One coverage result per verified insurance."""

    coverages: tuple[Coverage, ...]


ActionBody = NoBody | RequestInfoBody | RequirePriorAuthBody | RejectBody | ApproveBody

# Actions without data: the command each one stands for.
_PLAIN: dict[Trigger, IvrAction] = {
    Trigger.SUBMIT: Submit(),
    Trigger.START_REVIEW: StartReview(),
    Trigger.RESUBMIT: Resubmit(),
}


def action_command(trigger: Trigger, body: ActionBody) -> IvrAction:
    """Return the core command of an action's decoded body."""
    match body:
        case RequestInfoBody(message=message, due_date=due_date):
            return RequestInfo(message=message, due_date=due_date)
        case RequirePriorAuthBody(note=note):
            return RequirePriorAuth(note=note)
        case RejectBody(reason_code=reason_code, explanation=explanation):
            return Reject(reason_code=reason_code, explanation=explanation)
        case ApproveBody(coverages=coverages):
            return Approve(coverages=coverages)
        case NoBody():
            return _PLAIN[trigger]
    raise AssertionError("unreachable")  # pragma: no cover
