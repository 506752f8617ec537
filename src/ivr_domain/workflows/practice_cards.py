"""What a printed IVR says of its practice: the identity context's practice as the IVR context's card."""

from __future__ import annotations

from ivr_domain.identity.model import Practice
from ivr_domain.ivr.printing import PracticeCard


def card_of(practice: Practice) -> PracticeCard:
    """Return the practice's name and, when filled in, the physician's NPI, address and phone."""
    return PracticeCard(
        name=practice.name,
        npi=practice.npi.value if practice.npi is not None else None,
        address=practice.address,
        phone=practice.phone.e164 if practice.phone is not None else None,
    )
