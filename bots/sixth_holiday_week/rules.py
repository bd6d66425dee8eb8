"""The pure rules of the 6th holiday week payout (codes: README.md here): functions of data and `as_of`.

`decide(input)` is the decision contract of docs/writing-a-bot.md, §4 (what `rpa
decide` prints: the decision model's JSON); `decide_request` and `decide_termination` are
what `process` calls: they take the employment and the case as `models.py`'s facts and
return its decision models. Money is Decimal from reading to decision and a JSON number
rounded to øre outside.

Hours are rounded to 2 decimals when read, as the letter shows them, so "hours á value"
adds up. What cannot be paid stops the item, checked on the rounded values: requested
hours below 0.01 once rounded (negative, zero, 0.004) are `INSUFFICIENT_BALANCE` (step
7), and a year whose unused hours round to 0.00 has nothing unused. A monthly salary or
weekly hours below 0.01 once rounded, weekly hours above 168, an hourly value or a
line's amount that rounds to 0.00 kr., and balance figures beyond any number are
`EMPLOYMENT_DATA_INVALID` (hr.decisions; the rules name no code for Lønsystem's data),
whose decision adds `field` naming it, after every code the rules list.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Any

from hr.calendar import Period, month_end, payroll_period_for
from hr.decisions import (
    EMPLOYMENT_DATA_INVALID,
    HOURS_IN_A_WEEK,
    Unpayable,
    payable_number,
    read_case_input,
)
from hr.decisions import settings_from as _settings_from
from hr.money import LIMIT, ORE, payable, round_ore
from hr.records import Holiday6Balance

from .models import (
    CaseFacts,
    EmploymentFacts,
    Holiday6Facts,
    Outcome,
    PayoutLine,
    RequestDecision,
    Settings,
    TerminationDecision,
)

REQUEST = "holiday6_payout_request"
TERMINATION = "holiday6_termination"
CASE_TYPES = (REQUEST, TERMINATION)
ZERO = Decimal(0)


def decide(data: Mapping[str, Any]) -> dict[str, Any]:
    """The decision for one `{"as_of", "employment", "case", "settings"}` input."""
    given = read_case_input(data, Settings)
    kind = given.case.get("type")  # any value: an unknown one is named as given
    if kind not in CASE_TYPES:
        raise ValueError(f"unknown case type {kind!r}; expected one of {', '.join(CASE_TYPES)}")
    case = CaseFacts.read(given.case)
    employment = EmploymentFacts.read(given.employment) if given.employment is not None else None
    decision: RequestDecision | TerminationDecision
    if kind == REQUEST:
        decision = decide_request(employment, case, given.as_of, given.settings)
    else:
        decision = decide_termination(employment, case, given.settings)
    return decision.model_dump(mode="json")


def decide_request(
    employment: EmploymentFacts | None, case: CaseFacts, as_of: date, settings: Settings
) -> RequestDecision:
    """Section A: a payout on the employee's request, or the exception code."""
    if employment is None:
        return _refused("EMPLOYMENT_NOT_FOUND")
    if employment.need("pay") == "hourly":
        return _refused("NO_ENTITLEMENT")
    requested_on: date = case.need("request_date")
    year: int = case.need("earning_year")
    if not is_active(employment, requested_on):
        return _refused("EMPLOYMENT_INACTIVE")
    entry = _balance_entry(employment, year)
    if entry is None:
        return _refused("NO_BALANCE")
    if requested_on < usable_from(year):
        return _refused("NOT_YET_AVAILABLE")
    if _late(requested_on, year, settings):
        return _refused("REQUEST_LATE")
    try:
        available = round_ore(unused_hours(entry))  # hours to 2 decimals, as the letter shows them
        given = available if case.hours is None else case.hours
        if not payable(given) or round_ore(given) > available:  # 0.004 hours are 0.00 once rounded
            return _refused("INSUFFICIENT_BALANCE")
        hours = round_ore(given)
        value = hourly_value(employment)
        amount = line_amount(hours, value)
    except Unpayable as bad:
        return _refused(bad.code, bad.field)
    return RequestDecision(outcome=Outcome.PAYOUT, earning_year=year, hours=hours, hourly_value=value,
                           amount=amount, period=str(payroll_period_for(as_of, settings.cutoff_day)))


