"""Approvals lapse: approved IVRs whose `valid_until` has passed become `expired`, by the platform itself."""

from __future__ import annotations

from collections.abc import Callable

from attrs import frozen
from returns.result import Success

from ivr_domain.ivr.ports import IvrUnitOfWork
from ivr_domain.ivr.use_cases.transitions import ActOnIvr, ActOnIvrHandler, Expire
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.clock import Clock

EXPIRY_BATCH = 200


@frozen(kw_only=True)
class ExpireLapsedIvrsHandler:
    """Expires every lapsed approval, each in its own transaction with its history row, audit entry and event."""

    uow: Callable[[], IvrUnitOfWork]
    act: ActOnIvrHandler
    clock: Clock
    batch: int = EXPIRY_BATCH

    def __call__(self) -> int:
        """Expire what has lapsed by today and return how many IVRs were expired."""
        expired = 0
        while True:
            with self.uow() as uow:
                lapsed = uow.ivrs.lapsed_approvals(self.clock.today(), limit=self.batch)
            # A refusal (another pass expired it first) is audited by the transition and skipped here.
            done = sum(
                isinstance(self.act(SYSTEM_ACTOR, ActOnIvr(ivr_id=ivr_id, action=Expire())), Success)
                for ivr_id in lapsed
            )
            expired += done
            if len(lapsed) < self.batch or done == 0:
                return expired
