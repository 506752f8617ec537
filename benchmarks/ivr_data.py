"""Synthetic IVRs for the benchmarks: a realistic status mix over generated patients, plus drafts to submit.

Every IVR's content is typed as a client would (`synthetic.ivr_input`), validated by the core's `parse_content`,
approvals' coverages by `check_approval`; the patient snapshot is the core's `snapshot_of` of the generated
patient. Rows (the IVR, its history) are made by the SQL adapter's own `IvrCodec` (one AES-GCM document per
IVR, notes encrypted, the clear `payer_id` column) and inserted in batches. Timelines are consistent: create,
submit, start-review, then the decision, each by the role that may pull it, at increasing instants; open IVRs
were last submitted within the past four days, so the queue holds every SLA state.
"""

from __future__ import annotations

import random
import time
from collections import Counter
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from attrs import evolve
from sqlalchemy import Engine, select, update

from adapters.sqlalchemy.repositories.ivr_rows import IvrCodec
from adapters.sqlalchemy.tables import ivr_history, ivrs, patients, reference_counters
from benchmarks.synthetic import coverage, ivr_input
from ivr_domain.ivr.coverage import check_approval
from ivr_domain.ivr.model import (
    HistoryEntry,
    InfoRequest,
    Ivr,
    IvrStatus,
    PatientSnapshot,
    Rejection,
    RejectionReason,
)
from ivr_domain.ivr.validation import parse_content
from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import SYSTEM_USER_ID, Role
from ivr_domain.shared.ids import IvrHistoryId, IvrId, PatientId, PracticeId, UserId, new_id, uuid7
from ivr_domain.shared.insurance import InsuranceRank
from ivr_domain.shared.ports import CodeSets
from ivr_domain.workflows.patient_snapshots import snapshot_of

# Share of each final status (sums to 1): most IVRs are decided, an eighth wait in the default queue.
STATUS_MIX = (
    (IvrStatus.DRAFT, 0.08),
    (IvrStatus.SUBMITTED, 0.12),
    (IvrStatus.IN_REVIEW, 0.07),
    (IvrStatus.INFO_REQUESTED, 0.04),
    (IvrStatus.PENDING_PRIOR_AUTH, 0.02),
    (IvrStatus.APPROVED, 0.45),
    (IvrStatus.REJECTED, 0.08),
    (IvrStatus.CANCELLED, 0.04),
    (IvrStatus.EXPIRED, 0.10),
)
OPEN = frozenset({IvrStatus.SUBMITTED, IvrStatus.IN_REVIEW, IvrStatus.INFO_REQUESTED, IvrStatus.PENDING_PRIOR_AUTH})
# The triggers that lead to each status, after the creation row.
PATHS: dict[IvrStatus, tuple[str, ...]] = {
    IvrStatus.DRAFT: (),
    IvrStatus.SUBMITTED: ("submit",),
    IvrStatus.IN_REVIEW: ("submit", "start-review"),
    IvrStatus.INFO_REQUESTED: ("submit", "start-review", "request-info"),
    IvrStatus.PENDING_PRIOR_AUTH: ("submit", "start-review", "require-prior-auth"),
    IvrStatus.APPROVED: ("submit", "start-review", "approve"),
    IvrStatus.REJECTED: ("submit", "start-review", "reject"),
    IvrStatus.CANCELLED: ("cancel",),
    IvrStatus.EXPIRED: ("submit", "start-review", "approve", "expire"),
}
TARGET = {
    "submit": IvrStatus.SUBMITTED,
    "start-review": IvrStatus.IN_REVIEW,
    "request-info": IvrStatus.INFO_REQUESTED,
    "require-prior-auth": IvrStatus.PENDING_PRIOR_AUTH,
    "approve": IvrStatus.APPROVED,
    "reject": IvrStatus.REJECTED,
    "cancel": IvrStatus.CANCELLED,
    "expire": IvrStatus.EXPIRED,
}
INFO_MESSAGE = "Attach current wound measurements and photos"
REJECTION = "Plan policy excludes this product for this diagnosis."
PRIOR_AUTH = "Plan requires PA"
# The free text a history row keeps (encrypted), by trigger.
NOTES = {"request-info": INFO_MESSAGE, "reject": REJECTION, "require-prior-auth": PRIOR_AUTH}


