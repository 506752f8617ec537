"""A stateful walk through the sales hierarchy: after every step each person reaches exactly the model's patients.

The model is written from DOMAIN.md, not from the code: one current manager per member (master → distributor →
salesperson → practice), assigning again moves the member, deactivation keeps the chain intact (only the person's
own logins end), doctors reach their practice, verification staff the patients of submitted IVRs, logistics none.
"""

from __future__ import annotations

import itertools
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TypeVar

from attrs import define
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, rule
from returns.result import Failure

from adapters.memory.store import InMemoryStore
from ivr_domain.identity.model import Assignment
from ivr_domain.identity.use_cases.hierarchy import AssignMember, HierarchyNode
from ivr_domain.ivr.use_cases import ActOnIvr, CreateIvr, Submit
from ivr_domain.patients.model import MaskedPatient, Patient
from ivr_domain.patients.ports import PatientFilter
from ivr_domain.patients.use_cases import CreatePatient
from ivr_domain.shared.actor import Actor, Role
from ivr_domain.shared.audit import AuditEntry, Outcome
from ivr_domain.shared.errors import Conflict, NotFound, NotPermitted
from ivr_domain.shared.ids import PatientId, PracticeId, UserId
from ivr_domain.shared.paging import MAX_LIMIT, PageRequest
from tests.platform import Platform, error_of, memory_platform, value_of
from tests.unit.ivr.builders import complete_ivr

SALES_ROLES = (Role.MASTER_DISTRIBUTOR, Role.DISTRIBUTOR, Role.SALESPERSON)
# How many levels of the hierarchy each sales role sees down to its practices.
SALES_DEPTH = {Role.SALESPERSON: 1, Role.DISTRIBUTOR: 2, Role.MASTER_DISTRIBUTOR: 3}
MAX_PRACTICES = 4
R = TypeVar("R")
# A member's role and the role of the manager it needs (DOMAIN.md's hierarchy).
UPWARDS = {Role.DISTRIBUTOR: Role.MASTER_DISTRIBUTOR, Role.SALESPERSON: Role.DISTRIBUTOR, Role.DOCTOR: Role.SALESPERSON}


@define
class Person:
    """One account of the walk: who it is, the access token it logged in with, and whether it is still active."""

    id: UserId
    role: Role
    token: str
    practice_id: PracticeId | None = None
    active: bool = True


