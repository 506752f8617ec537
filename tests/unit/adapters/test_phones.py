"""Phone numbers to E.164 with libphonenumber."""

from __future__ import annotations

import pytest

from adapters.codes import LibPhoneNumbers

PHONES = LibPhoneNumbers()


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("(202) 555-0123", "+12025550123"),
        ("202.555.0123", "+12025550123"),
        ("+1 202 555 0123", "+12025550123"),
        ("1-202-555-0123", "+12025550123"),
        ("+44 20 7946 0958", "+442079460958"),
    ],
)
def test_valid_numbers_become_e164(raw: str, expected: str) -> None:
    assert PHONES.to_e164(raw) == expected


@pytest.mark.parametrize(
    "raw",
    # a seven-digit local number has no area code; 555 is no area code at all
    ["", "abc", "555-01", "202555012345678", "+999 1234", "555 9876", "+1 555 555 5555"],
)
def test_invalid_or_unparseable_numbers_are_none(raw: str) -> None:
    assert PHONES.to_e164(raw) is None


def test_default_region_is_configurable() -> None:
    assert LibPhoneNumbers("GB").to_e164("020 7946 0958") == "+442079460958"
