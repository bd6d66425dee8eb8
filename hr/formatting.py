"""Danish formatting of amounts, hours, dates and months for letters (Babel, `da_DK`)."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from babel.dates import format_date
from babel.numbers import format_decimal

from hr.calendar import Period
from hr.money import Amount, round_ore

__all__ = [
    "LOCALE",
    "format_amount",
    "format_date_long",
    "format_decimal_da",
    "format_hours",
    "format_kr",
    "format_month",
]

LOCALE = "da_DK"
_TWO_DECIMALS = "#,##0.00"


def format_decimal_da(number: Decimal) -> str:
    """`1234.5` → `1.234,50`: thousands '.', decimal ',', two decimals (half-even beyond)."""
    return format_decimal(number, format=_TWO_DECIMALS, locale=LOCALE)


def format_amount(amount: Amount) -> str:
    """`8307.61` → `8.307,61`: thousands '.', decimal ',', rounded half-up to øre."""
    rounded = round_ore(amount)
    return format_decimal_da(abs(rounded) if rounded.is_zero() else rounded)  # never "-0,00"


def format_kr(amount: Amount) -> str:
    """`8307.61` → `8.307,61 kr.`; negative amounts get a leading minus."""
    return f"{format_amount(amount)} kr."


def format_hours(hours: Amount) -> str:
    """`37` → `37,00` (hours with two decimals, Danish style)."""
    return format_amount(hours)


def format_date_long(d: date) -> str:
    """`2025-04-30` → `30. april 2025`."""
    return format_date(d, "d. MMMM y", locale=LOCALE)


def format_month(period_or_date: Period | date) -> str:
    """A period or date's month: `maj 2025`."""
    return format_date(date(period_or_date.year, period_or_date.month, 1), "MMMM y", locale=LOCALE)
