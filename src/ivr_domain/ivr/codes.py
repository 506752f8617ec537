"""Code formats and the application CPT arithmetic: what the wound areas imply (DOMAIN.md, "The IVR")."""

from __future__ import annotations

import re
from collections.abc import Iterable
from decimal import Decimal

from ivr_domain.ivr.model import LocationCategory, Wound

_ICD10CM = re.compile(r"^[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?$")
_HCPCS = re.compile(r"^[A-V][0-9]{4}$")
_TIN = re.compile(r"^[0-9]{2}-[0-9]{7}$")

# Per location category: (first unit under 100 cm², each further 25 cm², first 100 cm², each further 100 cm²).
_CPT_LADDERS = {
    LocationCategory.TRUNK_ARMS_LEGS: ("15271", "15272", "15273", "15274"),
    LocationCategory.FACE_HANDS_FEET: ("15275", "15276", "15277", "15278"),
}
APPLICATION_CPT_CODES = frozenset(code for ladder in _CPT_LADDERS.values() for code in ladder)

_SMALL_STEP = Decimal(25)
_LARGE_STEP = Decimal(100)


def normalise_icd10cm(raw: str) -> str:
    """Upper-case and trim a code, and put the dot after the third character (`l97422` → `L97.422`)."""
    compact = raw.strip().upper().replace(".", "").replace(" ", "")
    return compact if len(compact) <= 3 else f"{compact[:3]}.{compact[3:]}"


def is_icd10cm_shaped(code: str) -> bool:
    """Tell whether a normalised code has the ICD-10-CM shape (whether it exists is the code set's answer)."""
    return bool(_ICD10CM.match(code))


def is_hcpcs(code: str) -> bool:
    """Tell whether a code has the HCPCS Level II shape: a letter A to V and four digits."""
    return bool(_HCPCS.match(code))


def is_tin(value: str) -> bool:
    """Tell whether a tax id is written in EIN format, `NN-NNNNNNN`."""
    return bool(_TIN.match(value))


def _units(area: Decimal, step: Decimal) -> int:
    """Return how many steps cover an area: every started step counts."""
    whole, rest = divmod(area, step)
    return int(whole) + (1 if rest > 0 else 0)


def cpt_for_area(category: LocationCategory, area: Decimal) -> tuple[str, ...]:
    """Return the application codes one location category's total area implies, one entry per unit."""
    if area <= 0:
        return ()
    first_small, add_small, first_large, add_large = _CPT_LADDERS[category]
    if area < _LARGE_STEP:
        return (first_small,) + (add_small,) * (_units(area, _SMALL_STEP) - 1)
    return (first_large,) + (add_large,) * (_units(area, _LARGE_STEP) - 1)


def implied_cpt_codes(wounds: Iterable[Wound]) -> tuple[str, ...] | None:
    """Return the codes the wounds imply, trunk/arms/legs first; None while a wound lacks its size or category."""
    totals = dict.fromkeys(LocationCategory, Decimal(0))
    for wound in wounds:
        area = wound.area_cm2
        if area is None or wound.location_category is None:
            return None
        totals[wound.location_category] += area
    return tuple(code for category, total in totals.items() for code in cpt_for_area(category, total))
