"""Every example of the refund claims rules, its boundaries and the decision contract."""

from __future__ import annotations

import json
from datetime import date
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest
from pydantic import ValidationError

from bots.refund_claims import rules
from bots.refund_claims.bot import bot
from bots.refund_claims.models import AbsenceFacts, EmploymentFacts, RefundDecision, Settings
from runner.testing import rpa_decide

KEYS = {"outcome", "code", "reason", "authority", "report_now", "refund_from", "claim_from",
        "claim_to", "hours", "max_refund", "claim_deadline", "warnings"}


def employment(**fields: Any) -> dict[str, Any]:
    return {"employment_id": "E100234", "name": "Mette Nielsen", "unit": "Børnehuset Solsikken",
            "pay": "monthly", "weekly_hours": 37, "last_paid_date": None, **fields}


def absence(**fields: Any) -> dict[str, Any]:
    return {"absence_id": "F000001", "employment_id": "E100234", "type": "sickness",
            "first_day": "2024-03-04", "last_day": None, "hours_per_week": None,
            "no_employer_period": False, "salary_continued": True, "salary_stop_date": None,
            "reported_date": None, "claimed_until": None, **fields}


def decide(as_of: str, case: dict[str, Any], emp: dict[str, Any] | None = None,
           **settings: Any) -> dict[str, Any]:
    data = {"as_of": as_of, "employment": employment() if emp is None else emp, "case": case,
            "settings": settings or None}
    return bot.decide(data)  # type: ignore[misc]


# -- the rules file's examples -------------------------------------------------------------------


def test_too_early_to_report() -> None:
    decision = decide("2024-03-20", absence())
    assert (decision["outcome"], decision["reason"]) == ("wait", "TOO_EARLY_TO_REPORT")
    assert set(decision) == KEYS


def test_report_only_when_nothing_is_paid_yet() -> None:
    decision = decide("2024-03-26", absence(), employment(last_paid_date="2024-02-29"))
    assert decision == dict.fromkeys(KEYS) | {
        "outcome": "report_only", "authority": "opholdskommune", "report_now": True,
        "refund_from": "2024-04-03", "warnings": []}


def test_claim_after_a_timely_report() -> None:
    decision = decide("2024-05-02", absence(reported_date="2024-03-26"),
                      employment(last_paid_date="2024-04-30"))
    assert decision == dict.fromkeys(KEYS) | {
        "outcome": "claim", "authority": "opholdskommune", "report_now": False,
        "refund_from": "2024-04-03", "claim_from": "2024-04-03", "claim_to": "2024-04-30",
        "hours": 148.00, "max_refund": 18779.72, "warnings": []}


def test_late_report_moves_refund_from_to_the_report_date() -> None:
    decision = decide("2024-04-15", absence(), employment(last_paid_date="2024-03-31"))
    assert (decision["outcome"], decision["refund_from"]) == ("report_only", "2024-04-15")
    assert decision["warnings"] == ["LATE_REPORT"]


def test_partial_sickness_below_four_hours_gives_nothing() -> None:
    decision = decide("2024-05-02", absence(type="partial_sickness", hours_per_week=3))
    assert (decision["outcome"], decision["reason"]) == ("none", "BELOW_4H")


def test_maternity_claim_after_the_deadline_is_deadline_passed() -> None:
    case = absence(type="maternity", first_day="2024-04-01", salary_stop_date="2024-09-30")
    decision = decide("2024-11-26", case)
    assert decision == dict.fromkeys(KEYS) | {"outcome": "exception", "code": "DEADLINE_PASSED",
                                              "warnings": []}


# -- the steps in order -------------------------------------------------------------------------


def test_no_employment_is_employment_not_found() -> None:
    data = {"as_of": "2024-05-02", "employment": None, "case": absence()}
    assert rules.decide(data)["code"] == "EMPLOYMENT_NOT_FOUND"


def test_no_salary_during_the_absence_gives_nothing() -> None:
    decision = decide("2024-05-02", absence(salary_continued=False))
    assert (decision["outcome"], decision["reason"]) == ("none", "NO_SALARY")


@pytest.mark.parametrize(("hours", "outcome"), [(4, "claim"), (3.99, "none"), (None, "claim")])
def test_partial_absence_needs_at_least_four_hours_a_week(hours: float | None, outcome: str) -> None:
    case = absence(type="partial_sickness", hours_per_week=hours, reported_date="2024-03-26")
    assert decide("2024-05-02", case, employment(last_paid_date="2024-04-30"))["outcome"] == outcome


