"""IvrRepository, IvrHistory, IvrPatients and IvrAudience contract, for every adapter."""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal

import pytest
from attrs import evolve, fields, frozen
from returns.result import Failure, Success

from ivr_domain.identity.model import Assignment, AssignmentKind, Practice, User
from ivr_domain.ivr.model import (
    InfoRequest,
    Ivr,
    IvrContent,
    IvrStatus,
    Priority,
    Rejection,
    RejectionReason,
    RequestType,
)
from ivr_domain.ivr.ports import IvrFilter
from ivr_domain.patients.model import Patient
from ivr_domain.shared.actor import Role, Scope
from ivr_domain.shared.errors import Conflict
from ivr_domain.shared.ids import AssignmentId, IvrId, PatientId, PracticeId, UserId, new_id
from ivr_domain.shared.insurance import InsuranceRank
from ivr_domain.shared.paging import PageRequest
from tests.contract import builders
from tests.contract.conftest import Backend, UowFactory

ALL = Scope(everything=True)
STAFF = Scope(submitted_ivrs=True)
NOBODY = Scope()


@frozen(kw_only=True)
class World:
    """Two practices with a patient each, and a reviewer: what IVR rows refer to."""

    mine: Practice
    theirs: Practice
    my_patient: Patient
    their_patient: Patient
    reviewer: User


def _world(uow: UowFactory) -> World:
    mine, theirs = builders.practice(), builders.practice()
    world = World(
        mine=mine,
        theirs=theirs,
        my_patient=builders.patient(mine.id),
        their_patient=builders.patient(theirs.id),
        reviewer=builders.user(role=Role.IVR_STAFF),
    )
    with uow() as u:
        u.practices.add(mine)
        u.practices.add(theirs)
        u.patients.add(world.my_patient)
        u.patients.add(world.their_patient)
        u.users.add(world.reviewer)
        u.commit()
    return world


def _store(uow: UowFactory, *ivrs: Ivr) -> None:
    with uow() as u:
        for ivr in ivrs:
            u.ivrs.add(ivr)
        u.commit()


def _decided(world: World) -> Ivr:
    """An IVR with every optional field set: snapshot, request, prior auth, coverages, rejection, reviewer."""
    at = builders.later()
    return builders.ivr(
        world.mine.id,
        world.my_patient.id,
        status=IvrStatus.APPROVED,
        content=builders.ivr_content(
            request_type=RequestType.REVERIFICATION, priority=Priority.URGENT, previous_ivr_id=IvrId(new_id())
        ),
        reviewer_id=world.reviewer.id,
        patient_snapshot=builders.patient_snapshot(world.my_patient),
        submitted_at=at,
        last_submitted_at=at + timedelta(hours=2),
        decided_at=at + timedelta(days=1),
        info_request=InfoRequest(message="Send the wound photos.", due_date=date(2026, 3, 9), requested_at=at),
        prior_auth_note="PA filed with the payer.",
        passed_prior_auth=True,
        coverages=(
            builders.coverage(),
            builders.coverage(insurance_rank=InsuranceRank.SECONDARY, deductible_total=None, copay=Decimal("0.00")),
        ),
        valid_until=date(2026, 9, 30),
        rejection=Rejection(reason_code=RejectionReason.OTHER, explanation="Kept to prove every field round-trips."),
        code_set_version="ICD-10-CM FY2026",
        version=4,
    )


def test_round_trip_of_every_field(uow: UowFactory) -> None:
    world = _world(uow)
    bare = builders.ivr(world.mine.id, world.my_patient.id, content=IvrContent())
    full = builders.ivr(world.mine.id, world.my_patient.id)
    decided = _decided(world)
    _store(uow, bare, full, decided)
    with uow() as u:
        assert u.ivrs.get(bare.id, scope=ALL) == bare
        assert u.ivrs.get(full.id, scope=ALL) == full
        assert u.ivrs.get(decided.id, scope=ALL) == decided
        assert u.ivrs.get(IvrId(new_id()), scope=ALL) is None


