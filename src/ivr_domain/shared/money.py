"""Money: a `Decimal` amount with its ISO 4217 currency."""

from __future__ import annotations

from decimal import Decimal

from attrs import field, frozen, validators


def _finite(_: object, __: object, value: Decimal) -> None:
    if not value.is_finite():
        raise ValueError("amount must be a finite number")


@frozen
class Money:
    """An amount of one currency; arithmetic refuses to mix currencies."""

    amount: Decimal = field(validator=[validators.instance_of(Decimal), _finite])
    currency: str = field(default="USD", validator=validators.matches_re(r"^[A-Z]{3}$"))

    def __add__(self, other: Money) -> Money:
        """Add two amounts of one currency."""
        self._same_currency(other)
        return Money(self.amount + other.amount, self.currency)

    def __sub__(self, other: Money) -> Money:
        """Subtract two amounts of one currency."""
        self._same_currency(other)
        return Money(self.amount - other.amount, self.currency)

    def quantized(self) -> Money:
        """Round to cents, half to even."""
        return Money(self.amount.quantize(Decimal("0.01")), self.currency)

    def _same_currency(self, other: Money) -> None:
        if other.currency != self.currency:
            raise ValueError(f"cannot combine {self.currency} with {other.currency}")
