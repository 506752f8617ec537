"""Bulk approval: one outcome per item, each exactly the single approve's, never blocking another item."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from attrs import evolve
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from returns.result import Failure, Result, Success

from ivr_domain.ivr.model import Ivr, IvrStatus
from ivr_domain.ivr.use_cases import Approve, StartReview, Submit
from ivr_domain.ivr.use_cases.bulk import MAX_ITEMS, BulkApproval, BulkApprove, BulkApproveItem
from ivr_domain.shared.audit import Outcome
from ivr_domain.shared.errors import (
    FieldError,
    InvalidTransition,
    NotFound,
    NotPermitted,
    PreconditionFailed,
    ValidationFailed,
)
from ivr_domain.shared.ids import IvrId, new_id
from tests.platform import error_of, value_of
from tests.unit.ivr.builders import NOW, covered
from tests.unit.ivr.world import World

KINDS = ("good", "stale", "out_of_scope", "unknown", "wrong_state", "invalid_coverage", "not_the_reviewer")
GOOD = (covered(valid_until=NOW.date() + timedelta(days=90)),)
LAPSED = (covered(valid_until=NOW.date() - timedelta(days=1)),)


def _prepared(world: World, kind: str) -> BulkApproveItem:
    """Return an item of one kind over a fresh IVR (or none), ready for the verification specialist `staff`."""
    if kind == "unknown":
        return BulkApproveItem(ivr_id=IvrId(new_id()), coverages=GOOD)
    ivr = world.draft()
    if kind == "out_of_scope":  # a draft is not within verification staff's reach
        return BulkApproveItem(ivr_id=ivr.id, coverages=GOOD)
    value_of(world.act("doctor", ivr.id, Submit()))
    if kind == "wrong_state":  # submitted, but nobody started the review
        return BulkApproveItem(ivr_id=ivr.id, coverages=GOOD)
    value_of(world.act("other_staff" if kind == "not_the_reviewer" else "staff", ivr.id, StartReview()))
    version = world.stored(ivr.id).version
    match kind:
        case "stale":
            return BulkApproveItem(ivr_id=ivr.id, coverages=GOOD, expected_version=version - 1)
        case "invalid_coverage":
            return BulkApproveItem(ivr_id=ivr.id, coverages=LAPSED, expected_version=version)
    return BulkApproveItem(ivr_id=ivr.id, coverages=GOOD, expected_version=version)


def _bulk(world: World, items: tuple[BulkApproveItem, ...], who: str = "staff") -> Result[BulkApproval, Any]:
    return world.platform.container.bulk_approve_ivrs()(world.actors[who], BulkApprove(items=items))


def _single(world: World, item: BulkApproveItem) -> Result[Any, Any]:
    return world.act("staff", item.ivr_id, Approve(coverages=item.coverages), item.expected_version)


def _comparable(result: Result[Any, Any], index: int | None) -> object:
    """Reduce an outcome to what does not depend on which IVR it was about: the error and its details."""
    match result:
        case Success(shown):
            return ("approved", shown.ivr.status, shown.ivr.version)
        case Failure(ValidationFailed() as error) if index is not None:
            # The bulk body nests the single approve's body under `items[i].`; strip it to compare.
            prefix = f"items[{index}]."
            assert all(e.field.startswith(prefix) for e in error.errors)
            return evolve(error, errors=tuple(evolve(e, field=e.field.removeprefix(prefix)) for e in error.errors))
        case Failure(NotFound() as error):
            return evolve(error, id="")
        case Failure(PreconditionFailed() as error):
            return evolve(error, id="")
        case Failure(error):
            return error
    raise AssertionError("not a Result")


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(kinds=st.lists(st.sampled_from(KINDS), min_size=1, max_size=7))
def test_each_item_is_the_single_approve_and_only_good_items_change(world: World, kinds: list[str]) -> None:
    items = tuple(_prepared(world, kind) for kind in kinds)
    twins = tuple(_prepared(world, kind) for kind in kinds)  # the same states, approved one by one
    before = {item.ivr_id: (world.store.ivrs.get(item.ivr_id), len(world.history(item.ivr_id))) for item in items}
    audit_before = len(world.audit_rows())
    events_before = {item.ivr_id: len(world.events(item.ivr_id)) for item in items}

    approval = value_of(_bulk(world, items))

    assert [outcome.ivr_id for outcome in approval.outcomes] == [item.ivr_id for item in items]
    assert approval.succeeded + approval.failed == len(items)
    assert approval.succeeded == kinds.count("good")
    # Delivering an approval's notifications is audited too, as the system: keep the staff's own records.
    new_audit = [row for row in world.audit_rows()[audit_before:] if row.user_id == world.users["staff"].id]
    assert len(new_audit) == len(items)  # one record per item, success or refusal, and nothing else
    assert [row.resource_id for row in new_audit] == [str(item.ivr_id) for item in items]
    assert {row.action for row in new_audit} == {"ivrs.approve"}
    for index, (kind, item, outcome) in enumerate(zip(kinds, items, approval.outcomes, strict=True)):
        stored, history_rows = before[item.ivr_id]
        changed = 1 if kind == "good" else 0
        assert (new_audit[index].outcome is Outcome.SUCCESS) == bool(changed)
        if stored is not None:
            assert len(world.history(item.ivr_id)) == history_rows + changed
            assert len(world.events(item.ivr_id)) == events_before[item.ivr_id] + changed
            after = world.stored(item.ivr_id)
            assert (after.status is IvrStatus.APPROVED) == (kind == "good")
            if not changed:
                assert after == stored
        assert _comparable(outcome.result, index) == _comparable(_single(world, twins[index]), None)


def test_a_refused_item_in_the_middle_blocks_neither_side(world: World) -> None:
    first, bad, last = (_prepared(world, kind) for kind in ("good", "invalid_coverage", "good"))

    approval = value_of(_bulk(world, (first, bad, last)))

    assert (approval.succeeded, approval.failed) == (2, 1)
    assert world.stored(first.ivr_id).status is IvrStatus.APPROVED
    assert world.stored(last.ivr_id).status is IvrStatus.APPROVED
    assert world.stored(bad.ivr_id).status is IvrStatus.IN_REVIEW
    error = error_of(approval.outcomes[1].result)
    assert isinstance(error, ValidationFailed)
    assert [e.field for e in error.errors] == ["items[1].coverages[0].valid_until"]


@pytest.mark.parametrize(
    ("kind", "error_type"),
    [
        ("stale", PreconditionFailed),
        ("out_of_scope", NotFound),
        ("unknown", NotFound),
        ("wrong_state", InvalidTransition),
        ("not_the_reviewer", NotPermitted),
        ("invalid_coverage", ValidationFailed),
    ],
)
def test_each_kind_of_refusal_is_the_single_approves_error(world: World, kind: str, error_type: type) -> None:
    item = _prepared(world, kind)

    outcome = value_of(_bulk(world, (item,))).outcomes[0]

    assert isinstance(error_of(outcome.result), error_type)
    assert world.audit_rows()[-1].outcome is not Outcome.SUCCESS


@pytest.mark.parametrize("who", ["doctor", "sales", "logistics"])
def test_without_the_permission_the_whole_request_is_refused_and_audited(world: World, who: str) -> None:
    item = _prepared(world, "good")
    before = len(world.audit_rows())

    error = error_of(_bulk(world, (item,), who=who))

    assert isinstance(error, NotPermitted)
    assert world.stored(item.ivr_id).status is IvrStatus.IN_REVIEW
    refusals = world.audit_rows()[before:]
    assert [(row.action, row.outcome) for row in refusals] == [("ivrs.bulk_approve", Outcome.DENIED)]


def test_an_admin_holds_the_permission_and_approves_what_staff_reviews(world: World) -> None:
    item = _prepared(world, "good")

    approval = value_of(_bulk(world, (item,), who="admin"))

    assert approval.succeeded == 1
    shown = value_of(approval.outcomes[0].result)
    assert isinstance(shown.ivr, Ivr)
    assert shown.ivr.coverages == GOOD


def test_no_items_too_many_or_a_repeated_ivr_refuse_the_whole_request(world: World) -> None:
    item = _prepared(world, "good")
    other = _prepared(world, "good")
    before = len(world.audit_rows())

    empty = error_of(_bulk(world, ()))
    too_many = error_of(_bulk(world, tuple(evolve(item, ivr_id=IvrId(new_id())) for _ in range(MAX_ITEMS + 1))))
    repeated = error_of(_bulk(world, (item, other, item)))

    assert empty == ValidationFailed.single("items", "must hold at least one item")
    assert too_many == ValidationFailed.single("items", f"must hold at most {MAX_ITEMS} items")
    assert repeated == ValidationFailed(
        errors=(
            FieldError(field="items[0].ivr_id", message="appears more than once in this request"),
            FieldError(field="items[2].ivr_id", message="appears more than once in this request"),
        )
    )
    assert world.stored(item.ivr_id).status is IvrStatus.IN_REVIEW
    assert world.stored(other.ivr_id).status is IvrStatus.IN_REVIEW
    refusals = world.audit_rows()[before:]
    assert [(row.action, row.outcome) for row in refusals] == [("ivrs.bulk_approve", Outcome.INVALID)] * 3


def test_exactly_the_maximum_is_taken(world: World) -> None:
    items = tuple(BulkApproveItem(ivr_id=IvrId(new_id()), coverages=GOOD) for _ in range(MAX_ITEMS))

    approval = value_of(_bulk(world, items))

    assert (approval.succeeded, approval.failed) == (0, MAX_ITEMS)
    assert all(isinstance(error_of(outcome.result), NotFound) for outcome in approval.outcomes)


def test_items_in_flight_together_give_each_its_own_outcome(world: World) -> None:
    kinds = [kind for kind in KINDS for _ in range(3)]
    items = tuple(_prepared(world, kind) for kind in kinds)
    twins = tuple(_prepared(world, kind) for kind in kinds)
    audit_before = len(world.audit_rows())
    handler = evolve(world.platform.container.bulk_approve_ivrs(), parallel_items=4)

    approval = value_of(handler(world.actors["staff"], BulkApprove(items=items)))

    assert [outcome.ivr_id for outcome in approval.outcomes] == [item.ivr_id for item in items]
    assert approval.succeeded == kinds.count("good")
    new_audit = [row for row in world.audit_rows()[audit_before:] if row.user_id == world.users["staff"].id]
    assert sorted(row.resource_id for row in new_audit) == sorted(str(item.ivr_id) for item in items)
    for index, (item, outcome) in enumerate(zip(items, approval.outcomes, strict=True)):
        if kinds[index] != "unknown":
            assert (world.stored(item.ivr_id).status is IvrStatus.APPROVED) == (kinds[index] == "good")
        assert _comparable(outcome.result, index) == _comparable(_single(world, twins[index]), None)