class ReachMachine(RuleBasedStateMachine):
    """Moves people around the hierarchy and checks every person's patient reach against an independent model."""

    def __init__(self) -> None:
        super().__init__()
        self.tmp = tempfile.TemporaryDirectory()
        self.platform: Platform = memory_platform(Path(self.tmp.name), now=datetime(2026, 11, 25, 9, tzinfo=UTC))
        self.counter = itertools.count()
        self.people: dict[UserId, Person] = {}
        # The model: each member's current manager, every manager a member ever had, patients and submissions.
        self.manager_of: dict[UserId | PracticeId, UserId] = {}
        self.managers_over_time: dict[UserId | PracticeId, list[UserId]] = {}
        self.practice_of: dict[PatientId, PracticeId] = {}
        self.submitted: set[PatientId] = set()
        self.admin = self._new(Role.ADMIN)
        self._new(Role.IVR_STAFF)
        self._new(Role.LOGISTICS)

    def teardown(self) -> None:
        """Remove the platform's data directory."""
        self.tmp.cleanup()

    # -- people --------------------------------------------------------------------------------------------

    def _new(self, role: Role, practice: str | None = None) -> UserId:
        """Create an account through the use case and log it in once."""
        n = next(self.counter)
        email = f"{role.value}{n}@example.org"
        user = self.platform.user(email, role, practice=practice, name=f"{role.value} {n}")
        # Each account logs in once from an address of its own, well inside the login rate limits.
        pair = value_of(self.platform.login(email, address=f"198.51.100.{n % 250 + 1}"))
        self.people[user.id] = Person(id=user.id, role=role, token=pair.access_token, practice_id=user.practice_id)
        return user.id

    def _actor(self, person: Person) -> Actor:
        """Authenticate the person's token as a request would: scope is worked out again each time."""
        return value_of(self.platform.container.authenticate()(person.token))

    def _admin(self) -> Actor:
        return self._actor(self.people[self.admin])

    def _ids(self, *roles: Role) -> list[UserId]:
        return [p.id for p in self.people.values() if p.role in roles]

    def _practices(self) -> set[PracticeId]:
        return {p.practice_id for p in self.people.values() if p.practice_id is not None}

    @initialize(data=st.data(), practices=st.integers(2, MAX_PRACTICES))
    def first_tree(self, data: st.DataObject, practices: int) -> None:
        """Two people of each sales role and two to four practices, a random tree over them, a patient each."""
        for role in SALES_ROLES:
            self._new(role)
            self._new(role)
        for i in range(practices):
            self._new(Role.DOCTOR, practice=f"Practice {i}")
        for member_role, manager_role in UPWARDS.items():
            for member in self._ids(member_role):
                manager = data.draw(st.none() | st.sampled_from(self._ids(manager_role)))
                if manager is not None:
                    self._assign_to(manager, member, by_practice=False)
        for doctor in self._ids(Role.DOCTOR):
            self._create_patient(self.people[doctor])

    @rule(role=st.sampled_from(SALES_ROLES))
    def add_sales_person(self, role: Role) -> None:
        """Another master distributor, distributor or salesperson joins."""
        self._new(role)

    @rule(practice=st.integers(0, MAX_PRACTICES - 1))
    def add_doctor(self, practice: int) -> None:
        """A doctor joins one of the practices (an existing one, or a new one while there are fewer than four)."""
        self._new(Role.DOCTOR, practice=f"Practice {practice}")

    # -- the hierarchy ------------------------------------------------------------------------------------

    def _assign_to(self, manager: UserId, member: UserId, *, by_practice: bool) -> None:
        """Assign through the use case as an admin and move the model's member the way DOMAIN.md says."""
        practice = self.people[member].practice_id
        key: UserId | PracticeId
        if practice is None:
            cmd, key = AssignMember(manager_id=manager, member_user_id=member), member
        elif by_practice:
            cmd, key = AssignMember(manager_id=manager, member_practice_id=practice), practice
        else:
            cmd, key = AssignMember(manager_id=manager, member_user_id=member), practice  # the doctor's practice
        # Each change a second apart, so history's order is the order of the steps.
        self.platform.clock.advance(timedelta(seconds=1))
        result = self.platform.container.assign_member()(self._admin(), cmd)
        if not self.people[manager].active:
            error = error_of(result)
            assert isinstance(error, Conflict)
            assert error.detail == "the manager's account is inactive"
            return
        assignment = value_of(result)
        assert (assignment.manager_id, assignment.effective_to) == (manager, None)
        assert (assignment.member_user_id or assignment.member_practice_id) == key
        if self.manager_of.get(key) != manager:
            self.manager_of[key] = manager
            self.managers_over_time.setdefault(key, []).append(manager)

    @rule(data=st.data(), member_role=st.sampled_from(tuple(UPWARDS)), by_practice=st.booleans())
    def assign(self, data: st.DataObject, member_role: Role, by_practice: bool) -> None:
        """Put a practice (named, or through one of its doctors), a salesperson or a distributor under a manager."""
        member = data.draw(st.sampled_from(self._ids(member_role)), label="member")
        manager = data.draw(st.sampled_from(self._ids(UPWARDS[member_role])), label="manager")
        self._assign_to(manager, member, by_practice=by_practice)

    @rule(data=st.data())
    def assign_under_the_wrong_role(self, data: st.DataObject) -> None:
        """A manager of the wrong role for the member is refused and nothing moves."""
        member = data.draw(st.sampled_from(self._ids(*UPWARDS)), label="member")
        wrong = [m for m in self._ids(*SALES_ROLES) if self.people[m].role is not UPWARDS[self.people[member].role]]
        manager = data.draw(st.sampled_from(wrong), label="manager")
        cmd = AssignMember(manager_id=manager, member_user_id=member)
        assert isinstance(error_of(self.platform.container.assign_member()(self._admin(), cmd)), Conflict)

    @rule(data=st.data())
    def deactivate(self, data: st.DataObject) -> None:
        """An admin deactivates an account; its place in the hierarchy stays (nothing is erased)."""
        who = data.draw(st.sampled_from(self._ids(Role.DOCTOR, *SALES_ROLES)), label="who")
        user = value_of(self.platform.container.deactivate_user()(self._admin(), who))
        assert not user.active
        self.people[who].active = False

    # -- patients and IVRs ----------------------------------------------------------------------------------

    def _create_patient(self, doctor: Person) -> None:
        n = next(self.counter)
        cmd = CreatePatient(patient=self.platform.patient_input(first=f"Pat{n}"), allow_duplicate=True)
        patient = value_of(self.platform.container.create_patient()(self._actor(doctor), cmd))
        assert isinstance(patient, Patient)
        assert patient.practice_id == doctor.practice_id
        self.practice_of[patient.id] = patient.practice_id

    @rule(data=st.data())
    def create_patient(self, data: st.DataObject) -> None:
        """A doctor registers a patient of their own practice; an inactive doctor's token is refused."""
        doctor = self.people[data.draw(st.sampled_from(self._ids(Role.DOCTOR)), label="doctor")]
        if doctor.active:
            self._create_patient(doctor)
        else:
            assert isinstance(self.platform.container.authenticate()(doctor.token), Failure)

    @rule(data=st.data())
    def submit_ivr(self, data: st.DataObject) -> None:
        """An active doctor of the patient's practice submits an IVR; the patient comes into verification's reach."""
        patient = data.draw(st.sampled_from(sorted(self.practice_of)), label="patient")
        practice = self.practice_of[patient]
        doctor = next((p for p in self.people.values() if p.practice_id == practice and p.active), None)
        if doctor is None:
            return
        actor = self._actor(doctor)
        body = complete_ivr(patient, today=self.platform.clock.now().date())
        ivr = value_of(self.platform.container.create_ivr()(actor, CreateIvr(ivr=body))).ivr
        value_of(self.platform.container.act_on_ivr()(actor, ActOnIvr(ivr_id=ivr.id, action=Submit())))
        self.submitted.add(patient)

    # -- the model's answers ---------------------------------------------------------------------------------

    def _practices_below(self, manager: UserId, depth: int) -> set[PracticeId]:
        """Follow the model's current managers down: depth 1 is a salesperson's own practices."""
        practices = self._practices()
        direct = {member for member, m in self.manager_of.items() if m == manager}
        if depth == 1:
            return {p for p in practices if p in direct}
        return set().union(*(self._practices_below(UserId(m), depth - 1) for m in direct))

    def _reach(self, person: Person) -> set[PatientId]:
        if person.role is Role.ADMIN:
            return set(self.practice_of)
        if person.role is Role.IVR_STAFF:
            return set(self.submitted)
        if person.role is Role.DOCTOR:
            return {p for p, practice in self.practice_of.items() if practice == person.practice_id}
        if person.role in SALES_DEPTH:
            below = self._practices_below(person.id, SALES_DEPTH[person.role])
            return {p for p, practice in self.practice_of.items() if practice in below}
        return set()

    # -- invariants ------------------------------------------------------------------------------------------

    def _audited(self, call: Callable[[], R]) -> tuple[R, AuditEntry]:
        """Run a use case and return its result with the one audit entry it committed."""
        store = self.platform.container.memory_store()
        assert isinstance(store, InMemoryStore)
        before = len(store.audit.rows)
        result = call()
        entries = [row.entry for row in store.audit.rows[before:]]
        assert len(entries) == 1, f"one request, {len(entries)} audit entries: {entries}"
        return result, entries[0]

    @invariant()
    def inactive_accounts_cannot_act(self) -> None:
        """A deactivated account's token is refused from the next request on."""
        for person in self.people.values():
            if not person.active:
                assert isinstance(self.platform.container.authenticate()(person.token), Failure)

    @invariant()
    def every_active_account_reaches_what_the_model_says(self) -> None:
        """Authenticate each active account once (its scope is worked out afresh) and check its lists and reads."""
        for person in (p for p in self.people.values() if p.active):
            actor = self._actor(person)
            self._lists_exactly_the_reach(person, actor)
            self._reads_one_patient_only_within_reach(person, actor)
            if person.role in SALES_ROLES:
                self._tree_shows_the_practices_below(person, actor)

    def _lists_exactly_the_reach(self, person: Person, actor: Actor) -> None:
        """The list holds exactly the model's reach, in the role's projection, audited with exactly those ids."""
        list_patients = self.platform.container.list_patients()
        result, entry = self._audited(partial(list_patients, actor, PatientFilter(), PageRequest(limit=MAX_LIMIT)))
        assert (entry.action, entry.user_id) == ("patients.list", person.id)
        if person.role is Role.LOGISTICS:
            assert isinstance(error_of(result), NotPermitted)
            assert entry.outcome is Outcome.DENIED
            return
        page = value_of(result)
        assert page.next_cursor is None
        listed = [view.id for view in page.items]
        expected = self._reach(person)
        assert set(listed) == expected, (
            f"{person.role}: listed {set(listed) - expected} not in reach, missed {expected - set(listed)}"
        )
        assert len(listed) == len(set(listed))
        wrong = [type(view).__name__ for view in page.items if type(view) is not _view_type(person.role)]
        assert not wrong, f"{person.role} listed {wrong} views"
        assert entry.outcome is Outcome.SUCCESS
        assert entry.patient_ids == tuple(listed)

    def _reads_one_patient_only_within_reach(self, person: Person, actor: Actor) -> None:
        """Inside the reach a read succeeds in the right projection; outside it is NotFound, audited as denied."""
        get_patient = self.platform.container.get_patient()
        reach = self._reach(person)
        for patient_id, practice in self.practice_of.items():
            result, entry = self._audited(partial(get_patient, actor, patient_id))
            assert (entry.action, entry.user_id, entry.patient_ids) == ("patients.read", person.id, (patient_id,))
            if patient_id in reach:
                view = value_of(result)
                assert type(view) is _view_type(person.role), f"{person.role} read a {type(view).__name__}"
                assert (view.id, view.practice_id) == (patient_id, practice)
                assert entry.outcome is Outcome.SUCCESS
            else:
                error = error_of(result)
                assert isinstance(error, NotFound), f"{person.role} read {patient_id} outside reach: {error}"
                assert entry.outcome is Outcome.DENIED

    def _tree_shows_the_practices_below(self, person: Person, actor: Actor) -> None:
        """A sales person's own subtree holds exactly the practices the model puts below them."""
        (root,) = value_of(self.platform.container.hierarchy()(actor))
        assert root.user_id == person.id
        assert _practices_in(root) == self._practices_below(person.id, SALES_DEPTH[person.role])

    @invariant()
    def history_records_every_move(self) -> None:
        """A member's history lists its managers in order, the last one open; a doctor's shows their practice's."""
        history = self.platform.container.assignment_history()
        admin = self._admin()
        for person in self.people.values():
            rows: tuple[Assignment, ...] = value_of(history(admin, person.id))
            if person.role in (Role.DISTRIBUTOR, Role.SALESPERSON):
                mine = [a for a in rows if a.member_user_id == person.id]
                assert [a.manager_id for a in mine] == self.managers_over_time.get(person.id, [])
                assert [a.effective_to is None for a in mine] == [i == len(mine) - 1 for i in range(len(mine))]
            if person.role in SALES_ROLES:
                led = [a for a in rows if a.manager_id == person.id]
                ever = {a.member_user_id or a.member_practice_id for a in led}
                current = {a.member_user_id or a.member_practice_id for a in led if a.effective_to is None}
                assert ever == {m for m, managers in self.managers_over_time.items() if person.id in managers}
                assert current == {m for m, manager in self.manager_of.items() if manager == person.id}
            if person.role is Role.DOCTOR:
                manager = self.manager_of.get(person.practice_id) if person.practice_id else None
                expected = [] if manager is None else [(manager, person.practice_id)]
                assert [(a.manager_id, a.member_practice_id) for a in rows] == expected


def _view_type(role: Role) -> type[MaskedPatient | Patient]:
    """Return the view a role must get: masked for the sales hierarchy, full for the others that read patients."""
    return MaskedPatient if role in SALES_ROLES else Patient


def _practices_in(node: HierarchyNode) -> set[PracticeId]:
    """Return every practice in a subtree."""
    return set(node.practice_ids).union(*(_practices_in(m) for m in node.members))


ReachMachine.TestCase.settings = settings(
    max_examples=25, stateful_step_count=25, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
TestReachStateMachine = ReachMachine.TestCase
