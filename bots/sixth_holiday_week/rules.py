"""The pure rules of the 6th holiday week payout (codes: README.md here): functions of data and `as_of`.

`decide(input)` is the decision contract of docs/writing-a-bot.md, §4 (what `rpa
decide` prints: the decision model's JSON); `decide_request` and `decide_termination` are
what `process` calls, and return the decision models of `models.py`. Money is Decimal
inside and a JSON number rounded to øre outside.

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
    number,
    parse_date,
    payable_number,
    read_case_input,
    required,
)
from hr.decisions import settings_from as _settings_from
from hr.money import LIMIT, ORE, payable, round_ore
from hr.records import Holiday6Balance

from .models import Outcome, PayoutLine, RequestDecision, Settings, TerminationDecision

REQUEST = "holiday6_payout_request"
TERMINATION = "holiday6_termination"
CASE_TYPES = (REQUEST, TERMINATION)
ZERO = Decimal(0)


def decide(data: Mapping[str, Any]) -> dict[str, Any]:
    """The decision for one `{"as_of", "employment", "case", "settings"}` input."""
    given = read_case_input(data, Settings)
    kind = given.case.get("type")
    decision: RequestDecision | TerminationDecision
    if kind == REQUEST:
        decision = decide_request(given.employment, given.case, given.as_of, given.settings)
    elif kind == TERMINATION:
        decision = decide_termination(given.employment, given.case, given.settings)
    else:
        raise ValueError(f"unknown case type {kind!r}; expected one of {', '.join(CASE_TYPES)}")
    return decision.model_dump(mode="json")


def decide_request(
    employment: Mapping[str, Any] | None, case: Mapping[str, Any], as_of: date, settings: Settings
) -> RequestDecision:
    """Section A: a payout on the employee's request, or the exception code."""
    if employment is None:
        return _refused("EMPLOYMENT_NOT_FOUND")
    if required(employment, "pay", "employment") == "hourly":
        return _refused("NO_ENTITLEMENT")
    requested_on = parse_date(required(case, "request_date", "case"), "case.request_date")
    year = _year(required(case, "earning_year", "case"))
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
        asked = case.get("hours")
        given = available if asked is None else number(asked, "case.hours")
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
    employment: Mapping[str, Any] | None, case: Mapping[str, Any], settings: Settings
) -> TerminationDecision:
    """Section B: pay every unused year with the final salary, unless a transfer is agreed."""
    del settings  # the period is the end date's month, whatever the cut-off
    if employment is None:
        return TerminationDecision(outcome=Outcome.EXCEPTION, code="EMPLOYMENT_NOT_FOUND")
    if required(employment, "pay", "employment") == "hourly":
        return TerminationDecision(outcome=Outcome.EXCEPTION, code="NO_ENTITLEMENT")
    agreed = case.get("transfer_agreed", employment.get("holiday6_transfer_agreed", False))
    if agreed:
        return TerminationDecision(outcome=Outcome.SKIP, reason="TRANSFER_AGREED")
    try:
        years = sorted((_year(e.get("earning_year")), unused_hours(e)) for e in _entries(employment))
        unused = [(year, round_ore(hours)) for year, hours in years if round_ore(hours) > ZERO]
        if not unused:
            return TerminationDecision(outcome=Outcome.SKIP, reason="NOTHING_UNUSED")
        end_date = parse_date(required(employment, "end_date", "employment"), "employment.end_date")
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


def unused_hours(entry: Mapping[str, Any]) -> Decimal:
    """earned − taken − paid − transferred of one `holiday6` entry (may be below zero).

    Unpayable (EMPLOYMENT_DATA_INVALID) when a figure is beyond any number of hours.
    """
    figures = {"earned_hours": number(entry.get("earned_hours", 0), "holiday6.earned_hours")}
    figures.update({key: number(entry.get(key) or 0, f"holiday6.{key}")
                    for key in ("taken_hours", "paid_hours", "transferred_hours")})
    for key, hours in figures.items():
        if abs(hours) > LIMIT:
            raise Unpayable(EMPLOYMENT_DATA_INVALID, f"employment.holiday6.{key}")
    return Holiday6Balance.model_construct(**figures).unused_hours  # the figures read, as a balance


def hourly_value(employment: Mapping[str, Any]) -> Decimal:
    """monthly_salary × 12 / (weekly_hours × 52), rounded to øre first (the letter's "á" figure).

    Unpayable (EMPLOYMENT_DATA_INVALID, naming the field) when the salary or the weekly
    hours are below 0.01 once rounded, the hours above 168, or the value rounds to 0.00.
    """
    salary = payable_number(required(employment, "monthly_salary", "employment"),
                            "employment.monthly_salary", EMPLOYMENT_DATA_INVALID)
    weekly = payable_number(required(employment, "weekly_hours", "employment"),
                            "employment.weekly_hours", EMPLOYMENT_DATA_INVALID, HOURS_IN_A_WEEK)
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


def is_active(employment: Mapping[str, Any], on: date) -> bool:
    """start_date ≤ on and (no end_date or on ≤ end_date)."""
    start = parse_date(required(employment, "start_date", "employment"), "employment.start_date")
    end = parse_date(employment.get("end_date"), "employment.end_date")
    return start <= on and (end is None or on <= end)


def _late(requested_on: date, year: int, settings: Settings) -> bool:
    """After the deadline in the first usable period; carried-over hours have none."""
    if settings.request_deadline is None:
        return False
    month, day = (int(part) for part in settings.request_deadline.split("-"))
    last_of_month = month_end(date(year + 1, month, 1))
    deadline = last_of_month.replace(day=min(day, last_of_month.day))  # 02-29 in a common year
    return deadline < requested_on < usable_from(year + 1)


def _entries(employment: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    entries = employment.get("holiday6") or []
    if not isinstance(entries, list) or not all(isinstance(e, Mapping) for e in entries):
        raise ValueError("employment.holiday6 must be a list of objects")
    return entries


def _balance_entry(employment: Mapping[str, Any], year: int) -> Mapping[str, Any] | None:
    return next((e for e in _entries(employment) if _year(e.get("earning_year")) == year), None)


# -- input and output -------------------------------------------------------------------


def _year(value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"not an earning year: {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"not an earning year: {value!r}") from None


def _refused(code: str, field: str | None = None) -> RequestDecision:
    """A request a person must look at; EMPLOYMENT_DATA_INVALID names the `field` to correct."""
    return RequestDecision(outcome=Outcome.EXCEPTION, code=code, field=field)


def settings_from(given: Mapping[str, Any] | None) -> Settings:
    """The rules' defaults with the input's `settings` (see hr.decisions.settings_from)."""
    return _settings_from(Settings, given)
