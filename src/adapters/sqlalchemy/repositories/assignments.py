"""The sales hierarchy's assignments in SQL; a unique partial index keeps one current per member."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from returns.result import Failure, Result, Success
from sqlalchemy import ColumnElement, Connection, Row, Select, or_, select, update

from adapters.sqlalchemy.repositories.common import insert_unless_conflict
from adapters.sqlalchemy.tables import assignments
from ivr_domain.identity.model import Assignment, AssignmentKind
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import AssignmentId, PracticeId, UserId

_CURRENT = assignments.c.effective_to.is_(None)


def assignment_values(assignment: Assignment) -> dict[str, Any]:
    """Map an assignment to its row."""
    return {
        "id": assignment.id,
        "kind": assignment.kind.value,
        "manager_id": assignment.manager_id,
        "member_user_id": assignment.member_user_id,
        "member_practice_id": assignment.member_practice_id,
        "effective_from": assignment.effective_from,
        "effective_to": assignment.effective_to,
        "assigned_by": assignment.assigned_by,
    }


def assignment_from_row(row: Row[Any]) -> Assignment:
    """Map an assignment row to the entity."""
    m = row._mapping
    return Assignment(
        id=AssignmentId(m["id"]),
        kind=AssignmentKind(m["kind"]),
        manager_id=UserId(m["manager_id"]),
        member_user_id=UserId(m["member_user_id"]) if m["member_user_id"] is not None else None,
        member_practice_id=PracticeId(m["member_practice_id"]) if m["member_practice_id"] is not None else None,
        effective_from=m["effective_from"],
        effective_to=m["effective_to"],
        assigned_by=UserId(m["assigned_by"]),
    )


class SqlAlchemyAssignmentRepository:
    """Assignments, current and past."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def current_for_user(self, member: UserId) -> Assignment | None:
        """Return the current assignment of a distributor or salesperson."""
        return self._first(select(assignments).where(_CURRENT, assignments.c.member_user_id == member))

    def current_for_practice(self, member: PracticeId) -> Assignment | None:
        """Return the current assignment of a practice."""
        return self._first(select(assignments).where(_CURRENT, assignments.c.member_practice_id == member))

    def add(self, assignment: Assignment) -> Result[Assignment, Conflict]:
        """Store a new current assignment; a member already assigned is a conflict."""
        if insert_unless_conflict(self._db, assignments, assignment_values(assignment)):
            return Success(assignment)
        current = (
            self.current_for_practice(assignment.member_practice_id)
            if assignment.member_practice_id is not None
            else self.current_for_user(assignment.member_user_id)
            if assignment.member_user_id is not None
            else None
        )
        existing = str(current.id) if current is not None else None
        return Failure(Conflict(entity="assignment", id=str(assignment.id), existing_id=existing))

    def close(self, assignment: Assignment, *, at: datetime) -> None:
        """End a current assignment at a time."""
        self._db.execute(update(assignments).where(assignments.c.id == assignment.id, _CURRENT).values(effective_to=at))

    def current_members(self, managers: frozenset[UserId]) -> tuple[Assignment, ...]:
        """Return the current assignments under any of these managers."""
        if not managers:
            return ()
        return self._all(_CURRENT, assignments.c.manager_id.in_(managers))

    def history(self, user_id: UserId) -> tuple[Assignment, ...]:
        """Return every assignment where the user is manager or member, oldest first."""
        return self._all(or_(assignments.c.manager_id == user_id, assignments.c.member_user_id == user_id))

    def all_current(self) -> tuple[Assignment, ...]:
        """Return every current assignment."""
        return self._all(_CURRENT)

    def _first(self, stmt: Select[Any]) -> Assignment | None:
        row = self._db.execute(stmt.limit(1)).first()
        return assignment_from_row(row) if row is not None else None

    def _all(self, *where: ColumnElement[bool]) -> tuple[Assignment, ...]:
        stmt = select(assignments).where(*where).order_by(assignments.c.effective_from, assignments.c.id)
        return tuple(assignment_from_row(r) for r in self._db.execute(stmt))