def test_get_reaches_by_practice_or_once_submitted(uow: UowFactory) -> None:
    world = _world(uow)
    draft = builders.ivr(world.mine.id, world.my_patient.id)
    submitted = builders.ivr(world.theirs.id, world.their_patient.id, status=IvrStatus.SUBMITTED)
    submitted = evolve(submitted, submitted_at=builders.later())
    # Sent back to the practice: still within staff reach, since it was submitted once.
    returned = evolve(submitted, id=IvrId(new_id()), reference="IVR-2024-000001", status=IvrStatus.INFO_REQUESTED)
    _store(uow, draft, submitted, returned)
    mine = Scope(practice_ids=frozenset({world.mine.id}))
    both = Scope(practice_ids=frozenset({world.mine.id}), submitted_ivrs=True)
    cases: list[tuple[Scope, set[IvrId]]] = [
        (ALL, {draft.id, submitted.id, returned.id}),
        (mine, {draft.id}),
        (STAFF, {submitted.id, returned.id}),
        (both, {draft.id, submitted.id, returned.id}),
        (NOBODY, set()),
    ]
    with uow() as u:
        for scope, reached in cases:
            found = {i for i in (draft.id, submitted.id, returned.id) if u.ivrs.get(i, scope=scope) is not None}
            assert found == reached, scope
            listed = u.ivrs.list(scope=scope, filters=IvrFilter(), page=PageRequest())
            assert {i.id for i in listed.items} == reached, scope


def test_save_is_compare_and_set(uow: UowFactory) -> None:
    world = _world(uow)
    ivr = builders.ivr(world.mine.id, world.my_patient.id)
    _store(uow, ivr)
    changed = evolve(
        ivr,
        status=IvrStatus.IN_REVIEW,
        reviewer_id=world.reviewer.id,
        submitted_at=builders.later(),
        content=builders.ivr_content(priority=Priority.URGENT, notes=None),
        updated_at=builders.later(),
    )
    with uow() as u:
        assert u.ivrs.save(changed) == Success(evolve(changed, version=2))
        stale = u.ivrs.save(changed)
        assert isinstance(stale, Failure)
        assert (stale.failure().entity, stale.failure().id) == ("ivr", str(ivr.id))
        assert isinstance(stale.failure(), Conflict)
        u.commit()
    with uow() as u:
        assert u.ivrs.get(ivr.id, scope=ALL) == evolve(changed, version=2)
        assert isinstance(u.ivrs.save(ivr), Failure)
        again = u.ivrs.save(evolve(changed, version=2, status=IvrStatus.APPROVED))
        assert again == Success(evolve(changed, version=3, status=IvrStatus.APPROVED))
    with uow() as u:  # not committed: discarded
        assert u.ivrs.get(ivr.id, scope=ALL) == evolve(changed, version=2)


def test_add_then_rollback_keeps_nothing(uow: UowFactory) -> None:
    world = _world(uow)
    ivr = builders.ivr(world.mine.id, world.my_patient.id)
    with uow() as u:
        u.ivrs.add(ivr)
        u.ivr_history.append(builders.history_entry(ivr.id))
        u.rollback()
        assert u.ivrs.get(ivr.id, scope=ALL) is None
        assert u.ivr_history.of(ivr.id) == ()


def _ids(uow: UowFactory, filters: IvrFilter, scope: Scope = ALL) -> list[IvrId]:
    with uow() as u:
        page = u.ivrs.list(scope=scope, filters=filters, page=PageRequest(sort="created_at", limit=200))
        assert page.next_cursor is None
        return [i.id for i in page.items]