def test_partial_absence_claims_its_own_hours() -> None:
    case = absence(type="partial_sickness", hours_per_week=4, reported_date="2024-03-26")
    decision = decide("2024-05-02", case, employment(last_paid_date="2024-04-30"))
    assert decision["hours"] == 16.00  # 4 × 28 / 7
    assert decision["max_refund"] == 2030.24  # 16 × 126.89


def test_absence_within_the_employer_period_gives_nothing() -> None:
    decision = decide("2024-05-02", absence(last_day="2024-04-02"))
    assert (decision["outcome"], decision["reason"]) == ("none", "WITHIN_EMPLOYER_PERIOD")
    assert decide("2024-05-02", absence(last_day="2024-04-03"))["outcome"] != "none"


@pytest.mark.parametrize("fields", [{"no_employer_period": True}, {"type": "pregnancy_related"}])
def test_no_employer_period_makes_the_first_day_eligible(fields: dict[str, Any]) -> None:
    decision = decide("2024-05-02", absence(reported_date="2024-03-26", **fields),
                      employment(last_paid_date="2024-04-30"))
    assert (decision["refund_from"], decision["claim_from"]) == ("2024-03-04", "2024-03-04")


@pytest.mark.parametrize(("as_of", "outcome"), [("2024-03-25", "wait"), ("2024-03-26", "report_only")])
def test_reporting_opens_on_day_23(as_of: str, outcome: str) -> None:
    assert decide(as_of, absence())["outcome"] == outcome


@pytest.mark.parametrize(("reported", "refund_from", "warnings"), [
    ("2024-04-08", "2024-04-03", []),  # the deadline day itself is in time
    ("2024-04-09", "2024-04-09", ["LATE_REPORT"]),
])
def test_report_deadline_is_day_35(reported: str, refund_from: str, warnings: list[str]) -> None:
    decision = decide("2024-05-02", absence(reported_date=reported), employment(last_paid_date="2024-04-30"))
    assert (decision["refund_from"], decision["warnings"]) == (refund_from, warnings)
    assert decision["claim_from"] == refund_from


def test_a_claimed_period_is_not_claimed_again() -> None:
    case = absence(reported_date="2024-03-26", claimed_until="2024-04-30")
    decision = decide("2024-06-03", case, employment(last_paid_date="2024-05-31"))
    assert (decision["claim_from"], decision["claim_to"]) == ("2024-05-01", "2024-05-31")
    assert decision["hours"] == 163.86  # 37 × 31 / 7 = 163.857…


def test_nothing_new_to_claim_waits() -> None:
    case = absence(reported_date="2024-03-26", claimed_until="2024-04-30")
    decision = decide("2024-05-10", case, employment(last_paid_date="2024-04-30"))
    assert (decision["outcome"], decision["reason"]) == ("wait", "NOTHING_TO_CLAIM_YET")


def test_claim_never_reaches_today_or_the_future() -> None:
    decision = decide("2024-05-02", absence(reported_date="2024-03-26"))  # no last_paid_date
    assert decision["claim_to"] == "2024-05-01"


def test_claim_to_is_the_earliest_end() -> None:
    case = absence(reported_date="2024-03-26", last_day="2024-04-20", salary_stop_date="2024-04-25")
    assert decide("2024-05-02", case, employment(last_paid_date="2024-04-30"))["claim_to"] == "2024-04-20"
    case = absence(reported_date="2024-03-26", last_day="2024-04-28", salary_stop_date="2024-04-25")
    assert decide("2024-05-02", case, employment(last_paid_date="2024-04-30"))["claim_to"] == "2024-04-25"


def test_lookback_limits_the_claim_to_three_months() -> None:
    case = absence(first_day="2024-05-01", reported_date="2024-05-24")
    decision = decide("2024-11-18", case, employment(last_paid_date="2024-10-31"))
    assert (decision["claim_from"], decision["claim_to"]) == ("2024-08-18", "2024-10-31")
    assert decision["warnings"] == ["LOOKBACK_LIMIT"]


