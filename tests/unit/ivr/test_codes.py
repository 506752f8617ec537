"""Code arithmetic and formats: application CPT units, the NPI check digit, ICD-10-CM normalisation."""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from returns.result import Failure, Success
from stdnum import luhn

from adapters.codes import LibraryCodeSets
from ivr_domain.ivr.codes import cpt_for_area, implied_cpt_codes, is_icd10cm_shaped, normalise_icd10cm
from ivr_domain.ivr.model import LocationCategory, Wound
from ivr_domain.shared.values import Npi, npi_check_digit_ok

TAL = LocationCategory.TRUNK_ARMS_LEGS
FHF = LocationCategory.FACE_HANDS_FEET

# DOMAIN.md: (first 25 or less, each further 25 or part, first 100, each further 100 or part), per category.
LADDERS = {TAL: ("15271", "15272", "15273", "15274"), FHF: ("15275", "15276", "15277", "15278")}


def _ceil_div(area: Decimal, step: int) -> int:
    return int((area / step).to_integral_value(rounding=ROUND_CEILING))


def expected_codes(category: LocationCategory, area: Decimal) -> list[str]:
    """DOMAIN.md's rule, computed another way: count the started steps by ceiling division."""
    first_small, more_small, first_large, more_large = LADDERS[category]
    if area <= 0:
        return []
    if area < 100:
        return [first_small] + [more_small] * (_ceil_div(area, 25) - 1)
    return [first_large] + [more_large] * (_ceil_div(area, 100) - 1)


AREAS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(2000), places=2, allow_nan=False)
CATEGORIES = st.sampled_from(LocationCategory)


@given(category=CATEGORIES, area=AREAS)
def test_codes_for_an_area_follow_the_ladder(category: LocationCategory, area: Decimal) -> None:
    assert list(cpt_for_area(category, area)) == expected_codes(category, area)


@given(category=CATEGORIES, area=AREAS)
def test_units_cover_the_area_and_one_unit_less_would_not(category: LocationCategory, area: Decimal) -> None:
    codes = cpt_for_area(category, area)
    step = 25 if area < 100 else 100
    assert len(codes) * step >= area > (len(codes) - 1) * step
    assert len(set(codes[1:])) <= 1  # one kind of add-on code


@pytest.mark.parametrize(
    ("area", "trunk", "face"),
    [
        ("0.01", ["15271"], ["15275"]),
        ("25", ["15271"], ["15275"]),
        ("25.01", ["15271", "15272"], ["15275", "15276"]),
        ("50", ["15271", "15272"], ["15275", "15276"]),
        ("99.99", ["15271", "15272", "15272", "15272"], ["15275", "15276", "15276", "15276"]),
        ("100", ["15273"], ["15277"]),
        ("200", ["15273", "15274"], ["15277", "15278"]),
        ("200.01", ["15273", "15274", "15274"], ["15277", "15278", "15278"]),
    ],
)
def test_the_boundaries(area: str, trunk: list[str], face: list[str]) -> None:
    assert list(cpt_for_area(TAL, Decimal(area))) == trunk
    assert list(cpt_for_area(FHF, Decimal(area))) == face


def _wound(category: LocationCategory, length: str, width: str) -> Wound:
    return Wound(location_category=category, length_cm=Decimal(length), width_cm=Decimal(width))


def test_domain_examples() -> None:
    assert implied_cpt_codes([_wound(FHF, "4.0", "3.0")]) == ("15275",)  # a 12 cm² heel wound
    assert implied_cpt_codes([_wound(TAL, "5.3", "10")]) == ("15271", "15272", "15272")  # a 53 cm² leg wound


DIMENSIONS = st.decimals(min_value=Decimal("0.01"), max_value=Decimal(40), places=2, allow_nan=False)
WOUNDS = st.lists(st.builds(Wound, location_category=CATEGORIES, length_cm=DIMENSIONS, width_cm=DIMENSIONS), max_size=6)


@given(wounds=WOUNDS)
def test_several_wounds_are_summed_per_category(wounds: list[Wound]) -> None:
    totals = {category: Decimal(0) for category in (TAL, FHF)}
    for wound in wounds:
        assert wound.length_cm is not None
        assert wound.width_cm is not None
        assert wound.location_category is not None
        totals[wound.location_category] += wound.length_cm * wound.width_cm
    expected = expected_codes(TAL, totals[TAL]) + expected_codes(FHF, totals[FHF])
    implied = implied_cpt_codes(wounds)
    assert implied is not None
    assert sorted(implied) == sorted(expected)


