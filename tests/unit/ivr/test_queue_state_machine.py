"""The verification queue, its SLA states, reassignment and expiry against an independent model on a moved clock.

The model is written from docs/ivr.md ("The verification queue", "Reassigning the reviewer", "Expiry") and
DOMAIN.md ("Queue and SLA"), and shares nothing with `queue.py`: each IVR's status, priority, latest submit,
reviewer, valid_until and payer. After every step the real queue use case must list exactly what the model
says, for every status and filter, in the documented order (urgent first, then the longest waiting, then by id),
with the age and SLA state the model computes for the current clock, on one large page and walked page by page.
The lifecycle itself (who may do what, refusals) is `test_state_machine.py`'s; here every step is one that works.
"""

from __future__ import annotations

import tempfile
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from uuid import UUID

from attrs import define, evolve, frozen
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from ivr_domain.ivr.events import IvrReviewerAssigned
from ivr_domain.ivr.model import Ivr, IvrStatus, Priority, RejectionReason
from ivr_domain.ivr.queue import QueueFilter, QueueItem, SlaState
from ivr_domain.ivr.use_cases import (
    Approve,
    AssignReviewer,
    Cancel,
    IvrAction,
    Reject,
    RequestInfo,
    RequirePriorAuth,
    Resubmit,
    StartReview,
    Submit,
)
from ivr_domain.notifications.model import NotificationKind, SubjectType
from ivr_domain.patients.model import Patient
from ivr_domain.patients.use_cases import CreatePatient
from ivr_domain.shared.actor import SYSTEM_ACTOR
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.ids import IvrId, PatientId
from ivr_domain.shared.paging import Page, PageRequest
from tests.platform import memory_platform, value_of
from tests.unit.ivr.builders import NOW, complete_ivr, covered
from tests.unit.ivr.world import World, build_world

HOUR = timedelta(hours=1)
SECOND = timedelta(seconds=1)
OPEN = ("submitted", "in_review", "info_requested", "pending_prior_auth")
# The world's patient carries the first payer; two more patients carry the others. The last is nobody's.
PAYERS = ("00952", "60054", "87726")
NOBODYS_PAYER = "99999"
STAFF = ("staff", "other_staff")
REVIEWERS = (*STAFF, "admin")  # who may be made the reviewer
MAX_IVRS = 6
BIG_PAGE = PageRequest(limit=200)
SMALL_PAGE = 2
# Far enough for the anticipated first service date to stay ahead of any clock the machine reaches.
FAR_TODAY = NOW.date() + timedelta(days=700)


# ---------------------------------------------------------------------------------------------------------------
# The model
# ---------------------------------------------------------------------------------------------------------------


@define
class ModelIvr:
    """What the model knows of one IVR."""

    patient: PatientId
    payer: str
    urgent: bool
    status: str
    last_submitted: datetime
    reviewer: str | None = None
    valid_until: date | None = None


def model_sla(waited: timedelta) -> str:
    """Return the SLA state of docs/ivr.md: `ok` under 24 h, `due` from 24 h up to and including 48, then `overdue`."""
    if waited < 24 * HOUR:
        return "ok"
    return "due" if waited <= 48 * HOUR else "overdue"


def model_order(ivrs: dict[IvrId, ModelIvr], ids: list[IvrId]) -> list[IvrId]:
    """Urgent first, then the longest waiting (oldest latest submit), then by id."""
    return sorted(ids, key=lambda i: (not ivrs[i].urgent, ivrs[i].last_submitted, UUID(str(i))))


def lapses_at(valid_until: date) -> datetime:
    """The first instant an approval is no longer valid: the start of the day after its valid_until (UTC)."""
    return datetime.combine(valid_until + timedelta(days=1), time(0), tzinfo=UTC)


