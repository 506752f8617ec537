"""The checks a write on one IVR runs before its body's fields, for a body the edge could not read (API.md's order)."""

from __future__ import annotations

from collections.abc import Callable

from returns.result import Result

from entrypoints.http.controllers.support import found_or_refuse, refuse_unless
from entrypoints.http.problems import EdgeRefusal, RefusalContext
from ivr_domain.ivr.model import Ivr, IvrStatus
from ivr_domain.ivr.policy import ShownIvr
from ivr_domain.shared.errors import DomainError, InvalidTransition, PreconditionFailed
from ivr_domain.shared.ids import IvrId


def ivr_checks_before_fields(
    peek: Callable[[], Result[ShownIvr, DomainError]],
    *,
    ivr_id: IvrId,
    action: str,
    trigger: str,
    may: Callable[[Ivr], bool],
    leads: Callable[[IvrStatus], bool],
    version: int | None,
) -> Callable[[], RefusalContext]:
    """Return the checks the core runs before a body's fields, for a body the edge could not read (API.md's order).

    `peek` finds the IVR without recording a read; each refusal, the body's 422 included, is then recorded once as
    this action's, naming the IVR's patient once it is within reach. A masked view carries no reviewer: for it,
    what the core allows this caller now (`allowed_actions`) decides the 403. The masked roles hold neither
    ivrs.write nor ivrs.review, so that is the same answer.
    """

    def check() -> RefusalContext:
        shown = found_or_refuse(peek(), RefusalContext(action=action, resource_type="ivr", resource_id=ivr_id))
        ivr = shown.ivr
        about = RefusalContext(action=action, resource_type="ivr", resource_id=ivr.id, patients=(ivr.patient_id,))
        refuse_unless(may(ivr) if isinstance(ivr, Ivr) else trigger in shown.allowed_actions, action, about)
        if version is not None and version != ivr.version:
            stale = PreconditionFailed(entity="ivr", id=str(ivr.id), current_version=ivr.version)
            raise EdgeRefusal(stale, action, about=about)
        if not leads(ivr.status):
            refused = InvalidTransition(
                entity="ivr",
                status=ivr.status.value,
                trigger=trigger,
                allowed=shown.allowed_actions,
                detail=f"{trigger} is not allowed in status {ivr.status.value}",
            )
            raise EdgeRefusal(refused, action, about=about)
        return about

    return check