def decide_termination(
    employment: EmploymentFacts | None, case: CaseFacts, settings: Settings
) -> TerminationDecision:
    """Section B: pay every unused year with the final salary, unless a transfer is agreed."""
    del settings  # the period is the end date's month, whatever the cut-off
    if employment is None:
        return TerminationDecision(outcome=Outcome.EXCEPTION, code="EMPLOYMENT_NOT_FOUND")
    if employment.need("pay") == "hourly":
        return TerminationDecision(outcome=Outcome.EXCEPTION, code="NO_ENTITLEMENT")
    agreed = (case.transfer_agreed if "transfer_agreed" in case.model_fields_set  # given, even as null
              else employment.holiday6_transfer_agreed)
    if agreed:
        return TerminationDecision(outcome=Outcome.SKIP, reason="TRANSFER_AGREED")
    try:
        years = sorted((_year(entry), unused_hours(entry)) for entry in employment.holiday6)
        unused = [(year, round_ore(hours)) for year, hours in years if round_ore(hours) > ZERO]
        if not unused:
            return TerminationDecision(outcome=Outcome.SKIP, reason="NOTHING_UNUSED")
        end_date: date = employment.need("end_date")
        value = hourly_value(employment)
        amounts = [(year, hours, line_amount(hours, value)) for year, hours in unused]
    except Unpayable as bad:
        return TerminationDecision(outcome=Outcome.EXCEPTION, code=bad.code, field=bad.field)
    lines = [PayoutLine(earning_year=year, hours=hours, hourly_value=value, amount=amount)
             for year, hours, amount in amounts]
    total = sum((amount for _, _, amount in amounts), ZERO)
    return TerminationDecision(outcome=Outcome.PAYOUT, lines=lines, amount=round_ore(total),
                               period=str(Period.of(end_date)))


# -- the numbers ------------------------------------------------------------------------


def unused_hours(entry: Holiday6Facts) -> Decimal:
    """earned − taken − paid − transferred of one `holiday6` entry (may be below zero).

    A missing figure is none; a null earned_hours is no number (ValueError). Unpayable
    (EMPLOYMENT_DATA_INVALID) when a figure is beyond any number of hours.
    """
    if entry.earned_hours is None:
        raise ValueError("holiday6.earned_hours: not a finite number")
    figures = {"earned_hours": entry.earned_hours, "taken_hours": entry.taken_hours or ZERO,
               "paid_hours": entry.paid_hours or ZERO, "transferred_hours": entry.transferred_hours or ZERO}
    for key, hours in figures.items():
        if abs(hours) > LIMIT:
            raise Unpayable(EMPLOYMENT_DATA_INVALID, f"employment.holiday6.{key}")
    return Holiday6Balance.model_construct(**figures).unused_hours  # the figures read, as a balance


def hourly_value(employment: EmploymentFacts) -> Decimal:
    """monthly_salary × 12 / (weekly_hours × 52), rounded to øre first (the letter's "á" figure).

    Unpayable (EMPLOYMENT_DATA_INVALID, naming the field) when the salary or the weekly
    hours are below 0.01 once rounded, the hours above 168, or the value rounds to 0.00.
    """
    salary = payable_number(employment.need("monthly_salary"), "employment.monthly_salary",
                            EMPLOYMENT_DATA_INVALID)
    weekly = payable_number(employment.need("weekly_hours"), "employment.weekly_hours",
                            EMPLOYMENT_DATA_INVALID, HOURS_IN_A_WEEK)
    value = round_ore(salary * 12 / (weekly * 52))
    if value < ORE:
        raise Unpayable(EMPLOYMENT_DATA_INVALID, "employment.monthly_salary")
    return value


def line_amount(hours: Decimal, value: Decimal) -> Decimal:
    """hours × hourly value rounded to øre; Unpayable when that is 0.00 kr. or beyond any amount."""
    amount = round_ore(hours * value)
    if amount < ORE:  # a value that small is no salary
        raise Unpayable(EMPLOYMENT_DATA_INVALID, "employment.monthly_salary")
    if amount > LIMIT:  # hours that many are no balance
        raise Unpayable(EMPLOYMENT_DATA_INVALID, "employment.holiday6")
    return amount


def usable_from(earning_year: int) -> date:
    """Hours earned in a year are usable from 1 May of the following year."""
    return date(earning_year + 1, 5, 1)


def is_active(employment: EmploymentFacts, on: date) -> bool:
    """start_date ≤ on and (no end_date or on ≤ end_date)."""
    start: date = employment.need("start_date")
    end = employment.end_date
    return start <= on and (end is None or on <= end)


def _late(requested_on: date, year: int, settings: Settings) -> bool:
    """After the deadline in the first usable period; carried-over hours have none."""
    if settings.request_deadline is None:
        return False
    month, day = (int(part) for part in settings.request_deadline.split("-"))
    last_of_month = month_end(date(year + 1, month, 1))
    deadline = last_of_month.replace(day=min(day, last_of_month.day))  # 02-29 in a common year
    return deadline < requested_on < usable_from(year + 1)


def _balance_entry(employment: EmploymentFacts, year: int) -> Holiday6Facts | None:
    return next((entry for entry in employment.holiday6 if _year(entry) == year), None)


# -- input and output -------------------------------------------------------------------


def _year(entry: Holiday6Facts) -> int:
    """The entry's earning year; an entry without one is no balance the rules can read."""
    if entry.earning_year is None:
        raise ValueError("not an earning year: None")
    return entry.earning_year


def _refused(code: str, field: str | None = None) -> RequestDecision:
    """A request a person must look at; EMPLOYMENT_DATA_INVALID names the `field` to correct."""
    return RequestDecision(outcome=Outcome.EXCEPTION, code=code, field=field)


def settings_from(given: Mapping[str, Any] | None) -> Settings:
    """The rules' defaults with the input's `settings` (see hr.decisions.settings_from)."""
    return _settings_from(Settings, given)
