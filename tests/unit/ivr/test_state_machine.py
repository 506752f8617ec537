"""The IVR lifecycle against an independent model, random step after random step through the real use cases.

The model below is written from DOMAIN.md's lifecycle table and API.md's refusal order (404 scope, 403 role,
practice and reviewer, 412 stale If-Match, 409 state, 422 body) and shares nothing with `lifecycle.py`. Every
answer of the core is checked against it, and so is what each answer leaves behind: one history row, one audit
entry and one event per transition; nothing but one audit entry per refusal.
"""

from __future__ import annotations

import itertools
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from attrs import define, evolve
from hypothesis import HealthCheck, event, settings
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, initialize, invariant, precondition, rule
from returns.result import Failure, Result, Success

from ivr_domain.ivr.coverage import CoverageOutcome
from ivr_domain.ivr.model import Ivr, IvrStatus, MaskedIvr, Physician, RejectionReason
from ivr_domain.ivr.use_cases import (
    Approve,
    Cancel,
    IvrAction,
    Reject,
    RequestInfo,
    RequirePriorAuth,
    Resubmit,
    StartReview,
    Submit,
)
from ivr_domain.ivr.validation import IvrInput
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import (
    DomainError,
    InvalidTransition,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.ids import IvrId
from ivr_domain.shared.insurance import InsuranceRank
from tests.platform import memory_platform
from tests.unit.ivr.builders import NOW, complete_ivr, covered
from tests.unit.ivr.world import World, build_world

# ---------------------------------------------------------------------------------------------------------------
# The model: DOMAIN.md's table written out again (trigger: sources, target, who), and who reaches what.
# ---------------------------------------------------------------------------------------------------------------

TABLE: dict[str, tuple[frozenset[str], str, str]] = {
    "submit": (frozenset({"draft"}), "submitted", "practice"),
    "start-review": (frozenset({"submitted"}), "in_review", "reviewer"),
    "request-info": (frozenset({"in_review"}), "info_requested", "reviewer"),
    "resubmit": (frozenset({"info_requested"}), "submitted", "practice"),
    "require-prior-auth": (frozenset({"in_review"}), "pending_prior_auth", "reviewer"),
    "approve": (frozenset({"in_review", "pending_prior_auth"}), "approved", "reviewer"),
    "reject": (frozenset({"in_review", "pending_prior_auth"}), "rejected", "reviewer"),
    "cancel": (frozenset({"draft", "submitted", "info_requested"}), "cancelled", "practice"),
    "expire": (frozenset({"approved"}), "expired", "system"),
}
STATES = frozenset(
    {
        "draft",
        "submitted",
        "in_review",
        "info_requested",
        "pending_prior_auth",
        "approved",
        "rejected",
        "cancelled",
        "expired",
    }
)
FINAL = frozenset({"rejected", "cancelled", "expired"})
EDITABLE = frozenset({"draft", "info_requested"})
# What a person may do (expire is the platform's), `update` (PUT) included.
OPS = ("update", *(t for t in TABLE if t != "expire"))

ACTORS = ("admin", "staff", "other_staff", "doctor", "stranger", "sales", "logistics")
STAFF = frozenset({"staff", "other_staff"})
WRITERS = frozenset({"admin", "doctor"})  # ivrs.write on the owning practice

# Bodies, valid or deliberately not; `_body_ok` says which the model expects to pass.
VARIANTS: dict[str, tuple[str, ...]] = {
    "update": ("complete", "incomplete", "bad_npi"),
    "submit": ("-",),
    "start-review": ("-",),
    "request-info": ("with_due", "no_due", "blank_message", "past_due"),
    "resubmit": ("-",),
    "require-prior-auth": ("note", "no_note", "blank_note"),
    "approve": (
        "covered",
        "pa_number",
        "pa_required_no_number",
        "not_covered",
        "no_coverages",
        "past_valid_until",
        "wrong_rank",
    ),
    "reject": ("long", "short"),
    "cancel": ("-",),
}


@define
class ModelIvr:
    """What the model knows of one IVR."""

    status: str
    complete: bool
    version: int = 1
    reviewer: str | None = None
    ever_submitted: bool = False
    passed_prior_auth: bool = False
    transitions: int = 0


def _visible(who: str, m: ModelIvr) -> bool:
    if who in {"admin", "doctor", "sales"}:  # everything; the owning practice; the practice assigned to them
        return True
    if who in STAFF:  # every IVR ever submitted
        return m.ever_submitted
    return False  # a doctor of another practice; logistics


def _permitted(who: str, m: ModelIvr, op: str) -> bool:
    party = "practice" if op == "update" else TABLE[op][2]
    if party == "practice":
        return who in WRITERS
    if party == "reviewer":
        return who == "admin" or (who in STAFF and m.reviewer in (None, who))
    return False


def _gate(who: str, m: ModelIvr, op: str, *, stale: bool) -> type[DomainError] | None:
    """Return the refusal API.md's order gives before looking at the body, or None."""
    if not _visible(who, m):
        return NotFound
    if not _permitted(who, m, op):
        return NotPermitted
    if stale:
        return PreconditionFailed
    sources = EDITABLE if op == "update" else TABLE[op][0]
    if m.status not in sources:
        return InvalidTransition
    return None


OPEN = {"submitted", "in_review", "info_requested", "pending_prior_auth"}


def _allowed(who: str, m: ModelIvr) -> set[str]:
    # Reassigning the reviewer is an admin's, on open IVRs; the machine does not fire it.
    assign = {"assign"} if who == "admin" and m.status in OPEN else set()
    return {op for op in OPS if _gate(who, m, op, stale=False) is None} | assign


def _body_ok(m: ModelIvr, op: str, variant: str) -> bool:
    match op:
        case "submit" | "resubmit":
            return m.complete
        case "request-info":
            return variant in {"with_due", "no_due"}
        case "require-prior-auth":
            return variant in {"note", "no_note"}
        case "approve":
            # A PA number is needed when the coverage requires it or the IVR went through pending_prior_auth.
            return variant == "pa_number" or (variant == "covered" and not m.passed_prior_auth)
        case "reject":
            return variant == "long"
        case "update":
            return variant in {"complete", "incomplete"}
    return True


def _expected(who: str, m: ModelIvr, op: str, variant: str, *, stale: bool) -> type[DomainError] | None:
    refusal = _gate(who, m, op, stale=stale)
    if refusal is None and not _body_ok(m, op, variant):
        return ValidationFailed
    return refusal


def _after(who: str, m: ModelIvr, op: str, variant: str) -> ModelIvr:
    """Return the model IVR after a success."""
    if op == "update":
        return evolve(m, version=m.version + 1, complete=variant == "complete")
    changed = evolve(m, status=TABLE[op][1], version=m.version + 1, transitions=m.transitions + 1)
    if op in {"submit", "resubmit"}:
        changed = evolve(changed, ever_submitted=True)
    if op == "start-review" and m.reviewer is None:
        changed = evolve(changed, reviewer=who)
    if op == "require-prior-auth":
        changed = evolve(changed, passed_prior_auth=True)
    return changed


# ---------------------------------------------------------------------------------------------------------------
# Bodies
# ---------------------------------------------------------------------------------------------------------------

TODAY = NOW.date()
LATER = TODAY + timedelta(days=90)


def _incomplete(body: IvrInput) -> IvrInput:
    return evolve(body, products=(), signature=None)


def _action(op: str, variant: str) -> IvrAction:
    match op, variant:
        case "submit", _:
            return Submit()
        case "start-review", _:
            return StartReview()
        case "resubmit", _:
            return Resubmit()
        case "cancel", _:
            return Cancel()
        case "request-info", "with_due":
            return RequestInfo(message="Attach current wound measurements", due_date=TODAY + timedelta(days=7))
        case "request-info", "no_due":
            return RequestInfo(message="Attach current wound measurements")
        case "request-info", "blank_message":
            return RequestInfo(message="   ", due_date=TODAY + timedelta(days=7))
        case "request-info", "past_due":
            return RequestInfo(message="Attach current wound measurements", due_date=TODAY - timedelta(days=1))
        case "require-prior-auth", "note":
            return RequirePriorAuth(note="Plan requires PA for Q4186")
        case "require-prior-auth", "no_note":
            return RequirePriorAuth()
        case "require-prior-auth", "blank_note":
            return RequirePriorAuth(note="  ")
        case "approve", "covered":
            return Approve(coverages=(covered(valid_until=LATER),))
        case "approve", "pa_number":
            return Approve(coverages=(covered(valid_until=LATER, prior_auth_number="PA-778812"),))
        case "approve", "pa_required_no_number":
            outcome = CoverageOutcome.COVERED_PA_REQUIRED
            return Approve(coverages=(covered(valid_until=LATER, outcome=outcome, prior_auth_required=True),))
        case "approve", "not_covered":
            return Approve(coverages=(covered(valid_until=LATER, outcome=CoverageOutcome.NOT_COVERED),))
        case "approve", "no_coverages":
            return Approve(coverages=())
        case "approve", "past_valid_until":
            return Approve(coverages=(covered(valid_until=TODAY - timedelta(days=1)),))
        case "approve", "wrong_rank":
            return Approve(coverages=(covered(InsuranceRank.SECONDARY, valid_until=LATER),))
        case "reject", "long":
            return Reject(reason_code=RejectionReason.PRODUCT_NOT_COVERED, explanation="Plan excludes this product.")
        case "reject", "short":
            return Reject(reason_code=RejectionReason.OTHER, explanation="  Too short, sorry.  ")
    raise AssertionError(f"no body for {op} {variant}")


def _audit_action(op: str) -> str:
    return f"ivrs.{op.replace('-', '_')}"


@define
class Observed:
    """What a step may change: the IVRs, the history, the events and the audit log."""

    ivrs: dict[IvrId, Ivr]
    history: int
    events: int
    audit: int


# ---------------------------------------------------------------------------------------------------------------
# The machine
# ---------------------------------------------------------------------------------------------------------------


class IvrLifecycle(RuleBasedStateMachine):
    ivrs = Bundle("ivrs")

    def __init__(self) -> None:
        super().__init__()
        self._tmp = tempfile.TemporaryDirectory()
        platform = memory_platform(Path(self._tmp.name), now=NOW)
        names = ("admin", "staff", "other_staff", "doctor", "stranger", "sales", "logistics")
        self.world: World = build_world(platform, names)
        self.model: dict[IvrId, ModelIvr] = {}
        self.final: dict[IvrId, Ivr] = {}

    def teardown(self) -> None:
        self._tmp.cleanup()

    # -- steps ---------------------------------------------------------------------------------------------------

    def _create(self, who: str, complete: bool) -> IvrId:
        body = complete_ivr(self.world.patient.id)
        ivr = self.world.draft(who, body if complete else _incomplete(body))
        assert ivr.status is IvrStatus.DRAFT
        assert ivr.version == 1
        self.model[ivr.id] = ModelIvr(status="draft", complete=complete)
        return ivr.id

    @initialize(target=ivrs)
    def first(self) -> IvrId:
        return self._create("doctor", complete=True)

    @precondition(lambda self: len(self.model) < 3)
    @rule(target=ivrs, who=st.sampled_from(["doctor", "admin"]), complete=st.booleans())
    def create(self, who: str, complete: bool) -> IvrId:
        return self._create(who, complete)

    @rule(ivr_id=ivrs, data=st.data())
    def step(self, ivr_id: IvrId, data: st.DataObject) -> None:
        """Mostly steer towards progress; sometimes anyone does anything; sometimes every bad body is tried."""
        mode = data.draw(st.integers(0, 9), label="mode")
        if mode < 6:
            self._entitled_act(ivr_id, data, forward_only=True)
        elif mode < 8:
            self._anyone_does_anything(ivr_id, data)
        elif mode < 9:
            self._entitled_sends_every_bad_body(ivr_id, data)
        else:
            self._entitled_act(ivr_id, data, forward_only=False)

    def _anyone_does_anything(self, ivr_id: IvrId, data: st.DataObject) -> None:
        who = data.draw(st.sampled_from(ACTORS), label="who")
        op = data.draw(st.sampled_from(OPS), label="op")
        variant = data.draw(st.sampled_from(VARIANTS[op]), label="variant")
        version = data.draw(st.sampled_from([None, "current", "stale"]), label="if_match")
        self._step(ivr_id, who, op, variant, version)

    def _entitled_act(self, ivr_id: IvrId, data: st.DataObject, *, forward_only: bool) -> None:
        """An actor and action the model lets through the gates (forward ones only, when asked), mostly valid."""
        m = self.model[ivr_id]
        candidates = [(who, op) for who in ACTORS for op in OPS if _gate(who, m, op, stale=False) is None]
        forward = [(who, op) for who, op in candidates if op not in {"cancel", "update"}]
        if m.status in EDITABLE and not m.complete:
            forward = [(who, op) for who, op in candidates if op == "update"]
        pool = forward if forward_only and forward else candidates
        if not pool:
            return
        who, op = data.draw(st.sampled_from(pool), label="who_op")
        valid = [v for v in VARIANTS[op] if _body_ok(m, op, v)]
        if forward_only and op == "update":
            valid = ["complete"]
        body_ok = bool(valid) and data.draw(st.integers(0, 3), label="valid_body") < 3
        variant = data.draw(st.sampled_from(valid if body_ok else list(VARIANTS[op])), label="variant")
        version = data.draw(st.sampled_from([None, "current"]), label="if_match")
        self._step(ivr_id, who, op, variant, version)

    def _entitled_sends_every_bad_body(self, ivr_id: IvrId, data: st.DataObject) -> None:
        """Each refused body leaves the IVR as it was, so try them all where the gates let the caller through."""
        m = self.model[ivr_id]
        candidates = [
            (who, op)
            for who in ACTORS
            for op in OPS
            if _gate(who, m, op, stale=False) is None and any(not _body_ok(m, op, v) for v in VARIANTS[op])
        ]
        if not candidates:
            return
        who, op = data.draw(st.sampled_from(candidates), label="who_op")
        for variant in VARIANTS[op]:
            if not _body_ok(self.model[ivr_id], op, variant):
                self._step(ivr_id, who, op, variant, None)

    def _call(self, ivr_id: IvrId, who: str, op: str, variant: str, version: int | None) -> Result[Any, Any]:
        if op == "update":
            body = complete_ivr(self.world.patient.id)
            if variant == "incomplete":
                body = _incomplete(body)
            elif variant == "bad_npi":
                body = evolve(body, physician=Physician(name="Jane Doe", npi="1234567890", tin="12-3456789"))
            return self.world.update(who, ivr_id, body, expected_version=version)
        return self.world.act(who, ivr_id, _action(op, variant), expected_version=version)

    def _observe(self, ivr_id: IvrId) -> Observed:
        store = self.world.store
        return Observed(
            ivrs=dict(store.ivrs),
            history=len(self.world.history(ivr_id)),
            events=len(store.events.outbox),
            audit=len(store.audit.rows),
        )

    def _step(self, ivr_id: IvrId, who: str, op: str, variant: str, version_choice: str | None) -> None:
        m = self.model[ivr_id]
        stale = version_choice == "stale"
        version = {None: None, "current": m.version, "stale": m.version - 1}[version_choice]
        expected = _expected(who, m, op, variant, stale=stale)

        # The clock moves a little between requests, as it does outside tests: history is ordered by time.
        self.world.platform.clock.advance(timedelta(seconds=1))
        before = self._observe(ivr_id)
        result = self._call(ivr_id, who, op, variant, version)
        after = self._observe(ivr_id)

        # Exactly one audit entry about this request, whatever the answer (deliveries are the system's own).
        new_entries = [
            e for e in self.world.audit_rows()[before.audit : after.audit] if e.action != "notifications.deliver"
        ]
        assert len(new_entries) == 1, new_entries
        entry = new_entries[0]
        actor = self.world.actors[who]
        assert (entry.action, entry.user_id, entry.resource_type, entry.resource_id) == (
            _audit_action(op),
            actor.user_id,
            "ivr",
            str(ivr_id),
        )

        # Coverage of the model, for `--hypothesis-show-statistics`.
        event(f"{op}: {m.status} -> {expected.__name__ if expected else TABLE.get(op, ('', m.status))[1]}")
        match result:
            case Success(shown):
                assert expected is None, f"{who} {op} {variant} {version_choice} on {m}: expected {expected}"
                self._succeeded(ivr_id, who=who, op=op, variant=variant, m=m, before=before, after=after, shown=shown)
                assert entry.outcome is Outcome.SUCCESS
                assert entry.patient_ids == (self.world.patient.id,)
            case Failure(error):
                said = f"{who} {op} {variant} {version_choice} on {m}: expected {expected}, got {error!r}"
                assert expected is not None, said
                assert type(error) is expected, said
                denial = isinstance(error, NotFound | NotPermitted)
                assert entry.outcome is (Outcome.DENIED if denial else Outcome.INVALID)
                assert entry.reason == error.code
                # A refusal changes nothing but the audit log.
                assert after.ivrs == before.ivrs
                assert (after.history, after.events) == (before.history, before.events)
                if isinstance(error, InvalidTransition):
                    assert error.status == m.status
                    assert set(error.allowed) == _allowed(who, m)

    def _succeeded(
        self,
        ivr_id: IvrId,
        *,
        who: str,
        op: str,
        variant: str,
        m: ModelIvr,
        before: Observed,
        after: Observed,
        shown: Any,
    ) -> None:
        new = _after(who, m, op, variant)
        self.model[ivr_id] = new
        saved = after.ivrs[ivr_id]
        assert saved.status.value == new.status
        assert saved.version == before.ivrs[ivr_id].version + 1 == new.version
        assert shown.ivr.status.value == new.status
        assert shown.ivr.version == new.version
        assert set(shown.allowed_actions) == _allowed(who, new)
        # Only this IVR changed.
        assert {k: v for k, v in after.ivrs.items() if k != ivr_id} == {
            k: v for k, v in before.ivrs.items() if k != ivr_id
        }
        if op == "update":  # a content change is no status change: no history row, no event
            assert (after.history, after.events) == (before.history, before.events)
            return
        assert after.history == before.history + 1
        assert after.events == before.events + 1
        row = self.world.history(ivr_id)[-1]
        actor_id = self.world.actors[who].user_id
        assert (row.from_status, row.to_status, row.trigger, row.actor_id) == (
            IvrStatus(m.status),
            IvrStatus(new.status),
            op,
            actor_id,
        )
        told = self.world.events(ivr_id)[-1]
        assert (told.from_status, told.to_status, told.trigger, told.actor_id) == (
            m.status,
            new.status,
            op,
            actor_id,
        )
        if new.status in FINAL:
            self.final[ivr_id] = saved

    # -- invariants ----------------------------------------------------------------------------------------------

    @invariant()
    def stored_ivrs_match_the_model(self) -> None:
        for ivr_id, m in self.model.items():
            stored = self.world.stored(ivr_id)
            assert stored.status.value in STATES
            assert stored.status.value == m.status
            assert stored.version == m.version
            reviewer = self.world.actors[m.reviewer].user_id if m.reviewer is not None else None
            assert stored.reviewer_id == reviewer
            assert stored.passed_prior_auth is m.passed_prior_auth
            assert (stored.submitted_at is not None) is m.ever_submitted

    @invariant()
    def final_states_never_change(self) -> None:
        for ivr_id, frozen_ivr in self.final.items():
            assert self.world.stored(ivr_id) == frozen_ivr

    @invariant()
    def history_is_a_chain_of_the_transitions(self) -> None:
        for ivr_id, m in self.model.items():
            rows = self.world.history(ivr_id)
            assert len(rows) == 1 + m.transitions
            assert (rows[0].from_status, rows[0].trigger) == (None, "create")
            for earlier, later in itertools.pairwise(rows):
                assert later.from_status == earlier.to_status
            assert rows[-1].to_status.value == m.status
            assert len(self.world.events(ivr_id)) == m.transitions

    @invariant()
    def each_caller_sees_what_the_model_says_and_may_do_what_would_succeed(self) -> None:
        for ivr_id, m in self.model.items():
            for who in ACTORS:
                match self.world.get(who, ivr_id):
                    case Success(shown):
                        assert _visible(who, m), f"{who} sees {m}"
                        assert shown.ivr.status.value == m.status
                        assert isinstance(shown.ivr, MaskedIvr if who == "sales" else Ivr)
                        assert set(shown.allowed_actions) == _allowed(who, m), (who, m)
                    case Failure(error):
                        assert not _visible(who, m), f"{who} cannot see {m}: {error!r}"
                        assert isinstance(error, NotFound)


TestIvrLifecycle = IvrLifecycle.TestCase
TestIvrLifecycle.settings = settings(
    max_examples=50,
    stateful_step_count=50,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