def test_list_applies_every_filter(uow: UowFactory) -> None:
    world = _world(uow)
    mine, theirs, p1, p2 = world.mine.id, world.theirs.id, world.my_patient.id, world.their_patient.id
    other_patient = builders.patient(mine)
    with uow() as u:
        u.patients.add(other_patient)
        u.commit()
    routine, urgent = builders.ivr_content(), builders.ivr_content(priority=Priority.URGENT)
    a = builders.ivr(mine, p1)
    b = builders.ivr(mine, other_patient.id, content=urgent)
    c = builders.ivr(mine, p1, status=IvrStatus.SUBMITTED, submitted_at=builders.later(), content=routine)
    d = builders.ivr(
        theirs, p2, status=IvrStatus.IN_REVIEW, reviewer_id=world.reviewer.id, submitted_at=builders.later()
    )
    e = builders.ivr(theirs, p2, status=IvrStatus.SUBMITTED, submitted_at=builders.later(), content=urgent)
    _store(uow, a, b, c, d, e)
    assert c.submitted_at is not None
    assert e.submitted_at is not None

    exercised = {"status", "practice_id", "patient_id", "reviewer_id", "priority"}
    exercised |= {"created_from", "created_to", "submitted_from", "submitted_to"}
    assert exercised == {f.name for f in fields(IvrFilter)}  # a new filter needs its case below

    assert _ids(uow, IvrFilter()) == [a.id, b.id, c.id, d.id, e.id]
    assert _ids(uow, IvrFilter(status=IvrStatus.SUBMITTED)) == [c.id, e.id]
    assert _ids(uow, IvrFilter(status=IvrStatus.APPROVED)) == []
    assert _ids(uow, IvrFilter(practice_id=theirs)) == [d.id, e.id]
    assert _ids(uow, IvrFilter(patient_id=p1)) == [a.id, c.id]
    assert _ids(uow, IvrFilter(reviewer_id=world.reviewer.id)) == [d.id]
    assert _ids(uow, IvrFilter(priority=Priority.URGENT)) == [b.id, e.id]
    assert _ids(uow, IvrFilter(priority=Priority.ROUTINE)) == [a.id, c.id, d.id]
    # Ranges are [from, to): the bound itself is in `from` and out of `to`.
    assert _ids(uow, IvrFilter(created_from=b.created_at)) == [b.id, c.id, d.id, e.id]
    assert _ids(uow, IvrFilter(created_to=b.created_at)) == [a.id]
    assert _ids(uow, IvrFilter(created_from=b.created_at, created_to=d.created_at)) == [b.id, c.id]
    # Never-submitted IVRs never match a submitted range.
    assert _ids(uow, IvrFilter(submitted_from=c.submitted_at)) == [c.id, d.id, e.id]
    assert _ids(uow, IvrFilter(submitted_to=e.submitted_at)) == [c.id, d.id]
    assert _ids(uow, IvrFilter(submitted_from=c.submitted_at, submitted_to=c.submitted_at)) == []
    # All filters combine, and combine with scope.
    combined = IvrFilter(practice_id=theirs, status=IvrStatus.SUBMITTED, priority=Priority.URGENT, patient_id=p2)
    assert _ids(uow, combined) == [e.id]
    assert _ids(uow, IvrFilter(practice_id=mine), STAFF) == [c.id]
    assert _ids(uow, IvrFilter(status=IvrStatus.DRAFT), Scope(practice_ids=frozenset({theirs}))) == []


def _walk(uow: UowFactory, sort: str, limit: int, scope: Scope = ALL) -> list[IvrId]:
    """Every id a client paging with cursors sees, page by page."""
    seen: list[IvrId] = []
    cursor = None
    with uow() as u:
        while True:
            page = u.ivrs.list(
                scope=scope, filters=IvrFilter(), page=PageRequest(limit=limit, sort=sort, cursor=cursor)
            )
            assert len(page.items) <= limit
            seen.extend(i.id for i in page.items)
            if (cursor := page.next_cursor) is None:
                return seen


