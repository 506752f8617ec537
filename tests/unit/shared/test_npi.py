"""The NPI check digit, against python-stdnum's Luhn as the oracle."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from returns.result import Failure, Success
from stdnum import luhn

from ivr_domain.shared.values import Npi, npi_check_digit_ok

NPIS = st.builds(
    lambda first, rest: first + rest, st.sampled_from("12"), st.text(alphabet="0123456789", min_size=9, max_size=9)
)


@given(npi=NPIS)
def test_check_digit_agrees_with_luhn(npi: str) -> None:
    assert npi_check_digit_ok(npi) is luhn.is_valid("80840" + npi)


@pytest.mark.parametrize("npi", ["1234567893", "1558598797"])
def test_valid_examples(npi: str) -> None:
    assert npi_check_digit_ok(npi)
    assert Npi.parse(npi) == Success(Npi(npi))


def test_parse_strips_whitespace() -> None:
    assert Npi.parse(" 1234567893 ") == Success(Npi("1234567893"))


def test_bad_check_digit() -> None:
    assert not npi_check_digit_ok("1234567890")
    result = Npi.parse("1234567890")
    assert isinstance(result, Failure)
    assert result.failure().errors[0].message == "check digit does not match"


@pytest.mark.parametrize(
    "raw", ["", "123456789", "12345678931", "3234567893", "0234567893", "12345678a3", "abcdefghij"]
)
def test_bad_shape(raw: str) -> None:
    result = Npi.parse(raw, "doctor.npi")
    assert isinstance(result, Failure)
    error = result.failure().errors[0]
    assert error.field == "doctor.npi"
    assert error.message == "must be 10 digits starting with 1 or 2"


def test_constructor_refuses_invalid() -> None:
    with pytest.raises(ValueError, match="not a valid NPI"):
        Npi("1234567890")