def test_summing_crosses_a_boundary_no_single_wound_does() -> None:
    # Two 60 cm² leg wounds: 120 cm² together → the 100 cm² ladder, not twice the small one.
    assert implied_cpt_codes([_wound(TAL, "6", "10"), _wound(TAL, "10", "6")]) == ("15273", "15274")
    # Categories are summed apart: 20 cm² of leg and 20 cm² of foot are two first units.
    assert sorted(implied_cpt_codes([_wound(TAL, "4", "5"), _wound(FHF, "5", "4")]) or ()) == ["15271", "15275"]


def test_a_wound_without_its_size_or_category_implies_nothing_yet() -> None:
    assert implied_cpt_codes([Wound(location_category=TAL, length_cm=Decimal(2))]) is None
    assert implied_cpt_codes([Wound(length_cm=Decimal(2), width_cm=Decimal(2))]) is None


# -- NPI ------------------------------------------------------------------------------------------------------------

TEN_DIGITS = st.text(alphabet="0123456789", min_size=10, max_size=10)


def _with_check_digit(nine: str) -> str:
    return nine + luhn.calc_check_digit("80840" + nine)


VALID_NPIS = st.builds(
    lambda first, rest: _with_check_digit(first + rest),
    st.sampled_from("12"),
    st.text(alphabet="0123456789", min_size=8, max_size=8),
)


def _oracle(npi: str) -> bool:
    try:
        luhn.validate("80840" + npi)
    except Exception:  # stdnum's ValidationError family
        return False
    return npi[0] in "12"


@given(npi=st.one_of(TEN_DIGITS, VALID_NPIS))
def test_npi_parse_agrees_with_the_luhn_oracle(npi: str) -> None:
    parsed = Npi.parse(npi)
    assert isinstance(parsed, Success) is _oracle(npi)
    assert npi_check_digit_ok(npi) is luhn.is_valid("80840" + npi)


@given(npi=VALID_NPIS, position=st.integers(0, 9), delta=st.integers(1, 9))
def test_changing_one_digit_breaks_the_check(npi: str, position: int, delta: int) -> None:
    changed = npi[:position] + str((int(npi[position]) + delta) % 10) + npi[position + 1 :]
    assert not npi_check_digit_ok(changed)
    assert isinstance(Npi.parse(changed), Failure)


@pytest.mark.parametrize(("npi", "valid"), [("1234567893", True), ("1558598797", True), ("1234567890", False)])
def test_domain_npi_examples(npi: str, valid: bool) -> None:
    assert isinstance(Npi.parse(npi), Success) is valid


# -- ICD-10-CM ------------------------------------------------------------------------------------------------------

ICD_SHAPED = st.from_regex(re.compile(r"[A-Z][0-9][0-9A-Z](\.[0-9A-Z]{1,4})?"), fullmatch=True)
ASCII_TEXT = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=12)


def _disguise(code: str, lower: list[bool], pad_left: str, pad_right: str, drop_dot: bool) -> str:
    letters = "".join(c.lower() if flip else c for c, flip in zip(code, lower + [False] * len(code), strict=False))
    return pad_left + (letters.replace(".", "") if drop_dot else letters) + pad_right


@given(raw=st.one_of(ICD_SHAPED, ASCII_TEXT))
def test_normalising_is_idempotent(raw: str) -> None:
    once = normalise_icd10cm(raw)
    assert normalise_icd10cm(once) == once


@given(code=ICD_SHAPED)
def test_a_normalised_code_has_its_dot_after_the_third_character(code: str) -> None:
    normal = normalise_icd10cm(code.replace(".", ""))
    assert normal == code
    assert is_icd10cm_shaped(normal)
    if len(normal) > 3:
        assert normal[3] == "."
        assert normal.count(".") == 1
    else:
        assert "." not in normal


@settings(max_examples=200)
@given(
    code=ICD_SHAPED,
    lower=st.lists(st.booleans(), max_size=8),
    pad_left=st.sampled_from(["", " ", "  ", "\t", "\n "]),
    pad_right=st.sampled_from(["", " ", "\t", " \n"]),
    drop_dot=st.booleans(),
)
def test_normalising_ignores_case_surrounding_whitespace_and_the_dot(
    code: str, lower: list[bool], pad_left: str, pad_right: str, drop_dot: bool
) -> None:
    assert normalise_icd10cm(_disguise(code, lower, pad_left, pad_right, drop_dot)) == code


@pytest.mark.parametrize(("raw", "normal"), [("l97422", "L97.422"), (" l97.422 ", "L97.422"), ("u071", "U07.1")])
def test_normalisation_examples(raw: str, normal: str) -> None:
    assert normalise_icd10cm(raw) == normal


@pytest.mark.parametrize(("code", "billable"), [("L97.9", False), ("L97.422", True), ("U07.1", True)])
def test_library_code_sets_answer_the_domain_examples(code: str, billable: bool) -> None:
    assert LibraryCodeSets().is_billable_icd10cm(code) is billable
