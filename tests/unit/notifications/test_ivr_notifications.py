"""Who hears of an IVR status change: the practice, the reviewer and the sales chain, once each, not the actor."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from ivr_domain.ivr.model import RejectionReason
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
from ivr_domain.notifications.model import Notification, NotificationKind, SubjectType
from ivr_domain.notifications.ports import NotificationFilter
from ivr_domain.shared.actor import Role
from ivr_domain.shared.ids import IvrId, NotificationId
from ivr_domain.shared.paging import MAX_LIMIT, PageRequest
from tests.platform import Platform, error_of, memory_platform, value_of
from tests.unit.ivr.builders import NOW, covered
from tests.unit.ivr.world import PEOPLE, World, build_world

PRACTICE = {"doctor", "colleague"}
CHAIN = {"sales", "distributor", "master"}
EVERYONE = tuple(PEOPLE)


@pytest.fixture
def world(tmp_path: Path) -> World:
    return build_world(memory_platform(tmp_path, now=NOW))


def _ivr_notifications(world: World) -> dict[NotificationId, Notification]:
    return {k: n for k, n in world.store.events.notifications.items() if n.subject_type is SubjectType.IVR}


def _step(world: World, who: str, ivr_id: IvrId, action: IvrAction) -> set[tuple[str, NotificationKind]]:
    """Act, and return who was newly told what (each about this IVR)."""
    world.platform.clock.advance(timedelta(seconds=1))
    before = set(_ivr_notifications(world))
    value_of(world.act(who, ivr_id, action))
    new = [n for k, n in _ivr_notifications(world).items() if k not in before]
    names = {user.id: name for name, user in world.users.items()}
    told = [(names[n.recipient_id], n.kind) for n in new]
    assert all(n.subject_id == ivr_id for n in new)
    assert len(told) == len(set(told)), "one notification per person and change"
    return set(told)


def _told(names: set[str], status: str) -> set[tuple[str, NotificationKind]]:
    return {(name, NotificationKind(f"ivr_{status}")) for name in names}


def test_each_transition_tells_the_practice_the_reviewer_and_the_sales_chain_but_not_the_actor(world: World) -> None:
    ivr_id = world.draft().id
    later = NOW.date() + timedelta(days=90)

    assert _step(world, "doctor", ivr_id, Submit()) == _told({"colleague"} | CHAIN, "submitted")
    # The reviewer acts: they are the actor, so the practice and the chain are told.
    assert _step(world, "staff", ivr_id, StartReview()) == _told(PRACTICE | CHAIN, "in_review")
    ask = RequestInfo(message="Attach current wound measurements")
    assert _step(world, "staff", ivr_id, ask) == _told(PRACTICE | CHAIN, "info_requested")
    # Now there is a reviewer, and they hear of the practice's answer.
    assert _step(world, "doctor", ivr_id, Resubmit()) == _told({"colleague", "staff"} | CHAIN, "submitted")
    assert _step(world, "admin", ivr_id, StartReview()) == _told(PRACTICE | {"staff"} | CHAIN, "in_review")
    assert _step(world, "staff", ivr_id, RequirePriorAuth()) == _told(PRACTICE | CHAIN, "pending_prior_auth")
    approve = Approve(coverages=(covered(valid_until=later, prior_auth_number="PA-1"),))
    assert _step(world, "admin", ivr_id, approve) == _told(PRACTICE | {"staff"} | CHAIN, "approved")

    # Bystanders never hear of it: other staff, another practice, logistics, admins who did not act.
    recipients = {n.recipient_id for n in _ivr_notifications(world).values()}
    for name in ("other_staff", "stranger", "logistics"):
        assert world.users[name].id not in recipients


def test_a_rejection_and_a_cancellation_are_told_too(world: World) -> None:
    first = world.draft().id
    value_of(world.act("doctor", first, Submit()))
    value_of(world.act("other_staff", first, StartReview()))
    reject = Reject(reason_code=RejectionReason.OTHER, explanation="Plan policy excludes this product.")
    assert _step(world, "other_staff", first, reject) == _told(PRACTICE | CHAIN, "rejected")

    second = world.draft().id
    value_of(world.act("doctor", second, Submit()))
    value_of(world.act("staff", second, StartReview()))
    value_of(world.act("staff", second, RequestInfo(message="Attach current wound measurements")))
    assert _step(world, "colleague", second, Cancel()) == _told({"doctor", "staff"} | CHAIN, "cancelled")


def test_the_inbox_shows_the_ivr_notifications_of_the_caller(world: World) -> None:
    ivr_id = world.draft().id
    value_of(world.act("doctor", ivr_id, Submit()))
    world.platform.clock.advance(timedelta(seconds=1))
    value_of(world.act("staff", ivr_id, StartReview()))
    both = [(NotificationKind.IVR_IN_REVIEW, ivr_id), (NotificationKind.IVR_SUBMITTED, ivr_id)]  # newest first
    expected = dict.fromkeys({"colleague"} | CHAIN, both) | {"doctor": [(NotificationKind.IVR_IN_REVIEW, ivr_id)]}
    for name in EVERYONE:
        inbox = world.platform.container.list_notifications()
        page = value_of(inbox(world.actors[name], NotificationFilter(), PageRequest(limit=MAX_LIMIT)))
        mine = [(n.kind, n.subject_id) for n in page.items if n.subject_type is SubjectType.IVR]
        assert mine == expected.get(name, []), name


def test_a_redelivered_event_creates_no_duplicate(world: World) -> None:
    ivr_id = world.draft().id
    value_of(world.act("doctor", ivr_id, Submit()))
    (event,) = world.events(ivr_id)
    before = dict(_ivr_notifications(world))
    assert len(before) == 1 + len(CHAIN)

    assert world.platform.container.deliver_notifications()(event) == 0
    dispatcher = world.platform.container.event_dispatcher()
    assert dispatcher.dispatch(event.event_id) is False  # already dispatched
    assert dispatcher.replay().dispatched == 0
    assert _ivr_notifications(world) == before


def test_the_sales_chain_is_the_practice_s_current_one(world: World) -> None:
    platform: Platform = world.platform
    new_sales = platform.user("sales2@example.org", Role.SALESPERSON, name="New Sales")
    platform.assign(world.users["distributor"], new_sales)
    platform.assign(new_sales, world.users["doctor"])  # the practice moves to the new salesperson
    ivr_id = world.draft().id
    world.users["new_sales"] = new_sales
    assert _step(world, "doctor", ivr_id, Submit()) == _told(
        {"colleague", "new_sales", "distributor", "master"}, "submitted"
    )


def test_the_event_and_its_notifications_carry_ids_only(world: World) -> None:
    ivr_id = world.draft().id
    value_of(world.act("doctor", ivr_id, Submit()))
    (event,) = world.events(ivr_id)
    assert (event.from_status, event.to_status, event.trigger) == ("draft", "submitted", "submit")
    assert event.actor_id == world.users["doctor"].id
    assert world.users["doctor"].id not in event.audience
    text = repr(event) + repr(list(_ivr_notifications(world).values()))
    for phi in ("Ada", "Sample", "1950-03-14", "1EG4TE5MK73", "E11.621", "left heel", "Failed 6 weeks"):
        assert phi not in text
    # A refused action tells nobody.
    before = dict(_ivr_notifications(world))
    error_of(world.act("doctor", ivr_id, Submit()))
    assert _ivr_notifications(world) == before
