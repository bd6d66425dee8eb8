"""Danish formatting of amounts, hours, dates and months for letters."""

from __future__ import annotations

from datetime import date

from hr.calendar import Period, danish_month_name
from hr.money import Amount, round_ore

__all__ = ["format_amount", "format_date_long", "format_hours", "format_kr", "format_month"]


def format_amount(amount: Amount) -> str:
    """`8307.61` → `8.307,61`: thousands '.', decimal ',', rounded half-up to øre."""
    rounded = round_ore(amount)
    sign = "-" if rounded < 0 else ""
    text = f"{abs(rounded):,.2f}"
    return sign + text.replace(",", "_").replace(".", ",").replace("_", ".")


def format_kr(amount: Amount) -> str:
    """`8307.61` → `8.307,61 kr.`; negative amounts get a leading minus."""
    return f"{format_amount(amount)} kr."


def format_hours(hours: Amount) -> str:
    """`37` → `37,00` (hours with two decimals, Danish style)."""
    return format_amount(hours)


def format_date_long(d: date) -> str:
    """`2025-04-30` → `30. april 2025`."""
    return f"{d.day}. {danish_month_name(d.month)} {d.year}"


def format_month(period_or_date: Period | date) -> str:
    """A period or date's month: `maj 2025`."""
    return f"{danish_month_name(period_or_date.month)} {period_or_date.year}"