@pytest.mark.parametrize("sort", ["created_at", "-created_at", "updated_at", "-updated_at"])
def test_cursors_walk_every_sort_without_duplicates_or_misses(uow: UowFactory, sort: str) -> None:
    world = _world(uow)
    tie = builders.later()  # equal sort values: the id decides, the same way on every backend
    made = [builders.ivr(world.mine.id, world.my_patient.id, created_at=tie) for _ in range(3)]
    made += [builders.ivr(world.theirs.id, world.their_patient.id) for _ in range(4)]
    made = [evolve(ivr, updated_at=tie + timedelta(minutes=len(made) - n % 3)) for n, ivr in enumerate(made)]
    _store(uow, *made)
    field = sort.lstrip("-")
    key: Callable[[Ivr], tuple[datetime, IvrId]] = lambda i: (getattr(i, field), i.id)  # noqa: E731
    expected = [i.id for i in sorted(made, key=key, reverse=sort.startswith("-"))]
    for limit in (1, 2, 3, 7, 50):
        assert _walk(uow, sort, limit) == expected, limit


def test_a_cursor_continues_after_its_row_while_rows_are_added(uow: UowFactory) -> None:
    world = _world(uow)
    made = [builders.ivr(world.mine.id, world.my_patient.id) for _ in range(5)]
    _store(uow, *made)
    with uow() as u:
        first = u.ivrs.list(scope=ALL, filters=IvrFilter(), page=PageRequest(limit=2, sort="-created_at"))
    assert [i.id for i in first.items] == [made[4].id, made[3].id]
    newer = builders.ivr(world.mine.id, world.my_patient.id)  # lands before the cursor: not seen on later pages
    _store(uow, newer)
    with uow() as u:
        rest = u.ivrs.list(
            scope=ALL, filters=IvrFilter(), page=PageRequest(limit=10, sort="-created_at", cursor=first.next_cursor)
        )
        assert [i.id for i in rest.items] == [made[2].id, made[1].id, made[0].id]
        assert rest.next_cursor is None
        with pytest.raises(ValueError, match="cursor"):
            u.ivrs.list(
                scope=ALL, filters=IvrFilter(), page=PageRequest(limit=10, sort="created_at", cursor=first.next_cursor)
            )


def test_history_is_appended_and_read_oldest_first(uow: UowFactory) -> None:
    world = _world(uow)
    ivr, other = builders.ivr(world.mine.id, world.my_patient.id), builders.ivr(world.mine.id, world.my_patient.id)
    _store(uow, ivr, other)
    created = builders.history_entry(ivr.id, from_status=None, to_status=IvrStatus.DRAFT, trigger="create", note=None)
    submitted = builders.history_entry(ivr.id)
    rejected = builders.history_entry(
        ivr.id,
        from_status=IvrStatus.IN_REVIEW,
        to_status=IvrStatus.REJECTED,
        trigger="reject",
        actor_id=world.reviewer.id,
        actor_role=Role.IVR_STAFF,
        reason=RejectionReason.PRODUCT_NOT_COVERED.value,
        note="The plan excludes this product for DFUs.",
    )
    expired = builders.history_entry(  # the system actor has no role
        other.id, from_status=IvrStatus.APPROVED, to_status=IvrStatus.EXPIRED, trigger="expire", actor_role=None
    )
    with uow() as u:
        for entry in (rejected, expired, created, submitted):  # appended out of order
            u.ivr_history.append(entry)
        u.commit()
    with uow() as u:
        assert u.ivr_history.of(ivr.id) == (created, submitted, rejected)
        assert u.ivr_history.of(other.id) == (expired,)
        assert u.ivr_history.of(IvrId(new_id())) == ()


REFERENCE = re.compile(r"^IVR-(\d{4})-(\d{6,})$")


def test_next_reference_counts_per_year_across_transactions(uow: UowFactory) -> None:
    with uow() as u:
        first = [u.ivrs.next_reference(2026) for _ in range(3)]
        u.commit()
    with uow() as u:
        assert u.ivrs.next_reference(2026) == "IVR-2026-000004"
        assert u.ivrs.next_reference(2027) == "IVR-2027-000001"
        u.commit()
    assert first == ["IVR-2026-000001", "IVR-2026-000002", "IVR-2026-000003"]
    assert all(REFERENCE.match(reference) for reference in first)


