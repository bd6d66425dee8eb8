"""Every example of the termination letters rules, plus the edges around them."""

from __future__ import annotations

from typing import Any

import pytest

from bots.termination_letters.rules import HOURLY_KEYS, RESIGNATION_KEYS, decide
from harness.fakes import example_employment


def monthly(**changes: Any) -> dict[str, Any]:
    address = "Nørregade 1\n1165 København K"
    return example_employment(address=address, last_paid_date="2025-02-28") | changes


def hourly(**changes: Any) -> dict[str, Any]:
    return monthly(pay="hourly", monthly_salary=None, hourly_rate=180.5, **changes)


def resign(
    employment: dict[str, Any] | None,
    received: str | None,
    requested: str | None = None,
    agreed: bool = False,
    settings: dict[str, Any] | None = None,
) -> dict[str, Any]:
    case = {
        "case_id": "SP-1",
        "type": "resignation",
        "employment_id": "E100234",
        "received_date": received,
        "requested_last_day": requested,
        "earlier_date_agreed": agreed,
    }
    return decide({"as_of": "2025-03-20", "employment": employment, "case": case, "settings": settings})


def sweep(employment: dict[str, Any] | None, as_of: str, settings: dict[str, Any] | None = None) -> dict:
    case = {"type": "hourly_inactivity", "employment_id": "E100234"}
    return decide({"as_of": as_of, "employment": employment, "case": case, "settings": settings})


# -- A. resignation: the rules file's examples ---------------------------------------------


@pytest.mark.parametrize(
    ("received", "requested", "agreed", "last_day", "basis"),
    [
        ("2025-03-15", None, False, "2025-04-30", "notice"),
        ("2025-04-01", None, False, "2025-05-31", "notice"),
        ("2024-01-31", None, False, "2024-02-29", "notice"),
        ("2025-03-15", "2025-06-30", False, "2025-06-30", "requested"),
        ("2025-03-15", "2025-03-31", True, "2025-03-31", "agreed"),
    ],
)
def test_resignation_examples(received, requested, agreed, last_day, basis):
    decision = resign(monthly(), received, requested, agreed)
    assert decision["outcome"] == "letter"
    assert decision["last_day"] == last_day
    assert decision["basis"] == basis
    assert decision["code"] is None


def test_earlier_than_notice_without_agreement():
    decision = resign(monthly(), "2025-03-15", "2025-03-31")
    assert decision == {
        **dict.fromkeys(RESIGNATION_KEYS),
        "outcome": "exception",
        "code": "EARLIER_THAN_NOTICE",
    }


def test_output_has_exactly_the_listed_keys():
    assert set(resign(monthly(), "2025-03-15")) == set(RESIGNATION_KEYS)
    assert resign(monthly(), "2025-03-15")["earliest_last_day"] == "2025-04-30"


# -- A. resignation: the order of the codes --------------------------------------------------


@pytest.mark.parametrize(
    ("employment", "received", "code"),
    [
        (None, "2025-03-15", "EMPLOYMENT_NOT_FOUND"),
        (hourly(), "2025-03-15", "NOT_MONTHLY_PAID"),
        (hourly(), None, "NOT_MONTHLY_PAID"),  # step 2 before step 3
        (monthly(), None, "RECEIVED_DATE_MISSING"),
        (monthly(end_date="2025-06-30"), "2025-03-15", "EMPLOYMENT_INACTIVE"),
        (monthly(start_date="2025-04-01"), "2025-03-15", "EMPLOYMENT_INACTIVE"),
        (monthly(category="tjenestemand"), "2025-03-15", "TJENESTEMAND_REVIEW"),
        (monthly(category="tjenestemand", end_date="2025-01-31"), "2025-03-15", "EMPLOYMENT_INACTIVE"),
        (monthly(digital_post=False), "2025-03-15", "NO_DIGITAL_POST"),
        (monthly(digital_post=False, category="tjenestemand"), "2025-03-15", "TJENESTEMAND_REVIEW"),
    ],
)
def test_resignation_codes_in_order(employment, received, code):
    decision = resign(employment, received)
    assert decision["outcome"] == "exception"
    assert decision["code"] == code
    assert decision["last_day"] is None


