"""Money as Decimal, rounded half-up to øre once at the end of a computation."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

__all__ = ["LIMIT", "ORE", "Amount", "payable", "round_ore", "to_decimal"]

Amount = Decimal | int | str | float
ORE = Decimal("0.01")
#: Above any amount, salary, rate or hour count a payroll holds; below it Decimal's 28
#: digits keep every øre, so a larger value is refused before it is rounded or multiplied.
LIMIT = Decimal(10) ** 12


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
    """Round half-up to 2 decimals (øre); ValueError when the value has too many digits to keep øre."""
    try:
        return to_decimal(x).quantize(ORE, rounding=ROUND_HALF_UP)
    except InvalidOperation:
        raise ValueError("a number too large to round to øre") from None


def payable(value: Amount, limit: Amount = LIMIT) -> bool:
    """Whether `value`, rounded half-up to øre, is at least 0.01 and at most `limit` (and `LIMIT`).

    What a payroll line, a claim or an hour count can carry: negative, zero, 0.004 (0.00
    once rounded) and anything beyond the limit are not. Hours are checked the same way,
    to 2 decimals.
    """
    number = to_decimal(value)
    if abs(number) > LIMIT:  # before rounding: a huge value would not survive quantize
        return False
    rounded = round_ore(number)
    return ORE <= rounded <= to_decimal(limit)
