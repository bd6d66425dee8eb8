"""Money rounding and Danish formatting, with the rules files' numbers."""

from datetime import date
from decimal import Decimal

import pytest

from hr.calendar import Period
from hr.formatting import format_amount, format_date_long, format_hours, format_kr, format_month
from hr.money import LIMIT, payable, round_ore, to_decimal


def test_sixth_holiday_week_example() -> None:
    hourly_value = round_ore(to_decimal(36000) * 12 / (37 * 52))
    amount = round_ore(37 * hourly_value)
    assert hourly_value == Decimal("224.53")
    assert amount == Decimal("8307.61")
    assert format_amount(hourly_value) == "224,53"
    assert format_kr(amount) == "8.307,61 kr."


def test_refund_example_amount() -> None:
    assert format_kr(to_decimal(18779.72)) == "18.779,72 kr."


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2.345", "2.35"),  # half-up, not banker's rounding
        ("2.335", "2.34"),
        ("-2.345", "-2.35"),
        ("2.344999", "2.34"),
        (7, "7.00"),
        (0.125, "0.13"),
    ],
)
def test_round_ore_half_up(value: str | int | float, expected: str) -> None:
    assert round_ore(value) == Decimal(expected)
    assert str(round_ore(value)) == expected


def test_to_decimal_accepts_numbers_and_text() -> None:
    assert to_decimal(0.1) == Decimal("0.1")  # via repr, not the binary value
    assert to_decimal(" 12.50 ") == Decimal("12.50")
    assert to_decimal(Decimal("3")) == 3
    assert to_decimal(4) == 4


@pytest.mark.parametrize("bad", ["abc", "", "NaN", "Infinity", float("inf")])
def test_to_decimal_rejects(bad: str | float) -> None:
    with pytest.raises(ValueError):
        to_decimal(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (-1, False), (0, False), ("-0", False), (0.001, False), (0.004, False),  # 0.00 once rounded
        (0.005, True), (0.01, True), (LIMIT, True), (LIMIT + 1, False), ("1e999999", False),
    ],
)
def test_payable_is_judged_on_the_rounded_value(value: object, expected: bool) -> None:
    assert payable(value) is expected  # type: ignore[arg-type]


def test_payable_applies_the_limit_after_rounding() -> None:
    assert payable("50000.004", 50000) and not payable("50000.005", 50000)


def test_a_number_too_large_to_round_is_a_value_error_not_invalid_operation() -> None:
    with pytest.raises(ValueError, match="too large"):
        round_ore("1e999999")


def test_to_decimal_rejects_bool() -> None:
    with pytest.raises(TypeError):
        to_decimal(True)


@pytest.mark.parametrize(
    ("amount", "expected"),
    [
        (Decimal("0"), "0,00 kr."),
        (Decimal("999.999"), "1.000,00 kr."),
        (Decimal("-1234567.5"), "-1.234.567,50 kr."),
        (Decimal("-0.001"), "0,00 kr."),
        (Decimal("12"), "12,00 kr."),
    ],
)
def test_format_kr(amount: Decimal, expected: str) -> None:
    assert format_kr(amount) == expected


def test_format_hours() -> None:
    assert format_hours(Decimal("37")) == "37,00"
    assert format_hours(Decimal("148.00")) == "148,00"
    assert format_hours(Decimal("7.4")) == "7,40"


def test_format_date_long() -> None:
    assert format_date_long(date(2025, 4, 30)) == "30. april 2025"
    assert format_date_long(date(2025, 1, 1)) == "1. januar 2025"
    assert format_date_long(date(2025, 3, 14)) == "14. marts 2025"


def test_format_month() -> None:
    assert format_month(Period(2025, 5)) == "maj 2025"
    assert format_month(date(2024, 11, 18)) == "november 2024"