class IvrFactory:
    """Builds validated IVRs with their history, for one data set (clock, codes, staff, doctors by practice)."""

    def __init__(
        self,
        rng: random.Random,
        *,
        codes: CodeSets,
        now: datetime,
        staff: Sequence[UserId],
        doctors: dict[PracticeId, UserId],
    ) -> None:
        """Draw from `rng`; `now` is the generation instant, every timeline ends before it."""
        self._rng, self._codes, self._now = rng, codes, now
        self._staff, self._doctors = staff, doctors
        self._numbers: Counter[int] = Counter()
        # A patient has about ten IVRs: their snapshot is taken once.
        self._snapshots: dict[PatientId, PatientSnapshot] = {}

    def references(self) -> dict[int, int]:
        """Return the last reference number used per year (for `reference_counters`)."""
        return dict(self._numbers)

    def ivr(self, pick: Callable[[], Patient], status: IvrStatus) -> tuple[Ivr, list[HistoryEntry]]:
        """Return an IVR that reached `status` along its path, of a patient `pick` gives who existed by then."""
        rng, path = self._rng, PATHS[status]
        if status in OPEN or status is IvrStatus.DRAFT:
            # Open work was last submitted within four days: every SLA state is present.
            submitted = self._now - timedelta(minutes=rng.randint(10, 4 * 24 * 60))
        elif status is IvrStatus.EXPIRED:
            # Old enough that the approval (190 to 365 days) has lapsed.
            submitted = self._now - timedelta(days=rng.randint(400, 700))
        else:
            submitted = self._now - timedelta(days=rng.randint(5, 180))
        created = submitted - timedelta(minutes=rng.randint(10, 2 * 24 * 60))
        patient = pick()
        while patient.created_at > created:
            patient = pick()
        ivr = self._draft(patient, created, first_service=created.date() + timedelta(days=rng.randint(10, 40)))
        history = [self._entry(ivr, None, "create", self._doctors[ivr.practice_id], created)]
        at = submitted
        for trigger in path:
            ivr, actor = self._apply(ivr, patient, trigger, at)
            history.append(self._entry(ivr, history[-1].to_status, trigger, actor, at))
            at = self._next(at, trigger, ivr)
        return ivr, history

    def draft(self, patient: Patient) -> tuple[Ivr, list[HistoryEntry]]:
        """Return a complete draft of the patient made minutes ago, submittable for the next four months."""
        created = self._now - timedelta(minutes=self._rng.randint(5, 120))
        ivr = self._draft(patient, created, first_service=self._now.date() + timedelta(days=120), ranks=1)
        return ivr, [self._entry(ivr, None, "create", self._doctors[ivr.practice_id], created)]

    def _draft(self, patient: Patient, created: datetime, *, first_service: Any, ranks: int = 2) -> Ivr:
        held = [i.rank for i in patient.insurances]
        chosen = (InsuranceRank.PRIMARY,)
        if ranks > 1 and InsuranceRank.SECONDARY in held and self._rng.random() < 0.3:
            chosen = (InsuranceRank.PRIMARY, InsuranceRank.SECONDARY)
        raw = ivr_input(self._rng, patient.id, signed_at=created, first_service=first_service, ranks=chosen)
        content = parse_content(raw, self._codes, created).unwrap()
        self._numbers[created.year] += 1
        return Ivr(
            id=IvrId(uuid7(int(created.timestamp() * 1000))),
            reference=f"IVR-{created.year}-{self._numbers[created.year]:06d}",
            practice_id=patient.practice_id,
            patient_id=patient.id,
            patient_initials=f"{patient.name.first[:1]}{patient.name.last[:1]}".upper(),
            status=IvrStatus.DRAFT,
            content=content,
            created_by=self._doctors[patient.practice_id],
            created_at=created,
            updated_at=created,
            code_set_version=self._codes.icd10cm_version,
        )

    def _apply(self, ivr: Ivr, patient: Patient, trigger: str, at: datetime) -> tuple[Ivr, UserId]:
        moved = evolve(ivr, status=TARGET[trigger], updated_at=at)
        doctor = self._doctors[ivr.practice_id]
        if trigger == "submit":
            snapshot = self._snapshots.get(patient.id) or self._snapshots.setdefault(patient.id, snapshot_of(patient))
            changed = evolve(moved, patient_snapshot=snapshot, patient_initials=snapshot.initials)
            return evolve(changed, submitted_at=at, last_submitted_at=at), doctor
        if trigger == "cancel":
            return moved, doctor
        if trigger == "expire":
            return moved, SYSTEM_USER_ID
        reviewer = ivr.reviewer_id or self._rng.choice(self._staff)
        moved = evolve(moved, reviewer_id=reviewer)
        if trigger == "request-info":
            info = InfoRequest(message=INFO_MESSAGE, due_date=at.date() + timedelta(days=7), requested_at=at)
            return evolve(moved, info_request=info), reviewer
        if trigger == "require-prior-auth":
            return evolve(moved, prior_auth_note=PRIOR_AUTH, passed_prior_auth=True), reviewer
        if trigger == "reject":
            rejection = Rejection(reason_code=RejectionReason.PRODUCT_NOT_COVERED, explanation=REJECTION)
            return evolve(moved, rejection=rejection, decided_at=at), reviewer
        if trigger == "approve":
            return self._approved(moved, at), reviewer
        return moved, reviewer

    def _approved(self, ivr: Ivr, at: datetime) -> Ivr:
        snapshot = ivr.patient_snapshot
        assert snapshot is not None  # approved IVRs were submitted first
        until = at.date() + timedelta(days=self._rng.randint(190, 365))
        found = {i.rank: i for i in snapshot.insurances}
        coverages = tuple(
            coverage(rank, found[rank].payer_name, found[rank].plan_type, until) for rank in ivr.content.insurance_ranks
        )
        problems = check_approval(
            coverages, ranks=ivr.content.insurance_ranks, passed_prior_auth=False, today=at.date()
        )
        if problems.failure() is not None:
            raise SystemExit(f"a generated approval does not validate: {problems.failure()}")
        return evolve(ivr, coverages=coverages, valid_until=until, decided_at=at)

    def _next(self, at: datetime, trigger: str, ivr: Ivr) -> datetime:
        if trigger == "approve" and ivr.valid_until is not None:
            # Expiry runs the day after the approval lapses.
            return datetime.combine(ivr.valid_until + timedelta(days=1), at.timetz())
        later = at + timedelta(minutes=self._rng.randint(5, 36 * 60))
        return min(later, self._now - timedelta(seconds=1))

    def _entry(
        self, ivr: Ivr, from_status: IvrStatus | None, trigger: str, actor: UserId, at: datetime
    ) -> HistoryEntry:
        if actor == SYSTEM_USER_ID:
            role = None
        else:
            role = Role.DOCTOR if trigger in ("create", "submit", "cancel") else Role.IVR_STAFF
        return HistoryEntry(
            id=IvrHistoryId(new_id()),
            ivr_id=ivr.id,
            from_status=from_status,
            to_status=ivr.status,
            trigger=trigger,
            actor_id=actor,
            actor_role=role,
            at=at,
            reason=RejectionReason.PRODUCT_NOT_COVERED.value if trigger == "reject" else None,
            note=NOTES.get(trigger),
        )


