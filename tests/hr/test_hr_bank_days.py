"""The Danish bank-day calendar, walked by the runner's bank-day arithmetic."""

from datetime import date
from functools import partial

import pytest

from hr.bank_days import danish_bank_days, easter_sunday
from runner import calendar

is_bank_day = danish_bank_days.is_bank_day
next_bank_day = partial(calendar.next_bank_day, calendar=danish_bank_days)
previous_bank_day = partial(calendar.previous_bank_day, calendar=danish_bank_days)
last_bank_day_before = partial(calendar.last_bank_day_before, calendar=danish_bank_days)
bank_days_between = partial(calendar.bank_days_between, calendar=danish_bank_days)

CLOSED = [
    date(2024, 1, 1),  # New Year's Day
    date(2024, 3, 28),  # Maundy Thursday
    date(2024, 3, 29),  # Good Friday
    date(2024, 4, 1),  # Easter Monday
    date(2024, 5, 9),  # Ascension Day
    date(2024, 5, 10),  # the Friday after Ascension Day
    date(2024, 5, 20),  # Whit Monday
    date(2024, 6, 5),  # Grundlovsdag (a Wednesday)
    date(2024, 12, 24),
    date(2024, 12, 25),
    date(2024, 12, 26),
    date(2024, 12, 31),
    date(2025, 1, 1),
    date(2025, 4, 17),
    date(2025, 4, 18),
    date(2025, 4, 21),  # Easter Monday
    date(2025, 5, 29),  # Ascension Day
    date(2025, 5, 30),  # the Friday after
    date(2025, 6, 5),  # Grundlovsdag (a Thursday)
    date(2025, 6, 9),  # Whit Monday
    date(2025, 12, 24),
    date(2025, 12, 31),
]
OPEN = [
    date(2024, 4, 26),  # the old Great Prayer Day, abolished from 2024
    date(2024, 11, 18),
    date(2024, 12, 23),
    date(2024, 12, 27),
    date(2024, 12, 30),
    date(2025, 1, 2),
    date(2025, 5, 28),
    date(2025, 6, 6),
]


@pytest.mark.parametrize("day", CLOSED, ids=str)
def test_holidays_are_not_bank_days(day: date) -> None:
    assert day.weekday() < 5
    assert not is_bank_day(day)


@pytest.mark.parametrize("day", OPEN, ids=str)
def test_ordinary_weekdays_are_bank_days(day: date) -> None:
    assert is_bank_day(day)


def test_weekends_are_not_bank_days() -> None:
    assert not is_bank_day(date(2024, 11, 16))
    assert not is_bank_day(date(2024, 11, 17))


def test_easter_sunday() -> None:
    assert easter_sunday(2024) == date(2024, 3, 31)
    assert easter_sunday(2025) == date(2025, 4, 20)
    assert easter_sunday(2038) == date(2038, 4, 25)


def test_next_and_previous_bank_day_include_the_day_itself() -> None:
    assert next_bank_day(date(2024, 11, 18)) == date(2024, 11, 18)
    assert previous_bank_day(date(2024, 11, 18)) == date(2024, 11, 18)


def test_next_bank_day_over_easter_and_christmas() -> None:
    assert next_bank_day(date(2024, 3, 28)) == date(2024, 4, 2)
    assert next_bank_day(date(2024, 12, 24)) == date(2024, 12, 27)
    assert next_bank_day(date(2024, 12, 31)) == date(2025, 1, 2)
    assert next_bank_day(date(2025, 5, 29)) == date(2025, 6, 2)


def test_previous_bank_day_over_easter_and_christmas() -> None:
    assert previous_bank_day(date(2024, 4, 1)) == date(2024, 3, 27)
    assert previous_bank_day(date(2024, 12, 26)) == date(2024, 12, 23)
    assert previous_bank_day(date(2025, 1, 1)) == date(2024, 12, 30)


def test_last_bank_day_before_is_strictly_before() -> None:
    assert last_bank_day_before(date(2024, 11, 19)) == date(2024, 11, 18)
    assert last_bank_day_before(date(2024, 11, 18)) == date(2024, 11, 15)
    assert last_bank_day_before(date(2024, 12, 27)) == date(2024, 12, 23)


def test_bank_days_between_is_half_open() -> None:
    assert bank_days_between(date(2024, 11, 18), date(2024, 11, 18)) == 0
    assert bank_days_between(date(2024, 11, 18), date(2024, 11, 25)) == 5
    assert bank_days_between(date(2024, 12, 23), date(2025, 1, 3)) == 4  # 23, 27, 30 Dec, 2 Jan
    assert bank_days_between(date(2024, 11, 25), date(2024, 11, 18)) == -5


def test_hr_registers_the_danish_calendar_as_the_default() -> None:
    assert "danish" in calendar.installed_calendars()
    assert calendar.load_calendar("danish") is danish_bank_days
    assert calendar.load_calendar() is danish_bank_days  # the only one installed
    assert isinstance(danish_bank_days, calendar.BankCalendar)
