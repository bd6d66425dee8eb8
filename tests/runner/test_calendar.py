"""The runner's bank-day arithmetic over any calendar, and how a calendar is chosen."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest

from runner.calendar import (
    WEEKDAYS,
    BankCalendar,
    bank_days_between,
    last_bank_day_before,
    load_calendar,
    next_bank_day,
    previous_bank_day,
)
from runner.config import NonBankDay, OnlyOn, TaskConfig, TaskSchedule
from runner.scheduler import fire_times

CPH = ZoneInfo("Europe/Copenhagen")
GOOD_FRIDAY = date(2024, 3, 29)


class ClosedOn:
    """A calendar of weekdays less some days."""

    def __init__(self, *closed: date) -> None:
        self.closed = set(closed)

    def is_bank_day(self, d: date) -> bool:
        return d.weekday() < 5 and d not in self.closed


def test_the_neutral_calendar_is_monday_to_friday() -> None:
    assert isinstance(WEEKDAYS, BankCalendar)
    assert WEEKDAYS.is_bank_day(GOOD_FRIDAY)  # no country's holidays
    assert not WEEKDAYS.is_bank_day(date(2024, 3, 30))
    assert next_bank_day(date(2024, 3, 30), WEEKDAYS) == date(2024, 4, 1)


def test_arithmetic_follows_the_calendar_it_is_given() -> None:
    closed = ClosedOn(GOOD_FRIDAY, date(2024, 4, 1))
    assert next_bank_day(GOOD_FRIDAY, closed) == date(2024, 4, 2)
    assert previous_bank_day(date(2024, 4, 1), closed) == date(2024, 3, 28)
    assert last_bank_day_before(date(2024, 4, 2), closed) == date(2024, 3, 28)
    assert bank_days_between(date(2024, 3, 25), date(2024, 4, 8), closed) == 8
    assert bank_days_between(date(2024, 4, 8), date(2024, 3, 25), closed) == -8


def test_an_unknown_calendar_name_is_refused() -> None:
    with pytest.raises(LookupError, match="no calendar 'mars' is installed; installed: "):
        load_calendar("mars")


def test_the_scheduler_skips_the_days_of_the_calendar_it_is_given() -> None:
    spec = TaskConfig(schedule=TaskSchedule(cron="0 7 * * *"), only_on=OnlyOn.BANK_DAYS,
                      on_non_bank_day=NonBankDay.SKIP)
    start = datetime(2024, 3, 28, 8, tzinfo=CPH)
    on_weekdays = fire_times(spec, start, 1, CPH, WEEKDAYS)
    closed = fire_times(spec, start, 1, CPH, ClosedOn(GOOD_FRIDAY))
    assert [t.date() for t in on_weekdays] == [GOOD_FRIDAY]
    assert [t.date() for t in closed] == [date(2024, 4, 1)]
