"""The SQL adapter's IVR document: every state of an IVR survives sealing, encryption and opening unchanged."""

from __future__ import annotations

import os
from datetime import timedelta
from typing import Any

import pytest

from adapters.crypto import AesGcmFieldCipher
from adapters.sqlalchemy.repositories.ivr_rows import IvrCodec
from ivr_domain.ivr.model import Ivr, IvrStatus, RejectionReason
from ivr_domain.ivr.use_cases import Approve, Reject, RequestInfo, RequirePriorAuth, StartReview, Submit
from tests.platform import value_of
from tests.unit.ivr.builders import NOW, covered
from tests.unit.ivr.world import World

STEPS: dict[IvrStatus, tuple[tuple[str, Any], ...]] = {
    IvrStatus.DRAFT: (),
    IvrStatus.SUBMITTED: (("doctor", Submit()),),
    IvrStatus.INFO_REQUESTED: (
        ("doctor", Submit()),
        ("staff", StartReview()),
        ("staff", RequestInfo(message="Attach current wound measurements, ünïcode ✓", due_date=NOW.date())),
    ),
    IvrStatus.PENDING_PRIOR_AUTH: (
        ("doctor", Submit()),
        ("staff", StartReview()),
        ("staff", RequirePriorAuth(note="Plan requires PA for Q4186")),
    ),
    IvrStatus.APPROVED: (
        ("doctor", Submit()),
        ("staff", StartReview()),
        ("staff", Approve(coverages=(covered(valid_until=NOW.date() + timedelta(days=90)),))),
    ),
    IvrStatus.REJECTED: (
        ("doctor", Submit()),
        ("staff", StartReview()),
        ("staff", Reject(reason_code=next(iter(RejectionReason)), explanation="Plan policy excludes this product.")),
    ),
}


def _in_state(world: World, status: IvrStatus) -> Ivr:
    ivr = world.draft()
    for who, action in STEPS[status]:
        value_of(world.act(who, ivr.id, action))
    stored = world.stored(ivr.id)
    assert stored.status is status
    return stored


@pytest.mark.parametrize("status", list(STEPS))
def test_an_ivr_in_every_state_reads_back_exactly_as_written(world: World, status: IvrStatus) -> None:
    codec = IvrCodec(AesGcmFieldCipher({"k1": os.urandom(32)}, "k1"))
    ivr = _in_state(world, status)

    row = codec.ivr_values(ivr)

    assert codec.ivr(row) == ivr
    assert b"Q4186" not in row["content"]  # the document is sealed, not stored in clear
