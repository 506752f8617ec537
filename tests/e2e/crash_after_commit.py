"""Run by a test as its own process: commit an assignment, then die by SIGKILL before its event is dispatched.

Usage: python -m tests.e2e.crash_after_commit MANAGER_ID MEMBER_ID (settings from the IVR_* environment).
"""

from __future__ import annotations

import os
import signal
import sys
from collections.abc import Sequence
from uuid import UUID

from dependency_injector import providers

from entrypoints.container import build_container
from entrypoints.settings import load_settings
from ivr_domain.identity.use_cases.hierarchy import AssignMember
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.ids import EventId, UserId


class _DieBeforeDispatch:
    """Stands in for the relay: the commit has happened; the process dies before anything is dispatched."""

    def notify(self, event_ids: Sequence[EventId]) -> None:
        os.kill(os.getpid(), signal.SIGKILL)


def main(manager: str, member: str) -> int:
    container = build_container(load_settings())
    container.event_relay.override(providers.Object(_DieBeforeDispatch()))
    command = AssignMember(manager_id=UserId(UUID(manager)), member_user_id=UserId(UUID(member)))
    container.assign_member()(SYSTEM_ACTOR, command)
    return 3  # not reached: the after-commit hook killed the process


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