def test_lookback_from_a_month_end_lands_on_a_leap_day() -> None:
    case = absence(first_day="2023-12-01", reported_date="2023-12-24")
    decision = decide("2024-05-31", case, employment(last_paid_date="2024-04-30"))
    assert (decision["claim_from"], decision["warnings"]) == ("2024-02-29", ["LOOKBACK_LIMIT"])


def test_late_report_and_lookback_warn_together() -> None:
    case = absence(first_day="2024-01-02", reported_date="2024-03-01")
    decision = decide("2024-07-15", case, employment(last_paid_date="2024-06-30"))
    assert decision["warnings"] == ["LATE_REPORT", "LOOKBACK_LIMIT"]
    assert decision["claim_from"] == "2024-04-15"


def test_no_lookback_warning_when_the_claim_starts_later_anyway() -> None:
    case = absence(first_day="2024-05-01", reported_date="2024-05-24", claimed_until="2024-09-30")
    decision = decide("2024-11-18", case, employment(last_paid_date="2024-10-31"))
    assert (decision["claim_from"], decision["warnings"]) == ("2024-10-01", [])


# -- money: leap days, two rate years, rounding, unknown rates ----------------------------------------


def test_leap_day_counts_as_a_claim_day() -> None:
    case = absence(first_day="2024-01-01", reported_date="2024-01-24")
    decision = decide("2024-03-02", case, employment(last_paid_date="2024-02-29"))
    assert (decision["claim_from"], decision["claim_to"]) == ("2024-01-31", "2024-02-29")
    assert decision["hours"] == 158.57  # 37 × 30 / 7
    assert decision["max_refund"] == 20121.13  # 37 × 30 × 126.89 / 7 = 20121.128…


def test_a_claim_over_new_year_uses_each_days_rate() -> None:
    case = absence(first_day="2023-11-20", reported_date="2023-12-01")
    decision = decide("2024-01-11", case, employment(last_paid_date="2024-01-10"))
    assert (decision["claim_from"], decision["claim_to"]) == ("2023-12-20", "2024-01-10")
    # 12 days at 122.97 (2023) + 10 days at 126.89 (2024), 37 h a week, rounded once
    expected = (Decimal(37) * 12 * Decimal("122.97") + Decimal(37) * 10 * Decimal("126.89")) / 7
    assert decision["max_refund"] == float(expected.quantize(Decimal("0.01"))) == 14506.85
    assert decision["hours"] == 116.29


def test_max_refund_is_rounded_half_up_once() -> None:
    rates = {"2024": {"week": 1, "hour": "0.025"}}  # 7 h a week, one day: 0.025 exactly
    case = absence(first_day="2024-03-04", hours_per_week=7, type="partial_sickness",
                   no_employer_period=True, reported_date="2024-03-05")
    decision = decide("2024-03-05", case, employment(last_paid_date="2024-03-04"), rates=rates,
                      min_partial_hours=4)
    assert (decision["claim_from"], decision["claim_to"]) == ("2024-03-04", "2024-03-04")
    assert decision["max_refund"] == 0.03  # half-up, not half-even (0.02)


def test_a_year_without_a_rate_is_rate_unknown() -> None:
    case = absence(type="maternity", first_day="2021-12-20")
    decision = decide("2022-01-15", case, employment(last_paid_date="2022-01-14"))
    assert decision == dict.fromkeys(KEYS) | {"outcome": "exception", "code": "RATE_UNKNOWN",
                                              "warnings": []}


def test_given_rates_replace_the_whole_default_table() -> None:
    case = absence(reported_date="2024-03-26")
    rates = {"2025": {"week": 4805, "hour": 129.86}}
    decision = decide("2024-05-02", case, employment(last_paid_date="2024-04-30"), rates=rates)
    assert decision["code"] == "RATE_UNKNOWN"


def test_year_keys_may_be_numbers_in_orchestrator_yaml() -> None:
    assert Settings.model_validate({"rates": {2024: {"week": 4695, "hour": 126.89}}}).rates["2024"].hour == \
        Decimal("126.89")
    with pytest.raises(ValueError):
        Settings.model_validate({"rates": {"24": {"week": 1, "hour": 1}}})


# -- maternity --------------------------------------------------------------------------------------


