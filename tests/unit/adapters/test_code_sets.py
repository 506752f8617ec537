"""ICD-10-CM billability and CMS place-of-service codes."""

from __future__ import annotations

import pytest

from adapters.codes import LibraryCodeSets

CODES = LibraryCodeSets()


@pytest.mark.parametrize(
    ("code", "billable"),
    [
        ("L97.9", False),  # a subcategory with children
        ("L97", False),
        ("L97.422", True),
        ("U07.1", True),
        ("E11.621", True),
        ("S72.001", False),  # needs its seventh character
        ("S72.001A", True),
        ("garbage", False),
        ("", False),
        ("12", False),  # a chapter
        ("L80-L99", False),  # a block
        ("Z99.999", False),
    ],
)
def test_billable_icd10cm(code: str, billable: bool) -> None:
    assert CODES.is_billable_icd10cm(code) is billable


def test_version_names_the_release() -> None:
    assert CODES.icd10cm_version.startswith("ICD-10-CM FY2026")


@pytest.mark.parametrize("code", ["11", "12", "02", "10", "22", "27", "31", "58", "66", "81", "99"])
def test_place_of_service_codes(code: str) -> None:
    assert CODES.is_place_of_service(code)


@pytest.mark.parametrize("code", ["00", "1", "011", "28", "35", "43", "59", "63", "67", "73", "82", "98", "", "ab"])
def test_not_place_of_service_codes(code: str) -> None:
    assert not CODES.is_place_of_service(code)
