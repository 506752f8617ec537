"""Fictional but valid inputs: patients as a client would type them, drawn from a seeded random source."""

from __future__ import annotations

import random
import string
from datetime import date, timedelta

from ivr_domain.patients.model import Sex, SubscriberRelationship
from ivr_domain.patients.validation import InsuranceInput, PatientInput, SubscriberInput
from ivr_domain.shared.insurance import InsuranceRank, PlanType
from ivr_domain.shared.validation import AddressInput

FIRST_NAMES = (
    "Ada Alma Amos Anya Arlo Bea Bert Cal Cleo Cora Dale Dara Eda Eli Emil Enzo Faye Finn Gia Gus Hale Hana Ida Ike "
    "Ines Ivo Jada Jon Juno Kai Kira Lars Lea Lou Mae Mara Milo Nell Nico Noor Odin Olga Otto Pia Quin Rae Remy Rosa "
    "Ruth Sage Saul Tess Theo Una Uri Vera Vik Wade Wren Xena Yara Yves Zane Zoe"
).split()
LAST_NAMES = (
    "Abbott Acosta Adler Baird Barlow Becker Bishop Blake Bowen Brandt Carver Chen Crane Dalton Doyle Drake Ellison "
    "Emery Farley Fischer Ford Garner Gibbs Graves Hale Hardy Hayes Holt Ingram Irwin Jensen Joyce Keller Kemp Knox "
    "Lamb Lowe Lynch Mack Marsh Meyer Monroe Nash Noble Novak Olsen Ortiz Owens Page Pratt Quinn Ramos Reyes Rhodes "
    "Roth Sharp Shaw Stone Tate Thorne Tran Underwood Vance Vogel Wade Walsh Webb Wolfe Yates Young Zimmer"
).split()
STREETS = "Main Oak Pine Maple Cedar Elm Lake Hill Park River Church Mill Spring Ridge Walnut".split()
CITIES = (
    ("Springfield", "IL", "627"),
    ("Riverside", "CA", "925"),
    ("Franklin", "TN", "370"),
    ("Greenville", "SC", "296"),
    ("Fairview", "TX", "750"),
    ("Madison", "WI", "537"),
    ("Georgetown", "KY", "403"),
    ("Salem", "OR", "973"),
    ("Clinton", "IA", "527"),
    ("Arlington", "VA", "222"),
)
AREA_CODES = ("217", "951", "615", "864", "972", "608", "502", "503", "563", "703")
PAYERS = (
    ("Medicare Part B", "00952", PlanType.MEDICARE),
    ("Humana Medicare Advantage", "61101", PlanType.MEDICARE_ADVANTAGE),
    ("UnitedHealthcare", "87726", PlanType.COMMERCIAL),
    ("Aetna", "60054", PlanType.COMMERCIAL),
    ("Cigna", "62308", PlanType.COMMERCIAL),
    ("Blue Cross Blue Shield", "00590", PlanType.COMMERCIAL),
    ("State Medicaid", "77027", PlanType.MEDICAID),
    ("TRICARE East", "99726", PlanType.TRICARE),
)
_MEMBER_ALPHABET = string.ascii_uppercase + string.digits


def letters(number: int, width: int = 5) -> str:
    """Spell a number in capital letters (base 26), so unique names stay plain names."""
    out = []
    for _ in range(width):
        number, digit = divmod(number, 26)
        out.append(chr(ord("A") + digit))
    return "".join(reversed(out))


def _birth_date(rng: random.Random, today: date) -> date:
    # Wound-care patients skew old: ages 25 to 95.
    return today - timedelta(days=rng.randint(25 * 365, 95 * 365))


def _insurance(rng: random.Random, rank: InsuranceRank, today: date, last_name: str) -> InsuranceInput:
    payer_name, payer_id, plan_type = rng.choice(PAYERS)
    member_id = "".join(rng.choice(_MEMBER_ALPHABET) for _ in range(11))
    if rng.random() < 0.15:
        return InsuranceInput(
            rank=rank,
            payer_name=payer_name,
            payer_id=payer_id,
            member_id=member_id,
            plan_type=plan_type,
            group_number=f"GRP{rng.randint(10000, 99999)}",
            subscriber_relationship=SubscriberRelationship.SPOUSE,
            subscriber=SubscriberInput(
                first_name=rng.choice(FIRST_NAMES), last_name=last_name, date_of_birth=_birth_date(rng, today)
            ),
        )
    group = f"GRP{rng.randint(10000, 99999)}" if plan_type is PlanType.COMMERCIAL else None
    return InsuranceInput(
        rank=rank,
        payer_name=payer_name,
        payer_id=payer_id,
        member_id=member_id,
        plan_type=plan_type,
        group_number=group,
    )


def patient_input(rng: random.Random, today: date, *, first_name: str | None = None) -> PatientInput:
    """Return a patient with one or two insurances, most with a phone and an address, some with an email."""
    first = first_name or rng.choice(FIRST_NAMES)
    last = rng.choice(LAST_NAMES)
    city, state, zip_prefix = rng.choice(CITIES)
    insurances = [_insurance(rng, InsuranceRank.PRIMARY, today, last)]
    if rng.random() < 0.4:
        insurances.append(_insurance(rng, InsuranceRank.SECONDARY, today, last))
    has_address = rng.random() < 0.9
    return PatientInput(
        first_name=first,
        last_name=last,
        date_of_birth=_birth_date(rng, today),
        sex=rng.choice((Sex.FEMALE, Sex.MALE)) if rng.random() < 0.97 else Sex.UNKNOWN,
        phone=f"+1 {rng.choice(AREA_CODES)} 555 01{rng.randint(0, 99):02d}" if rng.random() < 0.8 else None,
        email=f"{first.lower()}.{last.lower()}{rng.randint(1, 999)}@example.net" if rng.random() < 0.5 else None,
        address=AddressInput(
            line1=f"{rng.randint(1, 9999)} {rng.choice(STREETS)} St",
            line2=f"Apt {rng.randint(1, 40)}" if rng.random() < 0.2 else None,
            city=city,
            state=state,
            postal_code=f"{zip_prefix}{rng.randint(0, 99):02d}",
        )
        if has_address
        else None,
        insurances=tuple(insurances),
    )
