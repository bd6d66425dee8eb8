"""Money as Decimal, rounded half-up to øre once at the end of a computation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["ORE", "Amount", "round_ore", "to_decimal"]

Amount = Decimal | int | str | float
ORE = Decimal("0.01")


def to_decimal(value: Amount) -> Decimal:
    """Convert to Decimal; a float goes via its shortest repr, so 0.1 is 0.1."""
    if isinstance(value, bool):
        raise TypeError("a bool is not an amount")
    if isinstance(value, float):
        value = repr(value)
    try:
        result = Decimal(value.strip() if isinstance(value, str) else value)
    except InvalidOperation:
        raise ValueError(f"not a number: {value!r}") from None
    if not result.is_finite():
        raise ValueError(f"not a finite number: {value!r}")
    return result


def round_ore(x: Amount) -> Decimal:
    """Round half-up to 2 decimals (øre)."""
    return to_decimal(x).quantize(ORE, rounding=ROUND_HALF_UP)
