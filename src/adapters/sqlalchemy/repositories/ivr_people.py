"""The people an IVR concerns, answered from the patients and identity tables for the IVR context's own ports."""

from __future__ import annotations

from typing import Any

from sqlalchemy import Connection, Integer, Select, bindparam, literal, select, update

from adapters.sqlalchemy.repositories.patient_rows import PatientCodec
from adapters.sqlalchemy.repositories.patients import SqlAlchemyPatientRepository
from adapters.sqlalchemy.tables import assignments, patients, users
from ivr_domain.ivr.model import PatientSnapshot
from ivr_domain.shared.actor import Role, Scope
from ivr_domain.shared.ids import PatientId, PracticeId, UserId
from ivr_domain.workflows.patient_snapshots import snapshot_of

# The sales hierarchy has three edges (doctor assignment, salesperson team, distributor network), so a chain
# holds at most three people; the bound also ends the walk if bad data ever made the assignments a cycle.
_CHAIN_DEPTH = 3

_CURRENT = assignments.c.effective_to.is_(None)

# The first ivr_submitted flip counts as a change of the patient (its version moves), so a patient edit
# made from an older read cannot write `ivr_submitted = false` back over it; later submits change nothing.
_MARK_SUBMITTED = (
    update(patients)
    .where(patients.c.id == bindparam("patient_id"), patients.c.ivr_submitted.is_(False))
    .values(ivr_submitted=True, version=patients.c.version + 1)
)

_PRACTICE_USERS = (
    select(users.c.id)
    .where(users.c.practice_id == bindparam("practice_id"), users.c.active.is_(True))
    .order_by(users.c.id)
)

_REVIEWER = select(users.c.id).where(
    users.c.id == bindparam("user_id"),
    users.c.active.is_(True),
    users.c.role.in_([Role.IVR_STAFF.value, Role.ADMIN.value]),
)


def _sales_chain_statement() -> Select[Any]:
    """Whoever holds the practice now, then each one's current manager, bottom up: one recursive query."""
    first = select(assignments.c.manager_id.label("user_id"), literal(1, Integer).label("depth")).where(
        _CURRENT, assignments.c.member_practice_id == bindparam("practice_id")
    )
    chain = first.cte("chain", recursive=True)
    above = (
        select(assignments.c.manager_id, chain.c.depth + 1)
        .join_from(chain, assignments, assignments.c.member_user_id == chain.c.user_id)
        .where(_CURRENT, chain.c.depth < _CHAIN_DEPTH)
    )
    chain = chain.union_all(above)
    # The walk goes through an inactive account (its manager still oversees the practice); it hears nothing.
    active = users.c.id == chain.c.user_id
    return select(chain.c.user_id).join(users, active).where(users.c.active.is_(True)).order_by(chain.c.depth)


_SALES_CHAIN = _sales_chain_statement()


class SqlAlchemyIvrPatients:
    """Patients as the IVR context sees them, decrypted by the patients codec, scope pushed into WHERE."""

    def __init__(self, connection: Connection, codec: PatientCodec) -> None:
        """Work within the unit of work's transaction, decrypting through the patients codec."""
        self._db = connection
        self._patients = SqlAlchemyPatientRepository(connection, codec)

    def snapshot(self, patient_id: PatientId, *, scope: Scope) -> PatientSnapshot | None:
        """Return the patient as they are now, with their insurances, when within scope."""
        patient = self._patients.get(patient_id, scope=scope)
        return snapshot_of(patient) if patient is not None else None

    def mark_submitted(self, patient_id: PatientId) -> bool:
        """Bring the patient into verification staff's reach; a concurrent patient edit is waited for."""
        self._db.execute(_MARK_SUBMITTED, {"patient_id": patient_id})
        return True


class SqlAlchemyIvrAudience:
    """Who hears of an IVR's changes, from users and the current assignments."""

    def __init__(self, connection: Connection) -> None:
        """Work within the unit of work's transaction."""
        self._db = connection

    def practice_users(self, practice_id: PracticeId) -> tuple[UserId, ...]:
        """Return the active users of a practice."""
        found = self._db.execute(_PRACTICE_USERS, {"practice_id": practice_id}).scalars()
        return tuple(UserId(user_id) for user_id in found)

    def sales_chain(self, practice_id: PracticeId) -> tuple[UserId, ...]:
        """Return the salesperson currently assigned the practice and the distributors above them, active ones only."""
        found = self._db.execute(_SALES_CHAIN, {"practice_id": practice_id}).scalars()
        return tuple(UserId(user_id) for user_id in dict.fromkeys(found))

    def is_reviewer(self, user_id: UserId) -> bool:
        """Tell whether a user is active verification staff or an active admin."""
        return self._db.execute(_REVIEWER, {"user_id": user_id}).first() is not None
