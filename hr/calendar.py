"""Payroll periods and month arithmetic.

Work registered after a month's cut-off day (the 10th by default) is paid the month after.
"""

from __future__ import annotations

import calendar as _stdlib_calendar
import re
from dataclasses import dataclass
from datetime import date

__all__ = [
    "DANISH_MONTH_NAMES",
    "Period",
    "add_months",
    "cutoff_date",
    "danish_month_name",
    "month_end",
    "payroll_period_for",
]

DANISH_MONTH_NAMES: tuple[str, ...] = (
    "januar", "februar", "marts", "april", "maj", "juni",
    "juli", "august", "september", "oktober", "november", "december",
)  # fmt: skip

_PERIOD = re.compile(r"([0-9]{4})-([0-9]{2})")


@dataclass(frozen=True, order=True)
class Period:
    """A payroll period: one calendar month, written `YYYY-MM`."""

    year: int
    month: int

    def __post_init__(self) -> None:
        if not 1 <= self.month <= 12 or not 1 <= self.year <= 9999:
            raise ValueError(f"no such period: {self.year}-{self.month}")

    def __str__(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @classmethod
    def parse(cls, text: str) -> Period:
        """Parse `YYYY-MM`; ValueError otherwise."""
        match = _PERIOD.fullmatch(text.strip())
        if match is None:
            raise ValueError(f"not a period (YYYY-MM): {text!r}")
        return cls(int(match[1]), int(match[2]))

    @classmethod
    def of(cls, d: date) -> Period:
        """The period (month) a date falls in."""
        return cls(d.year, d.month)

    def shift(self, months: int) -> Period:
        """The period `months` later (earlier when negative)."""
        return Period.of(add_months(self.first_day, months))

    def next(self) -> Period:
        """The following period."""
        return self.shift(1)

    def previous(self) -> Period:
        """The preceding period."""
        return self.shift(-1)

    @property
    def first_day(self) -> date:
        """The period's first day."""
        return date(self.year, self.month, 1)

    @property
    def last_day(self) -> date:
        """The period's last day."""
        return month_end(self.first_day)


def month_end(d: date) -> date:
    """The last day of the date's month."""
    return d.replace(day=_days_in_month(d.year, d.month))


def add_months(d: date, n: int) -> date:
    """The date `n` calendar months later (earlier when `n` is negative).

    Lands on the same day number, or on the month's last day when it is shorter.
    """
    index = d.year * 12 + d.month - 1 + n
    year, month = divmod(index, 12)
    month += 1
    return date(year, month, min(d.day, _days_in_month(year, month)))


def cutoff_date(period: Period, cutoff_day: int = 10) -> date:
    """The period's cut-off: day `cutoff_day`, or its last day if the month is shorter."""
    if cutoff_day < 1:
        raise ValueError(f"cutoff_day must be at least 1, got {cutoff_day}")
    return date(
        period.year, period.month, min(cutoff_day, _days_in_month(period.year, period.month))
    )


def payroll_period_for(d: date, cutoff_day: int = 10) -> Period:
    """The period that pays work registered on `d`: its month up to the cut-off, else the next."""
    period = Period.of(d)
    return period if d <= cutoff_date(period, cutoff_day) else period.next()


def danish_month_name(month: int) -> str:
    """The Danish name of a month, lower case: 1 → "januar"."""
    if not 1 <= month <= 12:
        raise ValueError(f"no such month: {month}")
    return DANISH_MONTH_NAMES[month - 1]


def _days_in_month(year: int, month: int) -> int:
    return _stdlib_calendar.monthrange(year, month)[1]
