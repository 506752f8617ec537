"""The practices a printed IVR names, identical on every adapter: a card of what is filled in, None when unknown."""

from __future__ import annotations

from ivr_domain.ivr.printing import PracticeCard
from ivr_domain.shared.ids import PracticeId, new_id
from ivr_domain.shared.values import Address
from tests.contract import builders
from tests.contract.conftest import UowFactory


def test_a_card_carries_the_name_and_the_filled_in_details_whatever_the_scope(uow: UowFactory) -> None:
    full = builders.practice(name="Springfield Wound Clinic")
    bare = builders.practice(name="Shelbyville Foot Care", npi=None, address=None, phone=None)
    with uow() as u:
        u.practices.add(full)
        u.practices.add(bare)
        u.commit()

    with uow() as u:
        cards = (
            u.ivr_practices.card(full.id),
            u.ivr_practices.card(bare.id),
            u.ivr_practices.card(PracticeId(new_id())),
        )

    address = Address(line1="1 Main St", line2="Suite 2", city="Springfield", state="IL", postal_code="62701")
    assert cards == (
        PracticeCard(name="Springfield Wound Clinic", npi="1234567893", address=address, phone="+12175550100"),
        PracticeCard(name="Shelbyville Foot Care"),
        None,
    )