def test_maternity_claims_from_the_first_day_without_report() -> None:
    case = absence(type="maternity", first_day="2024-08-01")
    decision = decide("2024-11-18", case, employment(last_paid_date="2024-10-31"))
    assert decision == dict.fromkeys(KEYS) | {
        "outcome": "claim", "authority": "udbetaling_danmark", "claim_from": "2024-08-01",
        "claim_to": "2024-10-31", "hours": 486.29, "max_refund": 61704.79, "warnings": []}


@pytest.mark.parametrize(("as_of", "outcome"), [("2024-11-25", "claim"), ("2024-11-26", "exception")])
def test_maternity_deadline_is_eight_weeks_after_the_salary_stops(as_of: str, outcome: str) -> None:
    case = absence(type="maternity", first_day="2024-04-01", salary_stop_date="2024-09-30",
                   claimed_until="2024-08-31")
    decision = decide(as_of, case, employment(last_paid_date="2024-09-30"))
    assert decision["outcome"] == outcome
    if outcome == "claim":
        assert (decision["claim_from"], decision["claim_to"]) == ("2024-09-01", "2024-09-30")
        assert decision["claim_deadline"] == "2024-11-25"


def test_maternity_deadline_falls_back_to_the_last_day() -> None:
    case = absence(type="maternity", first_day="2024-04-01", last_day="2024-09-30")
    assert decide("2024-11-26", case)["code"] == "DEADLINE_PASSED"


def test_maternity_with_everything_claimed_waits() -> None:
    case = absence(type="maternity", first_day="2024-08-01", claimed_until="2024-10-31")
    decision = decide("2024-11-18", case, employment(last_paid_date="2024-10-31"))
    assert (decision["outcome"], decision["reason"]) == ("wait", "NOTHING_TO_CLAIM_YET")


# -- the decision contract --------------------------------------------------------------------------


def test_output_is_json() -> None:
    decision = decide("2024-05-02", absence(reported_date="2024-03-26"))
    assert json.loads(json.dumps(decision)) == decision


