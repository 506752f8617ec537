"""The sales hierarchy's assignments held in memory; one current assignment per member."""

from __future__ import annotations

from datetime import datetime

from attrs import evolve
from returns.result import Failure, Result, Success

from adapters.memory.workspace import Workspace
from ivr_domain.identity.model import Assignment
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import PracticeId, UserId


def _order(assignment: Assignment) -> tuple[datetime, str]:
    return assignment.effective_from, str(assignment.id)


class InMemoryAssignmentRepository:
    """Assignments, current and past."""

    def __init__(self, workspace: Workspace) -> None:
        """Work within one transaction's tables."""
        self._ws = workspace

    def current_for_user(self, member: UserId) -> Assignment | None:
        """Return the current assignment of a distributor or salesperson."""
        return next(
            (a for a in self._ws.assignments.values() if a.effective_to is None and a.member_user_id == member), None
        )

    def current_for_practice(self, member: PracticeId) -> Assignment | None:
        """Return the current assignment of a practice."""
        return next(
            (a for a in self._ws.assignments.values() if a.effective_to is None and a.member_practice_id == member),
            None,
        )

    def add(self, assignment: Assignment) -> Result[Assignment, Conflict]:
        """Store a new current assignment; a member already assigned is a conflict."""
        member = assignment.member_key
        current = next(
            (a for a in self._ws.assignments.values() if a.effective_to is None and a.member_key == member), None
        )
        if current is not None:
            return Failure(Conflict(entity="assignment", existing_id=str(current.id)))
        store, mine = self._ws.store, self._ws.assignments.changes

        def committed_clash() -> bool:
            # rows this transaction has changed (closed) no longer count as the committed current one
            return any(
                a.effective_to is None and a.member_key == member and a.id not in mine
                for a in store.assignments.values()
            )

        if not self._ws.may_take(("assignments.current", member), committed_clash):
            return Failure(Conflict(entity="assignment", id=str(assignment.id)))
        self._ws.assignments.put(assignment.id, assignment)
        return Success(assignment)

    def close(self, assignment: Assignment, *, at: datetime) -> None:
        """End a current assignment at a time."""
        stored = self._ws.assignments.get(assignment.id)
        if stored is not None and stored.effective_to is None:
            self._ws.assignments.put(assignment.id, evolve(stored, effective_to=at))

    def current_members(self, managers: frozenset[UserId]) -> tuple[Assignment, ...]:
        """Return the current assignments under any of these managers."""
        found = (a for a in self._ws.assignments.values() if a.effective_to is None and a.manager_id in managers)
        return tuple(sorted(found, key=_order))

    def history(self, user_id: UserId) -> tuple[Assignment, ...]:
        """Return every assignment where the user is manager or member, oldest first."""
        found = (a for a in self._ws.assignments.values() if user_id in (a.manager_id, a.member_user_id))
        return tuple(sorted(found, key=_order))

    def all_current(self) -> tuple[Assignment, ...]:
        """Return every current assignment."""
        return tuple(sorted((a for a in self._ws.assignments.values() if a.effective_to is None), key=_order))