@frozen(kw_only=True)
class Asked:
    """One question put to the queue, in the model's terms, and the model's answer to it."""

    statuses: frozenset[str] | None = None  # None: the default, `submitted`
    urgent: bool | None = None
    reviewer: str | None = None
    payer: str | None = None
    sla: str | None = None

    def holds(self, m: ModelIvr, now: datetime) -> bool:
        """Tell whether the model puts an IVR in the answer at `now`."""
        return (
            m.status in (self.statuses or {"submitted"})
            and (self.urgent is None or m.urgent is self.urgent)
            and (self.reviewer is None or m.reviewer == self.reviewer)
            and (self.payer is None or m.payer == self.payer)
            and (self.sla is None or model_sla(now - m.last_submitted) == self.sla)
        )

    def filters(self, world: World) -> QueueFilter:
        """The same question as the queue use case takes it."""
        statuses = {"statuses": frozenset(IvrStatus(s) for s in self.statuses)} if self.statuses else {}
        return QueueFilter(
            **statuses,
            priority=None if self.urgent is None else (Priority.URGENT if self.urgent else Priority.ROUTINE),
            reviewer_id=None if self.reviewer is None else world.users[self.reviewer].id,
            payer_id=self.payer,
            sla=None if self.sla is None else SlaState(self.sla),
        )


ANY_OPEN = frozenset(OPEN)
SLA_STATES = ("ok", "due", "overdue")
QUESTIONS = (
    Asked(),
    *(Asked(statuses=frozenset({s})) for s in OPEN),
    Asked(statuses=ANY_OPEN),
    *(Asked(statuses=ANY_OPEN, urgent=u) for u in (True, False)),
    *(Asked(statuses=ANY_OPEN, reviewer=r) for r in REVIEWERS),
    *(Asked(statuses=ANY_OPEN, payer=p) for p in (*PAYERS, NOBODYS_PAYER)),
    *(Asked(statuses=ANY_OPEN, sla=s) for s in SLA_STATES),
    *(Asked(sla=s) for s in SLA_STATES),
)


# ---------------------------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------------------------


class QueueMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        self._tmp = tempfile.TemporaryDirectory()
        platform = memory_platform(Path(self._tmp.name), now=NOW)
        self.world: World = build_world(platform, ("admin", "staff", "other_staff", "doctor"))
        self.patients: dict[str, PatientId] = {PAYERS[0]: self.world.patient.id}
        for payer in PAYERS[1:]:
            self.patients[payer] = self._patient_paying(payer)
        self.now = NOW
        self.model: dict[IvrId, ModelIvr] = {}

    def teardown(self) -> None:
        self._tmp.cleanup()

    def _patient_paying(self, payer: str) -> PatientId:
        body = self.world.platform.patient_input(first="Payer", last=f"Patient {payer}")
        body = evolve(body, insurances=(evolve(body.insurances[0], payer_id=payer),))
        cmd = CreatePatient(patient=body, practice_id=self.world.practice_id, allow_duplicate=True)
        patient = value_of(self.world.platform.container.create_patient()(SYSTEM_ACTOR, cmd))
        assert isinstance(patient, Patient)
        return patient.id

    # -- helpers ---------------------------------------------------------------------------------------------------

    def _ids(self, *statuses: str) -> list[IvrId]:
        return [i for i, m in self.model.items() if m.status in statuses]

    def _pick(self, data: st.DataObject, *statuses: str) -> IvrId:
        ivr_id: IvrId = data.draw(st.sampled_from(self._ids(*statuses)), label="ivr")
        return ivr_id

    def _act(self, who: str, ivr_id: IvrId, action: IvrAction, expected_to: str) -> None:
        before = self.model[ivr_id].status
        shown = value_of(self.world.act(who, ivr_id, action))
        assert shown.ivr.status.value == expected_to
        self.model[ivr_id].status = expected_to
        event(f"{before} -> {expected_to}")

    def _reviewer_of(self, ivr_id: IvrId) -> str:
        reviewer = self.model[ivr_id].reviewer
        assert reviewer is not None, "the model gives every IVR under review a reviewer"
        return reviewer

    def _user_name(self, user_id: object) -> str:
        return next(name for name, user in self.world.users.items() if user.id == user_id)

    def _queue(self, who: str, filters: QueueFilter, page: PageRequest) -> Page[QueueItem]:
        return value_of(self.world.platform.container.ivr_queue()(self.world.actors[who], filters, page))

    # -- steps -----------------------------------------------------------------------------------------------------

    @initialize(ivrs=st.lists(st.tuples(st.booleans(), st.sampled_from(PAYERS)), min_size=1, max_size=4))
    def first_submits(self, ivrs: list[tuple[bool, str]]) -> None:
        # Several IVRs at once, often without the clock moving between them: ties fall to the id.
        for urgent, payer in ivrs:
            self._submit_new(urgent=urgent, payer=payer)

    @precondition(lambda self: len(self.model) < MAX_IVRS)
    @rule(urgent=st.booleans(), payer=st.sampled_from(PAYERS))
    def create_and_submit(self, urgent: bool, payer: str) -> None:
        self._submit_new(urgent=urgent, payer=payer)

    def _submit_new(self, *, urgent: bool, payer: str) -> None:
        patient = self.patients[payer]
        body = complete_ivr(patient, today=FAR_TODAY)
        body = evolve(body, priority=Priority.URGENT if urgent else Priority.ROUTINE)
        ivr = self.world.draft("doctor", body)
        self.model[ivr.id] = ModelIvr(
            patient=patient, payer=payer, urgent=urgent, status="draft", last_submitted=self.now
        )
        self._act("doctor", ivr.id, Submit(), "submitted")

    @precondition(lambda self: self._ids("submitted"))
    @rule(data=st.data())
    def start_review(self, data: st.DataObject) -> None:
        self._start_review(data, self._pick(data, "submitted"))

    def _start_review(self, data: st.DataObject, ivr_id: IvrId) -> None:
        m = self.model[ivr_id]
        # Anyone of the staff takes an unassigned IVR; an assigned one is its reviewer's.
        who = m.reviewer or data.draw(st.sampled_from(STAFF), label="who")
        self._act(who, ivr_id, StartReview(), "in_review")
        m.reviewer = who

    @precondition(lambda self: self._ids("in_review"))
    @rule(data=st.data())
    def request_info(self, data: st.DataObject) -> None:
        ivr_id = self._pick(data, "in_review")
        action = RequestInfo(message="Attach current wound measurements")
        self._act(self._reviewer_of(ivr_id), ivr_id, action, "info_requested")

    @precondition(lambda self: self._ids("in_review"))
    @rule(data=st.data())
    def require_prior_auth(self, data: st.DataObject) -> None:
        ivr_id = self._pick(data, "in_review")
        self._act(self._reviewer_of(ivr_id), ivr_id, RequirePriorAuth(), "pending_prior_auth")

    @precondition(lambda self: self._ids("in_review", "info_requested"))
    @rule(data=st.data())
    def resubmit(self, data: st.DataObject) -> None:
        # An IVR in review is asked for information first: resubmits, which move an IVR back, come sooner.
        ivr_id = self._pick(data, "in_review", "info_requested")
        if self.model[ivr_id].status == "in_review":
            self._act(self._reviewer_of(ivr_id), ivr_id, RequestInfo(message="Attach wound photos"), "info_requested")
        self._act("doctor", ivr_id, Resubmit(), "submitted")
        self.model[ivr_id].last_submitted = self.now  # the wait starts again; the reviewer is kept

    @precondition(lambda self: self._ids("submitted", "in_review", "pending_prior_auth"))
    @rule(data=st.data())
    def approve(self, data: st.DataObject) -> None:
        # A submitted IVR is taken into review first: approvals, which expiry needs, come sooner.
        ivr_id = self._pick(data, "submitted", "in_review", "pending_prior_auth")
        if self.model[ivr_id].status == "submitted":
            self._start_review(data, ivr_id)
        days = data.draw(st.integers(0, 3), label="valid_days")
        valid_until = self.now.date() + timedelta(days=days)
        coverage = covered(valid_until=valid_until, prior_auth_number="PA-778812")
        self._act(self._reviewer_of(ivr_id), ivr_id, Approve(coverages=(coverage,)), "approved")
        self.model[ivr_id].valid_until = valid_until

    @precondition(lambda self: self._ids("in_review", "pending_prior_auth"))
    @rule(data=st.data())
    def reject(self, data: st.DataObject) -> None:
        ivr_id = self._pick(data, "in_review", "pending_prior_auth")
        action = Reject(reason_code=RejectionReason.PRODUCT_NOT_COVERED, explanation="Plan excludes this product.")
        self._act(self._reviewer_of(ivr_id), ivr_id, action, "rejected")

    @precondition(lambda self: self._ids("submitted", "info_requested"))
    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        ivr_id = self._pick(data, "submitted", "info_requested")
        self._act("doctor", ivr_id, Cancel(), "cancelled")

    @precondition(lambda self: self._ids(*OPEN))
    @rule(data=st.data(), new=st.sampled_from(REVIEWERS))
    def admin_reassigns(self, data: st.DataObject, new: str) -> None:
        ivr_id = self._pick(data, *OPEN)
        m = self.model[ivr_id]
        if new == m.reviewer:  # a reassignment to the same person is refused: take the next one
            new = REVIEWERS[(REVIEWERS.index(new) + 1) % len(REVIEWERS)]
        store = self.world.store
        before = self.world.stored(ivr_id)
        told_before = self._notified(ivr_id, NotificationKind.IVR_ASSIGNED)

        cmd = AssignReviewer(ivr_id=ivr_id, reviewer_id=self.world.users[new].id)
        shown = value_of(self.world.platform.container.assign_reviewer()(self.world.actors["admin"], cmd))

        # The status stays; history gains an `assign` row, the outbox an event naming both reviewers.
        assert isinstance(shown.ivr, Ivr)
        assert shown.ivr.status is before.status
        assert shown.ivr.reviewer_id == self.world.users[new].id
        last = self.world.history(ivr_id)[-1]
        assert (last.trigger, last.from_status, last.to_status) == ("assign", before.status, before.status)
        assigned = [r.event for r in store.events.outbox if isinstance(r.event, IvrReviewerAssigned)]
        told = assigned[-1]
        previous = self.world.users[m.reviewer].id if m.reviewer is not None else None
        assert (told.ivr_id, told.reviewer_id, told.previous_reviewer_id) == (ivr_id, cmd.reviewer_id, previous)
        assert self._notified(ivr_id, NotificationKind.IVR_ASSIGNED) == sorted([*told_before, new])
        audited = [e for e in self.world.audit_rows() if e.action == "ivrs.assign"][-1]
        assert (audited.resource_id, audited.outcome, audited.changed_fields) == (
            str(ivr_id),
            Outcome.SUCCESS,
            ("reviewer_id",),
        )
        m.reviewer = new
        event(f"assign in {m.status}")

    @rule(data=st.data())
    def advance_clock(self, data: st.DataObject) -> None:
        kinds = ["sla_edge", "minutes", "hours", "days", "lapse_edge"]
        kind = data.draw(st.sampled_from(kinds), label="kind")
        match kind:
            case "minutes":
                step = timedelta(minutes=data.draw(st.integers(1, 90), label="minutes"))
            case "hours":
                step = timedelta(hours=data.draw(st.integers(1, 30), label="hours"))
            case "days":
                step = timedelta(days=data.draw(st.integers(1, 3), label="days"))
            case _:
                step = self._to_an_edge(data, kind)
        event(f"clock: {kind}")
        self.world.platform.clock.advance(step)
        self.now += step
        assert self.world.platform.clock.now() == self.now

    def _to_an_edge(self, data: st.DataObject, kind: str) -> timedelta:
        """A step to an SLA boundary of an open IVR or to the lapse of an approval: exactly, or a second either side."""
        if kind == "sla_edge":
            edges = [m.last_submitted + h * HOUR for m in self.model.values() if m.status in OPEN for h in (24, 48)]
        else:
            edges = [lapses_at(m.valid_until) for m in self.model.values() if m.valid_until and m.status == "approved"]
        reachable = sorted(edge for edge in edges if edge + SECOND > self.now)
        if not reachable:
            return SECOND
        edge = data.draw(st.sampled_from(reachable), label="edge")
        jitter = data.draw(st.sampled_from([j for j in (timedelta(0), -SECOND, SECOND) if edge + j > self.now]))
        return edge + jitter - self.now

    # Without an approval the pass has nothing to look at; and as the rule without arguments, hypothesis would
    # otherwise pick it first and often.
    @precondition(lambda self: self._ids("approved"))
    @rule()
    def run_expiry(self) -> None:
        today = self.now.date()
        lapsed = [
            i for i, m in self.model.items() if m.status == "approved" and m.valid_until and m.valid_until < today
        ]
        untouched = {i: self.world.stored(i) for i in self.model if i not in lapsed}
        expired = self.world.platform.container.expire_lapsed_ivrs()()

        assert expired == len(lapsed)
        event(f"expired {len(lapsed)}")
        for ivr_id in lapsed:
            self.model[ivr_id].status = "expired"
            assert self.world.stored(ivr_id).status is IvrStatus.EXPIRED
            last = self.world.history(ivr_id)[-1]
            assert (last.from_status, last.to_status, last.trigger, last.actor_role) == (
                IvrStatus.APPROVED,
                IvrStatus.EXPIRED,
                "expire",
                None,
            )
            assert [e.to_status for e in self.world.events(ivr_id)][-1] == "expired"
            told = self._notified(ivr_id, NotificationKind.IVR_EXPIRED)
            assert sorted(told) == sorted({"doctor", self._reviewer_of(ivr_id)}), told
        assert {i: self.world.stored(i) for i in untouched} == untouched

        # A second pass finds nothing and writes nothing.
        store = self.world.store
        before = (dict(store.ivrs), len(store.events.outbox), len(store.audit.rows), len(store.events.notifications))
        assert self.world.platform.container.expire_lapsed_ivrs()() == 0
        after = (dict(store.ivrs), len(store.events.outbox), len(store.audit.rows), len(store.events.notifications))
        assert after == before

    def _notified(self, ivr_id: IvrId, kind: NotificationKind) -> list[str]:
        """Who was told `kind` about an IVR, by name, sorted, with repeats."""
        return sorted(
            self._user_name(n.recipient_id)
            for n in self.world.store.events.notifications.values()
            if n.subject_type is SubjectType.IVR and n.subject_id == ivr_id and n.kind is kind
        )

    # -- invariants ------------------------------------------------------------------------------------------------

    @invariant()
    def stored_ivrs_match_the_model(self) -> None:
        for ivr_id, m in self.model.items():
            stored = self.world.stored(ivr_id)
            assert stored.status.value == m.status
            assert stored.priority is (Priority.URGENT if m.urgent else Priority.ROUTINE)
            assert stored.last_submitted_at == m.last_submitted
            assert stored.reviewer_id == (self.world.users[m.reviewer].id if m.reviewer else None)
            assert stored.valid_until == m.valid_until
            assert stored.payer_id == m.payer

    @invariant()
    def expiry_happened_once_per_expired_ivr(self) -> None:
        audited = [e for e in self.world.audit_rows() if e.action == "ivrs.expire"]
        for ivr_id, m in self.model.items():
            times = 1 if m.status == "expired" else 0
            assert [r.trigger for r in self.world.history(ivr_id)].count("expire") == times
            assert [e.to_status for e in self.world.events(ivr_id)].count("expired") == times
            mine = [e for e in audited if e.resource_id == str(ivr_id)]
            once = (Outcome.SUCCESS, True, (m.patient,))
            assert [(e.outcome, e.is_system, e.patient_ids) for e in mine] == [once] * times

    def _check_items(self, view: object, items: tuple[QueueItem, ...], expected: list[IvrId]) -> None:
        assert [item.shown.ivr.id for item in items] == expected, view
        for item in items:
            m = self.model[item.shown.ivr.id]
            waited = self.now - m.last_submitted
            assert item.age_hours == waited // HOUR, (view, waited)
            assert item.sla.value == model_sla(waited), (view, waited)
            assert isinstance(item.shown.ivr, Ivr)  # verification staff and admins see IVRs in full
            assert item.shown.ivr.status.value == m.status
            assert item.shown.ivr.reviewer_id == (self.world.users[m.reviewer].id if m.reviewer else None)

    @invariant()
    def every_view_of_the_queue_is_the_models(self) -> None:
        for asked in QUESTIONS:
            expected = model_order(self.model, [i for i, m in self.model.items() if asked.holds(m, self.now)])
            page = self._queue("staff", asked.filters(self.world), BIG_PAGE)
            assert page.next_cursor is None
            self._check_items(asked, page.items, expected)

    @invariant()
    def walking_small_pages_gives_the_same_queue(self) -> None:
        expected = model_order(self.model, self._ids(*OPEN))
        every_open = Asked(statuses=ANY_OPEN).filters(self.world)
        seen: list[QueueItem] = []
        cursor = None
        while True:
            page = self._queue("admin", every_open, PageRequest(limit=SMALL_PAGE, cursor=cursor))
            assert len(page.items) <= SMALL_PAGE
            # Each page's read is audited with the patient of every IVR on it.
            read = self.world.audit_rows()[-1]
            assert read.action == "ivrs.queue"
            on_page = {self.model[i.shown.ivr.id].patient for i in page.items}
            assert sorted(read.patient_ids) == sorted(on_page)
            seen += page.items
            cursor = page.next_cursor
            if cursor is None:
                break
            assert len(page.items) == SMALL_PAGE
        self._check_items("open, small pages", tuple(seen), expected)


TestQueueMachine = QueueMachine.TestCase
TestQueueMachine.settings = settings(
    max_examples=20,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
