"""A small world for the IVR tests: one practice with its sales chain, verification staff and bystanders."""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any

from attrs import define
from returns.result import Result

from adapters.memory.store import InMemoryStore
from ivr_domain.identity.model import User
from ivr_domain.ivr.events import IvrStatusChanged
from ivr_domain.ivr.model import HistoryEntry, Ivr
from ivr_domain.ivr.policy import ShownIvr
from ivr_domain.ivr.use_cases import ActOnIvr, CreateIvr, IvrAction, UpdateIvr
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import Actor, Role
from ivr_domain.shared.audit import AuditEntry
from ivr_domain.shared.ids import IvrId, PracticeId
from tests.platform import Platform, value_of
from tests.unit.ivr.builders import complete_ivr

# name: (email, role, practice)
PEOPLE: dict[str, tuple[str, Role, str | None]] = {
    "admin": ("admin@example.org", Role.ADMIN, None),
    "staff": ("staff@example.org", Role.IVR_STAFF, None),
    "other_staff": ("staff2@example.org", Role.IVR_STAFF, None),
    "doctor": ("doc@example.org", Role.DOCTOR, "Springfield Wound Clinic"),
    "colleague": ("doc2@example.org", Role.DOCTOR, "Springfield Wound Clinic"),
    "stranger": ("other@example.org", Role.DOCTOR, "Shelbyville Foot Care"),
    "sales": ("sales@example.org", Role.SALESPERSON, None),
    "distributor": ("dist@example.org", Role.DISTRIBUTOR, None),
    "master": ("master@example.org", Role.MASTER_DISTRIBUTOR, None),
    "logistics": ("ship@example.org", Role.LOGISTICS, None),
}


@define
class World:
    """The platform, its people (by name) and a patient of the doctor's practice."""

    platform: Platform
    users: dict[str, User]
    actors: dict[str, Actor]
    patient: Patient

    @property
    def practice_id(self) -> PracticeId:
        """Return the practice the IVRs belong to."""
        return self.patient.practice_id

    @property
    def store(self) -> InMemoryStore:
        """Return the committed rows of the memory profile."""
        store = self.platform.container.memory_store()
        assert isinstance(store, InMemoryStore)
        return store

    def create(self, who: str = "doctor", body: IvrInput | None = None) -> Result[ShownIvr, Any]:
        """Create an IVR through the use case (the complete example by default)."""
        cmd = CreateIvr(ivr=body if body is not None else complete_ivr(self.patient.id))
        return self.platform.container.create_ivr()(self.actors[who], cmd)

    def draft(self, who: str = "doctor", body: IvrInput | None = None) -> Ivr:
        """Create an IVR and return it in full."""
        ivr = value_of(self.create(who, body)).ivr
        assert isinstance(ivr, Ivr)
        return ivr

    def act(
        self, who: str, ivr_id: IvrId, action: IvrAction, expected_version: int | None = None
    ) -> Result[ShownIvr, Any]:
        """Pull one trigger through the use case."""
        cmd = ActOnIvr(ivr_id=ivr_id, action=action, expected_version=expected_version)
        return self.platform.container.act_on_ivr()(self.actors[who], cmd)

    def update(
        self, who: str, ivr_id: IvrId, body: IvrInput, expected_version: int | None = None
    ) -> Result[ShownIvr, Any]:
        """Replace an IVR's content through the use case."""
        cmd = UpdateIvr(ivr_id=ivr_id, ivr=body, expected_version=expected_version)
        return self.platform.container.update_ivr()(self.actors[who], cmd)

    def get(self, who: str, ivr_id: IvrId) -> Result[ShownIvr, Any]:
        """Read one IVR through the use case."""
        return self.platform.container.get_ivr()(self.actors[who], ivr_id)

    def stored(self, ivr_id: IvrId) -> Ivr:
        """Return the committed IVR, bypassing scope and audit."""
        return self.store.ivrs[ivr_id]

    def history(self, ivr_id: IvrId) -> tuple[HistoryEntry, ...]:
        """Return the committed history rows of an IVR, bypassing scope and audit."""
        with self.platform.container.uow() as uow:
            rows: tuple[HistoryEntry, ...] = uow.ivr_history.of(ivr_id)
        return rows

    def events(self, ivr_id: IvrId) -> list[IvrStatusChanged]:
        """Return the committed status-change events of an IVR, in commit order."""
        rows = self.store.events.outbox
        return [r.event for r in rows if isinstance(r.event, IvrStatusChanged) and r.event.ivr_id == ivr_id]

    def audit_rows(self) -> list[AuditEntry]:
        """Return every committed audit entry, in commit order."""
        return [row.entry for row in self.store.audit.rows]


def build_world(platform: Platform, names: Iterable[str] = PEOPLE) -> World:
    """Create the people, put the doctor's practice under sales → distributor → master, and log everyone in."""
    wanted = list(names)
    users = {}
    for name in wanted:
        email, role, practice = PEOPLE[name]
        users[name] = platform.user(email, role, practice=practice, name=name.replace("_", " ").title())
    chain = [n for n in ("master", "distributor", "sales", "doctor") if n in users]
    for manager, member in itertools.pairwise(chain):
        platform.assign(users[manager], users[member])
    actors = {name: platform.actor(PEOPLE[name][0]) for name in wanted}
    patient = platform.patient(users["doctor"].practice_id)
    assert isinstance(patient, Patient)
    return World(platform=platform, users=users, actors=actors, patient=patient)
