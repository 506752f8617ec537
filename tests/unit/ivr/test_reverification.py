"""A reverification names the IVR it renews, and the history of each shows the other."""

from __future__ import annotations

from datetime import timedelta

from attrs import evolve

from ivr_domain.ivr.model import IvrStatus, RequestType
from ivr_domain.ivr.use_cases import Approve, StartReview, Submit
from tests.platform import value_of
from tests.unit.ivr.builders import NOW, complete_ivr, covered
from tests.unit.ivr.world import World


def test_the_histories_of_a_reverification_and_of_the_ivr_it_renews_link_them(world: World) -> None:
    first = world.draft()
    value_of(world.act("doctor", first.id, Submit()))
    value_of(world.act("staff", first.id, StartReview()))
    value_of(world.act("staff", first.id, Approve(coverages=(covered(valid_until=NOW.date() + timedelta(days=30)),))))
    world.platform.clock.advance(timedelta(minutes=1))
    body = evolve(complete_ivr(world.patient.id), request_type=RequestType.REVERIFICATION, previous_ivr_id=first.id)
    renewal = world.draft(body=body)

    created = world.history(renewal.id)[0]
    assert (created.trigger, created.linked_ivr_id) == ("create", first.id)
    renewed = world.history(first.id)[-1]
    assert (renewed.trigger, renewed.from_status, renewed.to_status, renewed.linked_ivr_id) == (
        "reverified",
        IvrStatus.APPROVED,
        IvrStatus.APPROVED,
        renewal.id,
    )
    assert world.stored(first.id).status is IvrStatus.APPROVED  # a link, not a transition
    assert world.stored(first.id).version == 4


def test_a_new_ivr_links_nothing(world: World) -> None:
    ivr = world.draft()
    assert [e.linked_ivr_id for e in world.history(ivr.id)] == [None]
