"""Bank days: the days `only_on: bank_days` schedules count.

The runner knows no country's holidays. A calendar is plugged in through the entry-point
group `rpa.calendars` (hr registers `danish`) and named by `calendar:` in
orchestrator.yaml; without a name the only installed calendar is used (the first by name
when there are several), and with none installed every Monday to Friday is a bank day.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache
from importlib.metadata import entry_points
from typing import Protocol, runtime_checkable

__all__ = [
    "CALENDARS_GROUP",
    "WEEKDAYS",
    "BankCalendar",
    "Weekdays",
    "bank_days_between",
    "installed_calendars",
    "is_bank_day",
    "last_bank_day_before",
    "load_calendar",
    "next_bank_day",
    "previous_bank_day",
]

CALENDARS_GROUP = "rpa.calendars"
_ONE_DAY = timedelta(days=1)


@runtime_checkable
class BankCalendar(Protocol):
    """Which days are bank days."""

    def is_bank_day(self, d: date) -> bool:
        """True when `d` is a bank day."""


class Weekdays:
    """Monday to Friday: the calendar when none is installed."""

    name = "weekdays"

    def is_bank_day(self, d: date) -> bool:
        return d.weekday() < 5


WEEKDAYS = Weekdays()


def installed_calendars() -> list[str]:
    """The names of the calendars installed in the entry-point group `rpa.calendars`."""
    return sorted({entry.name for entry in entry_points(group=CALENDARS_GROUP)})


@cache
def load_calendar(name: str | None = None) -> BankCalendar:
    """The installed calendar `name`; None: the only (or first) installed one, else weekdays.

    Raises LookupError when no installed calendar has that name.
    """
    names = installed_calendars()
    if name is None:
        if not names:
            return WEEKDAYS
        name = names[0]
    for entry in entry_points(group=CALENDARS_GROUP, name=name):
        calendar: BankCalendar = entry.load()
        return calendar
    raise LookupError(f"no calendar {name!r} is installed; installed: {', '.join(names) or '(none)'}")


def _calendar(calendar: BankCalendar | None) -> BankCalendar:
    return load_calendar() if calendar is None else calendar


def is_bank_day(d: date, calendar: BankCalendar | None = None) -> bool:
    """True on a bank day of `calendar` (None: the default installed one)."""
    return _calendar(calendar).is_bank_day(d)


def next_bank_day(d: date, calendar: BankCalendar | None = None) -> date:
    """`d` if it is a bank day, else the first bank day after it."""
    calendar = _calendar(calendar)
    while not calendar.is_bank_day(d):
        d += _ONE_DAY
    return d


def previous_bank_day(d: date, calendar: BankCalendar | None = None) -> date:
    """`d` if it is a bank day, else the last bank day before it."""
    calendar = _calendar(calendar)
    while not calendar.is_bank_day(d):
        d -= _ONE_DAY
    return d


def last_bank_day_before(d: date, calendar: BankCalendar | None = None) -> date:
    """The last bank day strictly before `d`."""
    return previous_bank_day(d - _ONE_DAY, calendar)


def bank_days_between(a: date, b: date, calendar: BankCalendar | None = None) -> int:
    """Bank days in the half-open range [a, b); negative when b is before a."""
    if b < a:
        return -bank_days_between(b, a, calendar)
    calendar = _calendar(calendar)
    count = 0
    d = a
    while d < b:
        count += calendar.is_bank_day(d)
        d += _ONE_DAY
    return count
