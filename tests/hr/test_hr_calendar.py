"""Payroll periods, cut-off and month arithmetic (the 10th is the default cut-off)."""

from datetime import date

import pytest

from hr.calendar import (
    Period,
    add_months,
    cutoff_date,
    danish_month_name,
    month_end,
    payroll_period_for,
)


def test_period_text_round_trip() -> None:
    period = Period.parse("2025-05")
    assert period == Period(2025, 5)
    assert str(period) == "2025-05"
    assert str(Period(987, 1)) == "0987-01"


@pytest.mark.parametrize("text", ["2025-13", "2025-00", "2025-5", "25-05", "2025/05", "maj"])
def test_period_parse_rejects(text: str) -> None:
    with pytest.raises(ValueError):
        Period.parse(text)


def test_period_of_a_date() -> None:
    assert Period.of(date(2025, 5, 31)) == Period(2025, 5)


def test_period_next_and_previous_cross_years() -> None:
    assert Period(2025, 12).next() == Period(2026, 1)
    assert Period(2025, 1).previous() == Period(2024, 12)
    assert Period(2025, 5).shift(-17) == Period(2023, 12)


def test_period_days() -> None:
    assert Period(2024, 2).first_day == date(2024, 2, 1)
    assert Period(2024, 2).last_day == date(2024, 2, 29)
    assert Period(2025, 2).last_day == date(2025, 2, 28)
    assert Period(2025, 12).last_day == date(2025, 12, 31)


def test_periods_are_ordered_and_hashable() -> None:
    periods = [Period(2025, 1), Period(2024, 12), Period(2025, 11), Period(2025, 2)]
    assert [str(p) for p in sorted(periods)] == ["2024-12", "2025-01", "2025-02", "2025-11"]
    assert Period(2024, 12) < Period(2025, 1)
    assert len({Period(2025, 1), Period.parse("2025-01")}) == 1


def test_invalid_period() -> None:
    with pytest.raises(ValueError):
        Period(2025, 13)


@pytest.mark.parametrize(
    ("start", "months", "expected"),
    [
        (date(2025, 1, 31), 1, date(2025, 2, 28)),
        (date(2024, 1, 31), 1, date(2024, 2, 29)),
        (date(2025, 3, 31), -1, date(2025, 2, 28)),
        (date(2025, 5, 15), -12, date(2024, 5, 15)),
        (date(2025, 12, 15), 1, date(2026, 1, 15)),
        (date(2025, 1, 15), -25, date(2022, 12, 15)),
        (date(2025, 8, 31), 0, date(2025, 8, 31)),
        (date(2025, 8, 31), 1, date(2025, 9, 30)),
        (date(2024, 2, 29), 12, date(2025, 2, 28)),
    ],
)
def test_add_months(start: date, months: int, expected: date) -> None:
    assert add_months(start, months) == expected


def test_cutoff_date() -> None:
    assert cutoff_date(Period(2025, 2)) == date(2025, 2, 10)
    assert cutoff_date(Period(2025, 2), cutoff_day=31) == date(2025, 2, 28)
    assert cutoff_date(Period(2024, 2), cutoff_day=30) == date(2024, 2, 29)
    with pytest.raises(ValueError):
        cutoff_date(Period(2025, 2), cutoff_day=0)


@pytest.mark.parametrize(
    ("registered", "cutoff_day", "expected"),
    [
        (date(2025, 5, 10), 10, "2025-05"),
        (date(2025, 5, 11), 10, "2025-06"),
        (date(2025, 5, 1), 10, "2025-05"),
        (date(2025, 12, 11), 10, "2026-01"),
        (date(2025, 5, 31), 31, "2025-05"),
        (date(2025, 2, 28), 30, "2025-02"),
        (date(2025, 6, 2), 10, "2025-06"),
    ],
)
def test_payroll_period_for(registered: date, cutoff_day: int, expected: str) -> None:
    assert str(payroll_period_for(registered, cutoff_day)) == expected


def test_month_end() -> None:
    assert month_end(date(2025, 4, 3)) == date(2025, 4, 30)
    assert month_end(date(1900, 2, 1)) == date(1900, 2, 28)


def test_danish_month_names() -> None:
    names = [danish_month_name(m) for m in range(1, 13)]
    assert names[0] == "januar" and names[4] == "maj" and names[11] == "december"
    assert names[2] == "marts" and names[9] == "oktober"
    with pytest.raises(ValueError):
        danish_month_name(13)