@pytest.mark.parametrize("data", [
    {"as_of": "2024-05-02", "employment": None, "case": absence(type="holiday")},
    {"as_of": "2024-05-02", "employment": employment(), "case": absence(first_day="04-03-2024")},
    {"as_of": "2024-02-30", "employment": employment(), "case": absence()},
    {"as_of": "2024-05-02", "employment": employment(), "case": absence(salary_continued=None)},
    {"as_of": "2024-05-02", "case": absence()},
    {"as_of": "2024-05-02", "employment": employment(weekly_hours=None), "case": absence()},
])
def test_input_the_rules_cannot_decide_is_a_value_error(data: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        rules.decide(data)


def test_unknown_settings_are_ignored_with_a_warning(capsys: pytest.CaptureFixture[str]) -> None:
    decision = decide("2024-03-20", absence(), lookback_maaneder=6)
    assert decision["reason"] == "TOO_EARLY_TO_REPORT"
    assert "lookback_maaneder" in capsys.readouterr().err


def test_settings_override_the_defaults() -> None:
    decision = decide("2024-05-02", absence(reported_date="2024-03-26"),
                      employment(last_paid_date="2024-04-30"), employer_period_days=14)
    assert decision["refund_from"] == "2024-03-18"


# -- hours nothing can be claimed from (issue 15): refused on values rounded to 2 decimals ----------

CLAIM = {"reported_date": "2024-03-26"}  # the rules' claim example: 148.00 hours, 18779.72 kr.
PAID = {"last_paid_date": "2024-04-30"}


def refused(code: str, field: str) -> dict[str, Any]:
    return dict.fromkeys(KEYS) | {"outcome": "exception", "code": code, "field": field, "warnings": []}


@pytest.mark.parametrize("hours", [-37, -0.01, 0, 0.004, "0.004", 169, "1e999999"])
@pytest.mark.parametrize("kind", ["sickness", "partial_sickness", "maternity"])
def test_absence_hours_nothing_can_be_claimed_from_are_absence_invalid(kind: str, hours: Any) -> None:
    # before BELOW_4H: a partial sickness of -3 hours is a record to correct, not "nothing to do"
    decision = decide("2024-05-02", absence(type=kind, hours_per_week=hours, **CLAIM), employment(**PAID))
    assert decision == refused("ABSENCE_INVALID", "case.hours_per_week")


@pytest.mark.parametrize("weekly", [-37, 0, 0.004, 169, "1e999999"])
def test_employment_weekly_hours_nothing_can_be_claimed_from_are_employment_data_invalid(weekly: Any) -> None:
    # the reproduction: -37 hours a week claimed "hours -148.0"
    decision = decide("2024-05-02", absence(**CLAIM), employment(weekly_hours=weekly, **PAID))
    assert decision == refused("EMPLOYMENT_DATA_INVALID", "employment.weekly_hours")


def test_zero_contracted_hours_claim_with_the_absences_own_hours() -> None:
    # an hourly-paid employee without contracted hours: the absence's hours are what is claimed
    decision = decide("2024-05-02", absence(hours_per_week=37, **CLAIM),
                      employment(pay="hourly", weekly_hours=0, **PAID))
    assert (decision["outcome"], decision["hours"], decision["max_refund"]) == ("claim", 148.0, 18779.72)


def test_a_claim_whose_hours_round_to_zero_is_absence_invalid() -> None:
    one_day = {"reported_date": "2024-03-26", "last_day": "2024-04-03"}  # 0.01 h a week for a day
    decision = decide("2024-05-02", absence(hours_per_week=0.01, **one_day), employment(**PAID))
    assert decision == refused("ABSENCE_INVALID", "case.hours_per_week")


def test_a_claim_whose_refund_rounds_to_zero_has_no_usable_rate() -> None:
    one_day = {"reported_date": "2024-03-26", "last_day": "2024-04-03"}  # 0.01 hours at 0.30 kr.
    decision = decide("2024-05-02", absence(hours_per_week=0.07, **one_day), employment(**PAID),
                      rates={"2024": {"week": 1, "hour": 0.3}})
    assert decision == dict.fromkeys(KEYS) | {"outcome": "exception", "code": "RATE_UNKNOWN",
                                              "warnings": []}


@pytest.mark.parametrize("hours", ["NaN", "inf", "-Infinity"])
def test_non_finite_hours_are_input_the_rules_cannot_read(hours: str) -> None:
    with pytest.raises(ValueError, match="not a finite number"):
        decide("2024-05-02", absence(hours_per_week=hours, **CLAIM), employment(**PAID))
    with pytest.raises(ValueError, match="not a finite number"):
        decide("2024-05-02", absence(**CLAIM), employment(weekly_hours=hours, **PAID))


@pytest.mark.parametrize("rate", [0, -126.89, "NaN", "inf", "1e999999"])
def test_a_rate_that_pays_nothing_or_cannot_be_read_is_a_bad_setting(rate: Any) -> None:
    with pytest.raises(ValueError, match="hour"):
        decide("2024-05-02", absence(**CLAIM), employment(**PAID),
               rates={"2024": {"week": 4695, "hour": rate}})


def test_refunds_at_risk_leave_out_an_absence_whose_hours_cannot_be_claimed() -> None:
    good = absence(absence_id="F000001", first_day="2024-02-01")
    huge = absence(absence_id="F000002", first_day="2024-02-01", hours_per_week="1e999999")
    negative = absence(absence_id="F000003", first_day="2024-02-01", hours_per_week=-37)
    summary = rules.refunds_at_risk([AbsenceFacts.read(a) for a in (good, huge, negative)],
                                    [EmploymentFacts.read(employment())], date(2024, 3, 26), Settings())
    assert [late["absence_id"] for late in summary["late_reports"]] == ["F000001"]


@pytest.mark.parametrize(("field", "value"), [("max_refund", "1e999999"), ("max_refund", "NaN"),
                                              ("max_refund", -1), ("paid", "inf"), ("paid", "1e999999")])
def test_a_corrected_decision_payload_with_an_impossible_amount_fails_its_model(field: str,
                                                                                 value: Any) -> None:
    payload = {"absence_id": "F000001", "claim_to": "2024-04-30", "max_refund": "18779.72",
               "decision": "approved", "paid": "18779.72", field: value}
    with pytest.raises(ValidationError, match=field):
        RefundDecision.model_validate(payload)


def test_rpa_decide_shows_the_code_on_stdout(tmp_path: Path) -> None:
    data = {"as_of": "2024-05-02", "employment": employment(weekly_hours=-37, **PAID),
            "case": absence(**CLAIM)}
    result = rpa_decide("refund_claims", data, tmp_path)
    assert (result.returncode, result.stderr) == (0, "")
    assert json.loads(result.stdout) == refused("EMPLOYMENT_DATA_INVALID", "employment.weekly_hours")