def test_requested_before_receipt():
    assert resign(monthly(), "2025-03-15", "2025-03-14", agreed=True)["code"] == "REQUESTED_BEFORE_RECEIPT"


def test_requested_on_the_day_of_receipt_needs_agreement():
    assert resign(monthly(), "2025-03-15", "2025-03-15")["code"] == "EARLIER_THAN_NOTICE"
    assert resign(monthly(), "2025-03-15", "2025-03-15", agreed=True)["last_day"] == "2025-03-15"


def test_requested_exactly_the_earliest_day_is_requested():
    decision = resign(monthly(), "2025-03-15", "2025-04-30")
    assert (decision["last_day"], decision["basis"]) == ("2025-04-30", "requested")


def test_received_on_the_first_day_of_employment_is_active():
    assert resign(monthly(start_date="2025-03-15"), "2025-03-15")["last_day"] == "2025-04-30"


@pytest.mark.parametrize(
    ("received", "last_day"),
    [
        ("2025-01-31", "2025-02-28"),
        ("2024-12-31", "2025-01-31"),  # over the new year
        ("2023-01-15", "2023-02-28"),
        ("2025-11-30", "2025-12-31"),
    ],
)
def test_notice_runs_to_the_end_of_the_next_month(received, last_day):
    assert resign(monthly(), received)["last_day"] == last_day


def test_notice_months_is_a_setting():
    decision = resign(monthly(), "2025-03-15", settings={"employee_notice_months": 3})
    assert decision["last_day"] == "2025-06-30"


# -- A. probation -----------------------------------------------------------------------------


def test_in_probation_the_last_day_is_the_day_received():
    decision = resign(monthly(start_date="2025-02-01", probation_end="2025-04-30"), "2025-03-15")
    assert (decision["last_day"], decision["basis"]) == ("2025-03-15", "probation")


def test_received_on_the_last_day_of_probation_is_still_probation():
    decision = resign(monthly(start_date="2025-02-01", probation_end="2025-03-15"), "2025-03-15")
    assert decision["basis"] == "probation"


def test_received_the_day_after_probation_is_notice():
    decision = resign(monthly(start_date="2025-02-01", probation_end="2025-03-14"), "2025-03-15")
    assert (decision["last_day"], decision["basis"]) == ("2025-04-30", "notice")


def test_probation_notice_days_setting():
    employment = monthly(start_date="2025-02-01", probation_end="2025-04-30")
    decision = resign(employment, "2025-03-15", settings={"probation_notice_days": 14})
    assert decision["last_day"] == "2025-03-29"
    requested = resign(employment, "2025-03-15", "2025-03-20", settings={"probation_notice_days": 14})
    assert requested["code"] == "EARLIER_THAN_NOTICE"


# -- B. hourly sweep --------------------------------------------------------------------------


def test_hourly_examples():
    assert sweep(hourly(last_paid_date="2024-08-19"), "2024-11-20") == {
        "outcome": "terminate",
        "code": None,
        "reason": None,
        "last_day": "2024-08-19",
    }
    assert sweep(hourly(last_paid_date="2024-08-20"), "2024-11-20") == {
        "outcome": "skip",
        "code": None,
        "reason": "ACTIVE",
        "last_day": None,
    }


@pytest.mark.parametrize(
    ("employment", "reason"),
    [
        (monthly(), "NOT_HOURLY"),
        (hourly(end_date="2024-10-31", last_paid_date="2024-01-01"), "ALREADY_ENDED"),
        (hourly(start_date="2024-09-01", last_paid_date=None), "NEW_EMPLOYMENT"),
        (hourly(start_date="2024-08-20", last_paid_date=None), "NEW_EMPLOYMENT"),  # on the threshold
    ],
)
def test_hourly_skips(employment, reason):
    decision = sweep(employment, "2024-11-20")
    assert (decision["outcome"], decision["reason"], decision["code"]) == ("skip", reason, None)
    assert set(decision) == set(HOURLY_KEYS)


