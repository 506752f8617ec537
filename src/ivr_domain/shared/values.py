"""Values several contexts share: NPI, person name, US address, phone, email."""

from __future__ import annotations

import re
import unicodedata

from attrs import field, frozen
from returns.result import Failure, Result, Success

from ivr_domain.shared.errors import FieldError, ValidationFailed

_NPI = re.compile(r"^[12][0-9]{9}$")
_ZIP = re.compile(r"^[0-9]{5}(-[0-9]{4})?$")
_EMAIL = re.compile(
    r"^[^@\s\x00-\x1f\x7f\ud800-\udfff]{1,64}@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$"
)
_E164 = re.compile(r"^\+[1-9][0-9]{6,14}$")

US_STATES = frozenset(
    "AL AK AZ AR CA CO CT DE DC FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH NJ NM NY NC ND OH OK "
    "OR PA RI SC SD TN TX UT VT VA WA WV WI WY AS GU MP PR VI".split()
)


def normalise_for_match(text: str) -> str:
    """Fold text for exact matching: accents dropped, case folded, spacing collapsed."""
    decomposed = unicodedata.normalize("NFKD", text)
    plain = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(plain.casefold().split())


def npi_check_digit_ok(npi: str) -> bool:
    """Tell whether a 10-digit NPI carries a valid Luhn check digit (prefix 80840)."""
    digits = [int(c) for c in "80840" + npi]
    total = 0
    for position, digit in enumerate(reversed(digits)):
        doubled = digit * 2 if position % 2 == 1 else digit
        total += doubled - 9 if doubled > 9 else doubled
    return total % 10 == 0


def _npi_valid(_: object, __: object, value: str) -> None:
    if not _NPI.match(value) or not npi_check_digit_ok(value):
        raise ValueError("not a valid NPI")


@frozen
class Npi:
    """A National Provider Identifier: 10 digits, first 1 or 2, Luhn check digit."""

    value: str = field(validator=_npi_valid)

    @classmethod
    def parse(cls, raw: str, path: str = "npi") -> Result[Npi, ValidationFailed]:
        """Validate untrusted input into an NPI."""
        candidate = raw.strip()
        if not _NPI.match(candidate):
            return Failure(ValidationFailed.single(path, "must be 10 digits starting with 1 or 2"))
        if not npi_check_digit_ok(candidate):
            return Failure(ValidationFailed.single(path, "check digit does not match"))
        return Success(cls(candidate))


def _name_part(_: object, __: object, value: str) -> None:
    if not value.strip() or len(value) > 100:
        raise ValueError("must be 1 to 100 characters")


@frozen(kw_only=True)
class PersonName:
    """A person's given and family names as they write them."""

    first: str = field(validator=_name_part)
    last: str = field(validator=_name_part)

    @property
    def initials(self) -> str:
        """Return the initials, the only part of a name a masked view shows."""
        return f"{self.first.strip()[:1]}{self.last.strip()[:1]}".upper()


@frozen(kw_only=True)
class Address:
    """A US postal address."""

    line1: str
    city: str
    state: str
    postal_code: str
    line2: str | None = None

    @classmethod
    def parse(
        cls, *, line1: str, line2: str | None, city: str, state: str, postal_code: str, path: str = "address"
    ) -> Result[Address, ValidationFailed]:
        """Validate untrusted address parts, reporting every bad field at once."""
        errors: list[FieldError] = []
        if not line1.strip() or len(line1) > 200:
            errors.append(FieldError(field=f"{path}.line1", message="must be 1 to 200 characters"))
        if line2 is not None and len(line2) > 200:
            errors.append(FieldError(field=f"{path}.line2", message="must be at most 200 characters"))
        if not city.strip() or len(city) > 100:
            errors.append(FieldError(field=f"{path}.city", message="must be 1 to 100 characters"))
        if state.strip().upper() not in US_STATES:
            errors.append(FieldError(field=f"{path}.state", message="must be a two-letter US state code"))
        if not _ZIP.match(postal_code.strip()):
            errors.append(FieldError(field=f"{path}.postal_code", message="must be a ZIP code (12345 or 12345-6789)"))
        if errors:
            return Failure(ValidationFailed(errors=tuple(errors)))
        blank_line2 = line2 is None or not line2.strip()
        return Success(
            cls(
                line1=line1.strip(),
                line2=None if blank_line2 else (line2 or "").strip(),
                city=city.strip(),
                state=state.strip().upper(),
                postal_code=postal_code.strip(),
            )
        )


def _e164(_: object, __: object, value: str) -> None:
    if not _E164.match(value):
        raise ValueError("not an E.164 number")


@frozen
class Phone:
    """A phone number in E.164 form; parsing raw input goes through the `PhoneNumbers` port."""

    e164: str = field(validator=_e164)


def _email_valid(_: object, __: object, value: str) -> None:
    if len(value) > 254 or not _EMAIL.match(value):
        raise ValueError("not an email address")


@frozen
class Email:
    """An email address, stored in lower case so that it identifies one account."""

    value: str = field(validator=_email_valid)

    @classmethod
    def parse(cls, raw: str, path: str = "email") -> Result[Email, ValidationFailed]:
        """Validate and normalise untrusted input into an email address."""
        candidate = raw.strip().lower()
        if len(candidate) > 254 or not _EMAIL.match(candidate):
            return Failure(ValidationFailed.single(path, "must be an email address"))
        return Success(cls(candidate))
