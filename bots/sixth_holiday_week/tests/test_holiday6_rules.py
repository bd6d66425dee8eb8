"""Every example of the payout of the 6th holiday week rules, its boundaries and the decision contract."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from bots.sixth_holiday_week import rules
from bots.sixth_holiday_week.bot import bot
from bots.sixth_holiday_week.models import CaseFacts, EmploymentFacts, Settings
from runner.testing import rpa_decide

REQUEST_KEYS = {"outcome", "code", "earning_year", "hours", "hourly_value", "amount", "period"}
TERMINATION_KEYS = {"outcome", "code", "reason", "lines", "amount", "period"}


def employment(**fields: Any) -> dict[str, Any]:
    record = {
        "employment_id": "E100234", "cpr": "0707614285", "name": "Mette Nielsen",
        "pay": "monthly", "start_date": "2015-08-01", "end_date": None, "weekly_hours": 37,
        "monthly_salary": 36000.0, "hourly_rate": None, "digital_post": True,
        "holiday6": [{"earning_year": 2024, "earned_hours": 37, "taken_hours": 0,
                      "paid_hours": 0, "transferred_hours": 0}],
    }
    record.update(fields)
    return record


def request(as_of: str, emp: dict[str, Any] | None, *, request_date: str | None = None,
            year: int = 2024, hours: float | None = None, **settings: Any) -> dict[str, Any]:
    data = {
        "as_of": as_of, "employment": emp, "settings": settings or None,
        "case": {"type": "holiday6_payout_request", "case_id": "SP-2025-00001",
                 "employment_id": "E100234", "request_date": request_date or as_of,
                 "earning_year": year, "hours": hours},
    }
    return bot.decide(data)  # type: ignore[misc]


def termination(emp: dict[str, Any] | None, transfer_agreed: bool = False) -> dict[str, Any]:
    return rules.decide({"as_of": "2024-11-18", "employment": emp, "settings": None,
                         "case": {"type": "holiday6_termination", "employment_id": "E100234",
                                  "transfer_agreed": transfer_agreed}})


# -- the rules file's examples -------------------------------------------------------------


def test_full_time_request_pays_all_unused_hours() -> None:
    assert request("2025-06-02", employment(), hours=None) == {
        "outcome": "payout", "code": None, "earning_year": 2024, "hours": 37.0,
        "hourly_value": 224.53, "amount": 8307.61, "period": "2025-06",
    }


def test_part_time_request_pays_the_hours_asked_for() -> None:
    emp = employment(weekly_hours=30, monthly_salary=29189.19,
                     holiday6=[{"earning_year": 2024, "earned_hours": 30}])
    decision = request("2025-05-05", emp, hours=10)
    assert (decision["outcome"], decision["hours"], decision["hourly_value"]) == ("payout", 10.0, 224.53)
    assert (decision["amount"], decision["period"]) == (2245.30, "2025-05")


def test_hourly_paid_staff_have_no_sixth_week() -> None:
    decision = request("2025-06-02", employment(pay="hourly", monthly_salary=None, hourly_rate=180.0))
    assert decision == dict.fromkeys(REQUEST_KEYS) | {"outcome": "exception", "code": "NO_ENTITLEMENT"}
    assert termination(employment(pay="hourly"))["code"] == "NO_ENTITLEMENT"


def test_more_hours_than_unused_is_insufficient_balance() -> None:
    emp = employment(holiday6=[{"earning_year": 2024, "earned_hours": 37, "taken_hours": 30}])
    assert request("2025-06-02", emp, hours=10)["code"] == "INSUFFICIENT_BALANCE"


def test_hours_are_not_available_before_may_the_following_year() -> None:
    assert request("2025-03-01", employment())["code"] == "NOT_YET_AVAILABLE"


# -- the order of the checks and their edges ----------------------------------------------


def test_missing_employment_is_employment_not_found() -> None:
    assert request("2025-06-02", None)["code"] == "EMPLOYMENT_NOT_FOUND"
    assert termination(None)["code"] == "EMPLOYMENT_NOT_FOUND"


@pytest.mark.parametrize(("end_date", "request_date", "code"), [
    ("2025-05-31", "2025-05-31", None),  # the last day is still active
    ("2025-05-31", "2025-06-01", "EMPLOYMENT_INACTIVE"),
    (None, "2015-07-31", "EMPLOYMENT_INACTIVE"),  # before the start
])
def test_active_on_the_request_date(end_date: str | None, request_date: str, code: str | None) -> None:
    emp = employment(end_date=end_date)
    if request_date < "2016":
        emp["holiday6"] = [{"earning_year": 2014, "earned_hours": 37}]
        assert request(request_date, emp, year=2014)["code"] == code
    else:
        assert request(request_date, emp)["code"] == code


def test_a_year_without_an_entry_is_no_balance() -> None:
    assert request("2025-06-02", employment(), year=2015)["code"] == "NO_BALANCE"


def test_hours_are_available_from_the_first_of_may() -> None:
    assert request("2025-04-30", employment())["code"] == "NOT_YET_AVAILABLE"
    assert request("2025-05-01", employment())["outcome"] == "payout"


@pytest.mark.parametrize(("hours", "code"), [(0, "INSUFFICIENT_BALANCE"), (-1, "INSUFFICIENT_BALANCE"),
                                             (37, None), (37.01, "INSUFFICIENT_BALANCE")])
def test_requested_hours_must_be_above_zero_and_within_the_balance(hours: float, code: str | None) -> None:
    assert request("2025-06-02", employment(), hours=hours)["code"] == code


def test_nothing_unused_is_insufficient_balance() -> None:
    emp = employment(holiday6=[{"earning_year": 2024, "earned_hours": 37, "paid_hours": 20,
                                "transferred_hours": 17}])
    assert request("2025-06-02", emp)["code"] == "INSUFFICIENT_BALANCE"


def test_request_deadline_binds_only_the_first_usable_period() -> None:
    assert request("2025-09-30", employment(), request_deadline="09-30")["outcome"] == "payout"
    assert request("2025-10-01", employment(), request_deadline="09-30")["code"] == "REQUEST_LATE"
    assert request("2026-04-30", employment(), request_deadline="09-30")["code"] == "REQUEST_LATE"
    assert request("2026-05-01", employment(), request_deadline="09-30")["outcome"] == "payout"
    assert request("2025-10-01", employment())["outcome"] == "payout"  # no deadline by default


def test_a_leap_day_deadline_in_a_common_year_is_the_last_of_february() -> None:
    emp = employment(holiday6=[{"earning_year": 2025, "earned_hours": 37}])  # usable 2026-05-01
    as_of = "2026-05-02"
    assert request(as_of, emp, year=2025, request_deadline="02-29")["code"] == "REQUEST_LATE"
    emp = employment(holiday6=[{"earning_year": 2023, "earned_hours": 37}])
    assert request("2024-02-29", emp, year=2023)["code"] == "NOT_YET_AVAILABLE"
    assert request("2024-05-01", emp, year=2023)["outcome"] == "payout"


# -- payroll periods: the cut-off rule -------------------------------------------------------


@pytest.mark.parametrize(("as_of", "cutoff_day", "period"), [
    ("2025-06-10", 10, "2025-06"),  # the cut-off day itself is in time
    ("2025-06-11", 10, "2025-07"),
    ("2025-12-11", 10, "2026-01"),  # over the year boundary
    ("2025-12-31", 10, "2026-01"),
    ("2025-05-01", 10, "2025-05"),
    ("2026-02-28", 31, "2026-02"),  # a month shorter than the cut-off day: its last day
    ("2028-02-29", 30, "2028-02"),  # leap day
    ("2028-02-29", 28, "2028-03"),
])
def test_payout_period_follows_the_cut_off(as_of: str, cutoff_day: int, period: str) -> None:
    emp = employment(holiday6=[{"earning_year": 2024, "earned_hours": 37}])
    decision = request(as_of, emp, request_date="2025-06-02", cutoff_day=cutoff_day)
    assert decision["period"] == period


# -- money ------------------------------------------------------------------------------------


def test_hourly_value_is_rounded_half_up_before_the_amount() -> None:
    # 4333.55 × 12 / (10 × 52) = 100.005 exactly: half-up gives 100.01 (not 100.00)
    emp = employment(weekly_hours=10, monthly_salary=4333.55,
                     holiday6=[{"earning_year": 2024, "earned_hours": 10}])
    decision = request("2025-06-02", emp, hours=0.5)
    assert decision["hourly_value"] == 100.01
    assert decision["amount"] == 50.01  # 0.5 × 100.01 = 50.005 → 50.01


def test_the_letter_figures_add_up() -> None:
    decision = request("2025-06-02", employment(), hours=None)
    assert round(decision["hours"] * decision["hourly_value"], 2) == decision["amount"]


# -- B. termination -----------------------------------------------------------------------------


def test_termination_pays_every_year_with_unused_hours_oldest_first() -> None:
    emp = employment(end_date="2024-12-31", holiday6=[
        {"earning_year": 2024, "earned_hours": 37},
        {"earning_year": 2022, "earned_hours": 37, "taken_hours": 40},  # below zero: ignored
        {"earning_year": 2023, "earned_hours": 37, "taken_hours": 7},
    ])
    decision = termination(emp)
    assert set(decision) == TERMINATION_KEYS
    assert decision["lines"] == [
        {"earning_year": 2023, "hours": 30.0, "hourly_value": 224.53, "amount": 6735.90},
        {"earning_year": 2024, "hours": 37.0, "hourly_value": 224.53, "amount": 8307.61},
    ]
    assert decision["amount"] == 15043.51
    assert (decision["outcome"], decision["period"]) == ("payout", "2024-12")


def test_termination_period_is_the_end_dates_month_whatever_the_cut_off() -> None:
    emp = employment(end_date="2024-02-29")
    assert termination(emp)["period"] == "2024-02"


def test_agreed_transfer_is_skipped() -> None:
    decision = termination(employment(end_date="2024-12-31"), transfer_agreed=True)
    assert decision == dict.fromkeys(TERMINATION_KEYS) | {
        "outcome": "skip", "reason": "TRANSFER_AGREED", "lines": []}


def test_transfer_falls_back_to_the_employments_flag() -> None:
    emp = employment(end_date="2024-12-31", holiday6_transfer_agreed=True)
    data = {"as_of": "2024-11-18", "employment": emp,
            "case": {"type": "holiday6_termination", "employment_id": "E100234"}}
    assert rules.decide(data)["reason"] == "TRANSFER_AGREED"


def test_nothing_unused_is_skipped() -> None:
    emp = employment(end_date="2024-12-31", holiday6=[
        {"earning_year": 2023, "earned_hours": 37, "taken_hours": 37},
        {"earning_year": 2022, "earned_hours": 37, "paid_hours": 40}])
    assert termination(emp)["reason"] == "NOTHING_UNUSED"
    assert termination(employment(end_date="2024-12-31", holiday6=[]))["reason"] == "NOTHING_UNUSED"


def test_a_case_that_answers_the_transfer_as_null_does_not_take_the_employments_flag() -> None:
    emp = employment(end_date="2024-12-31", holiday6_transfer_agreed=True)
    data = {"as_of": "2024-11-18", "employment": emp,
            "case": {"type": "holiday6_termination", "employment_id": "E100234", "transfer_agreed": None}}
    assert rules.decide(data)["outcome"] == "payout"


# -- the facts the rules read ---------------------------------------------------------------------


def test_the_rules_take_facts_and_keep_money_decimal() -> None:
    emp = EmploymentFacts.read(employment(monthly_salary=Decimal("36000.00"), weekly_hours=Decimal(37)))
    case = CaseFacts.read({"request_date": date(2025, 6, 2), "earning_year": 2024, "hours": Decimal("0.5")})
    decision = rules.decide_request(emp, case, date(2025, 6, 2), Settings())
    assert (decision.hours, decision.hourly_value, decision.amount) == (
        Decimal("0.50"), Decimal("224.53"), Decimal("112.27"))
    assert all(type(v) is Decimal for v in (decision.hours, decision.hourly_value, decision.amount))


@pytest.mark.parametrize(("fields", "message"), [
    ({"holiday6": "2024"}, "employment.holiday6 must be a list of objects"),
    ({"holiday6": [{"earning_year": 2024.0, "earned_hours": 37}]}, "not an earning year: 2024.0"),
    ({"holiday6": [{"earning_year": 2024, "earned_hours": 37, "taken_hours": "x"}]},
     "holiday6.taken_hours: not a finite number"),
    ({"holiday6_transfer_agreed": "ja"}, "employment.holiday6_transfer_agreed: not true/false: 'ja'"),
])
def test_a_mistyped_employment_field_is_a_value_error_naming_it(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError) as raised:
        EmploymentFacts.read(employment(**fields))
    assert str(raised.value) == message


# -- the decision contract ----------------------------------------------------------------------


def test_output_is_json_with_exactly_the_listed_keys() -> None:
    decision = request("2025-06-02", employment())
    assert set(decision) == REQUEST_KEYS
    assert json.loads(json.dumps(decision)) == decision


def test_an_exception_has_every_other_key_null() -> None:
    decision = request("2025-03-01", employment())
    assert decision == dict.fromkeys(REQUEST_KEYS) | {"outcome": "exception", "code": "NOT_YET_AVAILABLE"}


@pytest.mark.parametrize("data", [
    {"as_of": "2025-06-02", "employment": None, "case": {"type": "holiday6_whatever"}},
    {"as_of": "2025-06-31", "employment": None, "case": {"type": "holiday6_termination"}},
    {"employment": None, "case": {"type": "holiday6_termination"}},
    {"as_of": "2025-06-02", "case": {"type": "holiday6_termination"}},
    {"as_of": "2025-06-02", "employment": None},
    [],
])
def test_input_the_rules_cannot_decide_is_a_value_error(data: Any) -> None:
    with pytest.raises(ValueError):
        rules.decide(data)


def test_an_unparsable_request_date_is_a_value_error() -> None:
    with pytest.raises(ValueError, match="request_date"):
        request("2025-06-02", employment(), request_date="2. juni 2025")


def test_a_missing_field_without_a_code_is_a_value_error() -> None:
    data = {"as_of": "2025-06-02", "employment": employment(),
            "case": {"type": "holiday6_payout_request", "request_date": "2025-06-02"}}
    with pytest.raises(ValueError, match="earning_year"):
        rules.decide(data)


def test_unknown_settings_are_ignored_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    decision = request("2025-06-02", employment(), cutoff_dag=5)
    assert decision["period"] == "2025-06"
    assert "cutoff_dag" in capsys.readouterr().err


def test_a_bad_setting_value_is_a_value_error() -> None:
    with pytest.raises(ValueError):
        request("2025-06-02", employment(), request_deadline="30-09")


# -- money that cannot be paid (issue 15): refused on values rounded to 2 decimals ----------------

SALARY, WEEKLY = "employment.monthly_salary", "employment.weekly_hours"


def invalid(keys: set[str], field: str) -> dict[str, Any]:
    lines = {"lines": []} if "lines" in keys else {}
    return dict.fromkeys(keys) | {"outcome": "exception", "code": "EMPLOYMENT_DATA_INVALID",
                                  "field": field, **lines}


@pytest.mark.parametrize(("fields", "field"), [
    ({"monthly_salary": -36000}, SALARY),
    ({"monthly_salary": 0}, SALARY),
    ({"monthly_salary": 0.004}, SALARY),  # 0.00 kr. once rounded
    ({"monthly_salary": 0.01}, SALARY),  # an hourly value of 0.00 kr.
    ({"monthly_salary": "1e999999"}, SALARY),
    ({"weekly_hours": -37}, WEEKLY),
    ({"weekly_hours": 0}, WEEKLY),
    ({"weekly_hours": 0.004}, WEEKLY),
    ({"weekly_hours": 169}, WEEKLY),  # more hours than a week has
    ({"weekly_hours": "1e999999"}, WEEKLY),
    ({"holiday6": [{"earning_year": 2024, "earned_hours": "1e999999"}]}, "employment.holiday6.earned_hours"),
])
def test_employment_data_nothing_can_be_paid_from_is_employment_data_invalid(
        fields: dict[str, Any], field: str) -> None:
    assert request("2025-06-02", employment(**fields)) == invalid(REQUEST_KEYS, field)
    assert termination(employment(end_date="2025-06-30", **fields)) == invalid(TERMINATION_KEYS, field)


def test_a_payout_that_rounds_to_zero_kroner_is_employment_data_invalid() -> None:
    emp = employment(monthly_salary=1.60)  # an hourly value of 0.01 kr.: 0.4 hours pay 0.004 kr.
    assert request("2025-06-02", emp, hours=0.4) == invalid(REQUEST_KEYS, SALARY)


@pytest.mark.parametrize("hours", [-10, -0.01, 0, 0.001, 0.004, "1e999999"])
def test_requested_hours_that_cannot_be_paid_are_insufficient_balance(hours: Any) -> None:
    decision = request("2025-06-02", employment(), hours=hours)
    assert decision == dict.fromkeys(REQUEST_KEYS) | {"outcome": "exception", "code": "INSUFFICIENT_BALANCE"}


def test_a_balance_that_rounds_to_zero_hours_has_nothing_to_pay() -> None:
    emp = employment(end_date="2025-06-30",
                     holiday6=[{"earning_year": 2024, "earned_hours": 37, "taken_hours": 36.996}])
    assert request("2025-06-02", emp)["code"] == "INSUFFICIENT_BALANCE"
    assert termination(emp)["reason"] == "NOTHING_UNUSED"


def test_half_an_ore_of_hours_rounds_up_and_is_paid() -> None:
    decision = request("2025-06-02", employment(), hours=0.005)
    assert (decision["outcome"], decision["hours"], decision["amount"]) == ("payout", 0.01, 2.25)


@pytest.mark.parametrize(("fields", "hours"), [
    ({"monthly_salary": "NaN"}, None),
    ({"weekly_hours": "Infinity"}, None),
    ({}, "nan"),
    ({}, "-inf"),
])
def test_a_non_finite_number_is_input_the_rules_cannot_read(fields: dict[str, Any], hours: Any) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        request("2025-06-02", employment(**fields), hours=hours)


def test_rpa_decide_shows_the_code_on_stdout(tmp_path: Path) -> None:
    data = {"as_of": "2025-06-02", "employment": employment(monthly_salary=-32000),
            "case": {"type": "holiday6_payout_request", "case_id": "SP-2025-00001",
                     "employment_id": "E100234", "request_date": "2025-06-02", "earning_year": 2024,
                     "hours": None}}
    result = rpa_decide("sixth_holiday_week", data, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == invalid(REQUEST_KEYS, SALARY)
