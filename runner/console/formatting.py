"""Dates, times and numbers as a Danish reader expects them (Babel), times in the
deployment's zone with the zone shown: "18. november 2024 kl. 09.05 CET"."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date, format_datetime
from babel.numbers import format_decimal

LOCALE = "da_DK"
TIME_FORMAT = "d. MMMM y 'kl.' HH.mm zzz"


def format_time(moment: datetime, zone: ZoneInfo) -> str:
    """An aware datetime in `zone`, with the zone's abbreviation (CET/CEST)."""
    return format_datetime(moment, TIME_FORMAT, tzinfo=zone, locale=LOCALE)


def format_day(day: date) -> str:
    return format_date(day, "d. MMMM y", locale=LOCALE)


def format_short_day(day: date) -> str:
    """A date where a table column is narrow: 18.11.2024."""
    return format_date(day, "dd.MM.y", locale=LOCALE)


def format_count(count: int) -> str:
    """A whole number with Danish thousands separators: 12.345."""
    return format_decimal(count, locale=LOCALE)