def insert(engine: Engine, codec: IvrCodec, made: Sequence[tuple[Ivr, list[HistoryEntry]]]) -> None:
    """Insert one batch of IVRs and their history rows in one transaction."""
    with engine.begin() as db:
        db.execute(ivrs.insert(), [codec.ivr_values(ivr) for ivr, _ in made])
        db.execute(ivr_history.insert(), [codec.history_values(e) for _, entries in made for e in entries])


def finish(engine: Engine, references: dict[int, int], pool_practice: PracticeId) -> None:
    """Set the reference counters past the generated numbers; bring submitted patients into staff's reach.

    The pool practice's patients are marked too, so concurrent submits in the benchmark never race on
    marking the same patient (a submit of an already-marked patient writes only the IVR).
    """
    with engine.begin() as db:
        db.execute(reference_counters.insert(), [{"kind": "IVR", "year": y, "last": n} for y, n in references.items()])
        submitted = select(ivrs.c.patient_id).where(ivrs.c.submitted_at.is_not(None))
        marked = patients.c.id.in_(submitted) | (patients.c.practice_id == pool_practice)
        db.execute(update(patients).where(marked, patients.c.archived.is_(False)).values(ivr_submitted=True))


def write_ivrs(
    platform: Any,
    patients: Sequence[Patient],
    *,
    count: int,
    drafts: int,
    pool_practice: PracticeId,
    staff: Sequence[UserId],
    doctors: dict[PracticeId, UserId],
    seed: int,
    batch: int,
) -> tuple[dict[str, int], list[IvrId]]:
    """Generate `count` IVRs in the status mix, then `drafts` drafts in the pool practice; return counts, pool ids."""
    rng = random.Random(seed + 1)
    engine: Engine = platform.engine()
    codec = IvrCodec(platform.cipher())
    now = datetime.now(UTC)
    factory = IvrFactory(rng, codes=platform.code_sets(), now=now, staff=staff, doctors=doctors)
    live = [p for p in patients if not p.archived]
    pool = [p for p in live if p.practice_id == pool_practice]
    if not live or (drafts and not pool):
        raise SystemExit("IVRs need patients that are not archived (and some in the intake practice for drafts)")
    statuses = rng.choices([s for s, _ in STATUS_MIX], weights=[w for _, w in STATUS_MIX], k=count)
    made: list[tuple[Ivr, list[HistoryEntry]]] = []
    counts: Counter[str] = Counter()
    started, done = time.perf_counter(), 0

    def flush() -> None:
        nonlocal done
        insert(engine, codec, made)
        done += len(made)
        made.clear()
        if done % (batch * 10) == 0 or done == count + drafts:
            print(f"  {done:>9,} / {count + drafts:,} IVRs ({done / (time.perf_counter() - started):,.0f}/s)")

    for status in statuses:
        made.append(factory.ivr(lambda: rng.choice(live), status))
        counts[status.value] += 1
        if len(made) == batch:
            flush()
    pool_ids: list[IvrId] = []
    for _ in range(drafts):
        made.append(factory.draft(rng.choice(pool)))
        pool_ids.append(made[-1][0].id)
        if len(made) == batch:
            flush()
    if made:
        flush()
    finish(engine, factory.references(), pool_practice)
    return dict(counts), pool_ids