def test_hourly_never_paid_goes_to_a_person():
    decision = sweep(hourly(start_date="2024-08-19", last_paid_date=None), "2024-11-20")
    assert (decision["outcome"], decision["code"], decision["reason"]) == ("exception", "NEVER_PAID", None)


def test_hourly_employment_not_found():
    assert sweep(None, "2024-11-20")["code"] == "EMPLOYMENT_NOT_FOUND"


@pytest.mark.parametrize(
    ("as_of", "active_from"),
    [
        ("2024-05-31", "2024-02-29"),  # the threshold day does not exist: the month's last day (leap)
        ("2023-05-31", "2023-02-28"),
        ("2025-03-31", "2024-12-31"),  # over the new year
    ],
)
def test_hourly_threshold_in_short_months(as_of, active_from):
    from datetime import date, timedelta

    day_before = (date.fromisoformat(active_from) - timedelta(days=1)).isoformat()
    assert sweep(hourly(last_paid_date=active_from), as_of)["reason"] == "ACTIVE"
    assert sweep(hourly(last_paid_date=day_before), as_of)["last_day"] == day_before


def test_hourly_inactive_months_is_a_setting():
    decision = sweep(hourly(last_paid_date="2024-08-19"), "2024-11-20", {"hourly_inactive_months": 6})
    assert decision["reason"] == "ACTIVE"


# -- the input contract -----------------------------------------------------------------------


def test_unknown_setting_is_ignored_with_a_warning(capsys):
    decision = resign(monthly(), "2025-03-15", settings={"employee_notice_months": 1, "bogus": 7})
    assert decision["last_day"] == "2025-04-30"
    assert "bogus" in capsys.readouterr().err


def test_null_settings_mean_defaults():
    assert resign(monthly(), "2025-03-15", settings=None)["last_day"] == "2025-04-30"
    assert (
        resign(monthly(), "2025-03-15", settings={"employee_notice_months": None})["last_day"] == "2025-04-30"
    )


@pytest.mark.parametrize(
    "data",
    [
        {"as_of": "2025-03-20", "employment": None, "case": {"type": "holiday"}},
        {"as_of": "20.03.2025", "employment": None, "case": {"type": "resignation"}},
        {
            "as_of": "2025-03-20",
            "employment": monthly(),
            "case": {"type": "resignation", "received_date": "15/03/2025"},
        },
        {"as_of": "2025-03-20", "employment": monthly(pay=None), "case": {"type": "resignation"}},
        {"employment": None, "case": {"type": "resignation"}},
        {"as_of": "2025-03-20", "case": {"type": "resignation"}},
        {
            "as_of": "2025-03-20",
            "employment": None,
            "case": {"type": "resignation"},
            "settings": {"employee_notice_months": "many"},
        },
    ],
)
def test_undecidable_input_is_a_value_error(data):
    with pytest.raises(ValueError):
        decide(data)


def test_output_is_plain_json():
    import json

    decision = resign(monthly(), "2025-03-15")
    assert json.loads(json.dumps(decision)) == decision


# -- money (issue 15): these rules pay nothing, so they refuse no money ------------------------------


@pytest.mark.parametrize(
    "money",
    [
        {"monthly_salary": -36000},
        {"weekly_hours": 0},
        {"pension_pct": -25},
        {"monthly_salary": "1e999999", "weekly_hours": "NaN"},
    ],
)
def test_salary_hours_and_pension_do_not_change_a_resignation_letter(money):
    # a letter and an end date pay nothing; the bots that pay (6th week, supplements) stop on these
    assert resign(monthly(**money), "2025-03-15") == resign(monthly(), "2025-03-15")


@pytest.mark.parametrize("money", [{"hourly_rate": -180.5}, {"weekly_hours": 0}, {"hourly_rate": "NaN"}])
def test_rate_and_hours_do_not_change_the_hourly_sweep(money):
    employment = {**hourly(last_paid_date="2024-08-19"), **money}
    assert sweep(employment, "2024-11-20") == sweep(hourly(last_paid_date="2024-08-19"), "2024-11-20")
