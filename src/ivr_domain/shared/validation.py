"""Collecting every field problem of an input before answering, so clients see them all at once."""

from __future__ import annotations

from typing import TypeVar

from attrs import frozen
from returns.result import Result, Success

from ivr_domain.shared.errors import FieldError, InvalidQuery, ValidationFailed
from ivr_domain.shared.paging import PageRequest, SortKey, position_of
from ivr_domain.shared.ports import PhoneNumbers
from ivr_domain.shared.values import Address, Email, Phone

T = TypeVar("T")


@frozen(kw_only=True)
class AddressInput:
    """An address as a client typed it."""

    line1: str
    city: str
    state: str
    postal_code: str
    line2: str | None = None


class Problems:
    """Accumulates field errors while an input is checked."""

    def __init__(self) -> None:
        """Start with no problems."""
        self._errors: list[FieldError] = []

    def add(self, path: str, message: str) -> None:
        """Record one problem."""
        self._errors.append(FieldError(field=path, message=message))

    def take(self, result: Result[T, ValidationFailed]) -> T | None:
        """Return a parsed value, or record its problems and return None."""
        if isinstance(result, Success):
            value: T | None = result.value_or(None)
            return value
        self._errors.extend(result.failure().errors)
        return None

    def failure(self) -> ValidationFailed | None:
        """Return every recorded problem as one failure, or None when there are none."""
        return ValidationFailed(errors=tuple(self._errors)) if self._errors else None

    def address(self, raw: AddressInput | None, path: str) -> Address | None:
        """Parse an optional address."""
        if raw is None:
            return None
        return self.take(
            Address.parse(
                line1=raw.line1, line2=raw.line2, city=raw.city, state=raw.state, postal_code=raw.postal_code, path=path
            )
        )

    def phone(self, raw: str | None, phones: PhoneNumbers, path: str) -> Phone | None:
        """Parse an optional phone number into E.164."""
        if raw is None:
            return None
        e164 = phones.to_e164(raw)
        if e164 is None:
            self.add(path, "must be a possible phone number (with country code outside the US)")
            return None
        return Phone(e164)

    def email(self, raw: str | None, path: str) -> Email | None:
        """Parse an optional email address."""
        return None if raw is None else self.take(Email.parse(raw, path))

    def text(self, raw: str, path: str, *, max_length: int) -> str:
        """Trim a required text, recording it when blank or too long."""
        value = raw.strip()
        if not value:
            self.add(path, "must not be blank")
        elif len(value) > max_length:
            self.add(path, f"must be at most {max_length} characters")
        elif (unstorable := text_problem(value)) is not None:
            # HTTP bodies never get here with such text (the edge refuses it first); other callers (the CLI) may.
            self.add(path, unstorable)
        return value


def text_problem(text: str) -> str | None:
    """Say why no database can store a text, or None: PostgreSQL refuses NUL, and none stores a lone surrogate."""
    if "\x00" in text:
        return "must not contain the NUL character (U+0000)"
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return "must be valid Unicode text (it holds a lone surrogate, such as \\ud800)"
    return None


def check_page(page: PageRequest, allowed_sorts: tuple[str, ...]) -> InvalidQuery | None:
    """Refuse a sort outside the documented set and a cursor that this sort did not make."""
    if SortKey.parse(page.sort, allowed_sorts) is None:
        options = ", ".join(f"{s}, -{s}" for s in allowed_sorts)
        return InvalidQuery(parameter="sort", detail=f"sort must be one of {options}")
    if page.cursor is not None and position_of(page.cursor, page.sort) is None:
        return InvalidQuery(parameter="cursor", detail="cursor is malformed or was made for another sort")
    return None