def test_patient_snapshot_is_read_within_scope(uow: UowFactory) -> None:
    world = _world(uow)
    archived = builders.patient(world.mine.id, archived=True, insurances=())
    with uow() as u:
        u.patients.add(archived)
        u.commit()
    mine = Scope(practice_ids=frozenset({world.mine.id}))
    with uow() as u:
        assert u.ivr_patients.snapshot(world.my_patient.id, scope=mine) == builders.patient_snapshot(world.my_patient)
        assert u.ivr_patients.snapshot(archived.id, scope=ALL) == builders.patient_snapshot(archived)
        assert u.ivr_patients.snapshot(world.their_patient.id, scope=mine) is None
        assert u.ivr_patients.snapshot(world.my_patient.id, scope=STAFF) is None
        assert u.ivr_patients.snapshot(world.my_patient.id, scope=NOBODY) is None
        assert u.ivr_patients.snapshot(PatientId(new_id()), scope=ALL) is None
    snapshot = builders.patient_snapshot(world.my_patient)
    assert snapshot.initials == "AG"
    assert [i.rank for i in snapshot.insurances] == [InsuranceRank.PRIMARY, InsuranceRank.SECONDARY]


def test_mark_submitted_brings_the_patient_into_staff_reach(uow: UowFactory) -> None:
    world = _world(uow)
    with uow() as u:
        u.ivr_patients.mark_submitted(world.my_patient.id)
        u.rollback()
        assert u.ivr_patients.snapshot(world.my_patient.id, scope=STAFF) is None
        u.ivr_patients.mark_submitted(world.my_patient.id)
        u.ivr_patients.mark_submitted(world.my_patient.id)  # a second submit changes nothing more
        u.commit()
    with uow() as u:
        assert u.ivr_patients.snapshot(world.my_patient.id, scope=STAFF) == builders.patient_snapshot(world.my_patient)
        assert u.ivr_patients.snapshot(world.their_patient.id, scope=STAFF) is None
        stored = u.patients.get(world.my_patient.id, scope=STAFF)
        assert stored is not None
        assert stored.ivr_submitted
        assert evolve(stored, ivr_submitted=False, version=1) == world.my_patient


def test_a_patient_edit_read_before_the_submit_cannot_unmark_it(backend: Backend) -> None:
    uow = backend.fresh()
    world = _world(uow)
    with uow() as u:
        before = u.patients.get(world.my_patient.id, scope=ALL)
    with uow() as u:
        u.ivr_patients.mark_submitted(world.my_patient.id)
        u.commit()
    assert before is not None
    with uow() as u:
        assert isinstance(u.patients.save(evolve(before, archived=True)), Failure)
        u.commit()
    with uow() as u:
        assert u.ivr_patients.snapshot(world.my_patient.id, scope=STAFF) is not None


def _assign(kind: AssignmentKind, manager: UserId, **member: UserId | PracticeId) -> Assignment:
    return Assignment(
        id=AssignmentId(new_id()),
        kind=kind,
        manager_id=manager,
        effective_from=builders.later(),
        assigned_by=manager,
        **member,  # type: ignore[arg-type]
    )


def test_practice_users_are_its_active_users(uow: UowFactory) -> None:
    world = _world(uow)
    doctors = [builders.user(practice_id=world.mine.id) for _ in range(3)]
    gone = builders.user(practice_id=world.mine.id, active=False)
    elsewhere = builders.user(practice_id=world.theirs.id)
    with uow() as u:
        for user in (*doctors, gone, elsewhere):
            u.users.add(user)
        u.commit()
    with uow() as u:
        assert u.ivr_audience.practice_users(world.mine.id) == tuple(sorted((d.id for d in doctors), key=str))
        assert u.ivr_audience.practice_users(world.theirs.id) == (elsewhere.id,)
        assert u.ivr_audience.practice_users(PracticeId(new_id())) == ()


