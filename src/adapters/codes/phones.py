"""Phone numbers as people type them, parsed with Google's libphonenumber port."""

from __future__ import annotations

import phonenumbers
from phonenumbers import NumberParseException, PhoneNumberFormat


class LibPhoneNumbers:
    """Turns typed phone numbers into E.164, reading numbers without a country code in the default region."""

    def __init__(self, default_region: str = "US") -> None:
        self._region = default_region

    def to_e164(self, raw: str) -> str | None:
        """Return the E.164 form of a valid number, or None (a local-only 7-digit number is not enough)."""
        try:
            number = phonenumbers.parse(raw, self._region)
        except NumberParseException:
            return None
        if not phonenumbers.is_valid_number(number):
            return None
        return phonenumbers.format_number(number, PhoneNumberFormat.E164)
