"""Danish bank days: the days a bank, and so a payroll run, is open.

Monday to Friday, except Danish public holidays (`holidays.Denmark`), Grundlovsdag
(5 June), Christmas Eve, New Year's Eve and the Friday after Ascension Day. Registered
as the runner's calendar `danish` (entry-point group `rpa.calendars`).
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays
from dateutil.easter import easter as easter_sunday

__all__ = ["DanishBankDays", "closed_days", "danish_bank_days", "easter_sunday"]

_FRIDAY_AFTER_ASCENSION = timedelta(days=40)  # Ascension Day is Easter Sunday + 39


@cache
def closed_days(year: int) -> frozenset[date]:
    """The days of `year` besides weekends on which banks are closed."""
    public = set(holidays.country_holidays("DK", years=year))
    extra = {
        date(year, 6, 5),
        date(year, 12, 24),
        date(year, 12, 31),
        easter_sunday(year) + _FRIDAY_AFTER_ASCENSION,
    }
    return frozenset(public | extra)


class DanishBankDays:
    """The Danish bank-day calendar, in the shape of the runner's `BankCalendar`."""

    name = "danish"

    def is_bank_day(self, d: date) -> bool:
        """True on a Danish bank day."""
        return d.weekday() < 5 and d not in closed_days(d.year)


danish_bank_days = DanishBankDays()