def test_sales_chain_walks_current_assignments_up_to_the_master_distributor(uow: UowFactory) -> None:
    world = _world(uow)
    master = builders.user(role=Role.MASTER_DISTRIBUTOR)
    distributor = builders.user(role=Role.DISTRIBUTOR)
    rep, former_rep, lone_rep = (builders.user(role=Role.SALESPERSON) for _ in range(3))
    third = builders.practice()
    former = _assign(AssignmentKind.DOCTOR_ASSIGNMENT, former_rep.id, member_practice_id=world.mine.id)
    with uow() as u:
        u.practices.add(third)
        for user in (master, distributor, rep, former_rep, lone_rep):
            u.users.add(user)
        u.assignments.add(former)
        u.assignments.add(_assign(AssignmentKind.SALESPERSON_TEAM, distributor.id, member_user_id=former_rep.id))
        u.commit()
    with uow() as u:
        u.assignments.close(former, at=builders.later())  # the practice moved to another salesperson
        u.assignments.add(_assign(AssignmentKind.DOCTOR_ASSIGNMENT, rep.id, member_practice_id=world.mine.id))
        u.assignments.add(_assign(AssignmentKind.SALESPERSON_TEAM, distributor.id, member_user_id=rep.id))
        u.assignments.add(_assign(AssignmentKind.DISTRIBUTOR_NETWORK, master.id, member_user_id=distributor.id))
        u.assignments.add(_assign(AssignmentKind.DOCTOR_ASSIGNMENT, lone_rep.id, member_practice_id=third.id))
        u.commit()
    with uow() as u:
        assert u.ivr_audience.sales_chain(world.mine.id) == (rep.id, distributor.id, master.id)
        assert u.ivr_audience.sales_chain(third.id) == (lone_rep.id,)
        assert u.ivr_audience.sales_chain(world.theirs.id) == ()
    with uow() as u:
        u.users.save(evolve(distributor, active=False)).unwrap()
        u.commit()
    with uow() as u:  # the walk goes through the deactivated distributor, who is no longer told
        assert u.ivr_audience.sales_chain(world.mine.id) == (rep.id, master.id)


def test_lapsed_approvals_are_the_approved_ivrs_valid_before_today_longest_lapsed_first(uow: UowFactory) -> None:
    world = _world(uow)
    today = date(2026, 12, 1)

    def approved(valid_until: date, status: IvrStatus = IvrStatus.APPROVED) -> Ivr:
        return builders.ivr(world.mine.id, world.my_patient.id, status=status, valid_until=valid_until)

    lapsed_long = approved(date(2026, 11, 1))
    lapsed_yesterday = approved(date(2026, 11, 30))
    valid_today = approved(today)
    expired_already = approved(date(2026, 10, 1), IvrStatus.EXPIRED)
    with uow() as u:
        for ivr in (lapsed_yesterday, valid_today, expired_already, lapsed_long):
            u.ivrs.add(ivr)
        u.commit()
    with uow() as u:
        assert u.ivrs.lapsed_approvals(today, limit=10) == (lapsed_long.id, lapsed_yesterday.id)
        assert u.ivrs.lapsed_approvals(today, limit=1) == (lapsed_long.id,)
        assert u.ivrs.lapsed_approvals(date(2026, 11, 1), limit=10) == ()


def test_a_history_row_keeps_the_ivr_it_links_to(uow: UowFactory) -> None:
    world = _world(uow)
    renewed = builders.ivr(world.mine.id, world.my_patient.id)
    renewal = builders.ivr(world.mine.id, world.my_patient.id)
    link = builders.history_entry(renewed.id, trigger="reverified", linked_ivr_id=renewal.id)
    with uow() as u:
        u.ivrs.add(renewed)
        u.ivrs.add(renewal)
        u.ivr_history.append(link)
        u.commit()
    with uow() as u:
        assert u.ivr_history.of(renewed.id) == (link,)
