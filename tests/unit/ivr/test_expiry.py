"""Approvals lapse: the expiry pass turns approved IVRs past their validity into expired ones, once."""

from __future__ import annotations

from datetime import timedelta

from ivr_domain.ivr.model import IvrStatus
from ivr_domain.ivr.use_cases import Approve, ExpireLapsedIvrsHandler, StartReview, Submit
from ivr_domain.notifications.model import NotificationKind, SubjectType
from ivr_domain.shared.ids import IvrId
from tests.platform import value_of
from tests.unit.ivr.builders import NOW, covered
from tests.unit.ivr.world import World


def _approved(world: World, valid_days: int) -> IvrId:
    ivr = world.draft()
    value_of(world.act("doctor", ivr.id, Submit()))
    value_of(world.act("staff", ivr.id, StartReview()))
    coverage = covered(valid_until=NOW.date() + timedelta(days=valid_days))
    value_of(world.act("staff", ivr.id, Approve(coverages=(coverage,))))
    return ivr.id


def test_an_approval_expires_the_day_after_its_valid_until_and_only_once(world: World) -> None:
    expire = world.platform.container.expire_lapsed_ivrs()
    soon, later = _approved(world, 10), _approved(world, 30)
    world.platform.clock.advance(timedelta(days=10))
    assert expire() == 0  # valid_until is today: still valid
    world.platform.clock.advance(timedelta(days=1))
    assert expire() == 1
    assert expire() == 0
    assert world.stored(soon).status is IvrStatus.EXPIRED
    assert world.stored(later).status is IvrStatus.APPROVED

    last = world.history(soon)[-1]
    assert (last.from_status, last.to_status, last.trigger, last.actor_role) == (
        IvrStatus.APPROVED,
        IvrStatus.EXPIRED,
        "expire",
        None,
    )
    entries = [e for e in world.audit_rows() if e.action == "ivrs.expire"]
    assert [(e.resource_id, e.is_system, e.patient_ids) for e in entries] == [(str(soon), True, (world.patient.id,))]
    assert [e.to_status for e in world.events(soon)][-1] == "expired"


def test_the_practice_and_the_reviewer_are_told_of_the_expiry(world: World) -> None:
    ivr_id = _approved(world, 1)
    world.platform.clock.advance(timedelta(days=2))
    assert world.platform.container.expire_lapsed_ivrs()() == 1
    told = {
        n.recipient_id
        for n in world.store.events.notifications.values()
        if n.subject_type is SubjectType.IVR and n.subject_id == ivr_id and n.kind is NotificationKind.IVR_EXPIRED
    }
    expected = {"doctor", "colleague", "staff", "sales", "distributor", "master"}
    assert told == {world.users[name].id for name in expected}


def test_a_pass_expires_more_than_one_batch(world: World) -> None:
    container = world.platform.container
    ids = {_approved(world, 1) for _ in range(5)}
    world.platform.clock.advance(timedelta(days=2))
    small_batches = ExpireLapsedIvrsHandler(
        uow=container.uow, act=container.act_on_ivr(), clock=world.platform.clock, batch=2
    )
    assert small_batches() == 5
    assert {world.stored(i).status for i in ids} == {IvrStatus.EXPIRED}
