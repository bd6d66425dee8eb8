"""Danish bank days: the days a bank, and so a payroll run, is open.

Monday to Friday, except Danish public holidays (`holidays.Denmark`), Grundlovsdag
(5 June), Christmas Eve, New Year's Eve and the Friday after Ascension Day.
"""

from __future__ import annotations

from datetime import date, timedelta
from functools import cache

import holidays

_ONE_DAY = timedelta(days=1)


def easter_sunday(year: int) -> date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a, b, c = year % 19, year // 100, year % 100
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    l = (32 + 2 * e + 2 * i - h - k) % 7  # noqa: E741 - the algorithm's own name
    m = (a + 11 * h + 22 * l) // 451
    month, day = divmod(h + l - 7 * m + 114, 31)
    return date(year, month, day + 1)


@cache
def closed_days(year: int) -> frozenset[date]:
    """The days of `year` besides weekends on which banks are closed."""
    public = set(holidays.country_holidays("DK", years=year))
    ascension = easter_sunday(year) + timedelta(days=39)
    extra = {
        date(year, 6, 5),
        date(year, 12, 24),
        date(year, 12, 31),
        ascension + _ONE_DAY,
    }
    return frozenset(public | extra)


def is_bank_day(d: date) -> bool:
    """True on a Danish bank day."""
    return d.weekday() < 5 and d not in closed_days(d.year)


def next_bank_day(d: date) -> date:
    """`d` if it is a bank day, else the first bank day after it."""
    while not is_bank_day(d):
        d += _ONE_DAY
    return d


def previous_bank_day(d: date) -> date:
    """`d` if it is a bank day, else the last bank day before it."""
    while not is_bank_day(d):
        d -= _ONE_DAY
    return d


def last_bank_day_before(d: date) -> date:
    """The last bank day strictly before `d`."""
    return previous_bank_day(d - _ONE_DAY)


def bank_days_between(a: date, b: date) -> int:
    """Bank days in the half-open range [a, b); negative when b is before a."""
    if b < a:
        return -bank_days_between(b, a)
    count = 0
    d = a
    while d < b:
        count += is_bank_day(d)
        d += _ONE_DAY
    return count
