"""The pure rules of the termination letters (codes: README.md here): functions of data and `as_of`.

`decide(input)` is the decision contract of docs/writing-a-bot.md, §4 (what `rpa
decide` prints); `decide_resignation` and `decide_hourly` are what `process` calls.

No money: a confirmation letter and an end date pay nothing, so these rules read no
salary, hours, rate or pension percentage and refuse none; a negative salary does not
stop a resignation letter. The bots that pay stop on it with `EMPLOYMENT_DATA_INVALID`
(hr.decisions).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, timedelta
from typing import Any

from hr.calendar import Period, add_months
from hr.decisions import read_case_input
from hr.decisions import settings_from as _settings_from

from .models import CaseFacts, EmploymentFacts, HourlyDecision, Outcome, ResignationDecision, Settings

CASE_TYPES = ("resignation", "hourly_inactivity")
#: The keys of each decision's JSON, in order (its model's fields).
RESIGNATION_KEYS = tuple(ResignationDecision.model_fields)
HOURLY_KEYS = tuple(HourlyDecision.model_fields)


def decide(data: Mapping[str, Any]) -> dict[str, Any]:
    """The decision for one `{"as_of", "employment", "case", "settings"}` input."""
    given = read_case_input(data, Settings)
    case = CaseFacts.read(given.case)
    employment = EmploymentFacts.read(given.employment) if given.employment is not None else None
    if case.type == "resignation":
        return decide_resignation(employment, case, given.settings).model_dump(mode="json")
    if case.type == "hourly_inactivity":
        return decide_hourly(employment, given.as_of, given.settings).model_dump(mode="json")
    kind = case.type
    raise ValueError(f"unknown case type {kind!r}; expected one of {', '.join(CASE_TYPES)}")


def decide_resignation(
    employment: EmploymentFacts | None, case: CaseFacts, settings: Settings
) -> ResignationDecision:
    """Section A: the last day of a monthly-paid employee who resigned, or the exception code."""
    if employment is None:
        return _refused("EMPLOYMENT_NOT_FOUND")
    if employment.need("pay") == "hourly":
        return _refused("NOT_MONTHLY_PAID")
    received = case.received_date
    if received is None:
        return _refused("RECEIVED_DATE_MISSING")
    if employment.end_date is not None or not is_active(employment, received):
        return _refused("EMPLOYMENT_INACTIVE")
    if employment.need("category") == "tjenestemand":
        return _refused("TJENESTEMAND_REVIEW")
    if not employment.need("digital_post"):
        return _refused("NO_DIGITAL_POST")
    earliest, basis = earliest_last_day(employment, received, settings)
    requested = case.requested_last_day
    if requested is not None:
        if requested < received:
            return _refused("REQUESTED_BEFORE_RECEIPT")
        if requested >= earliest:
            basis = "requested"
        elif case.earlier_date_agreed:
            basis = "agreed"
        else:
            return _refused("EARLIER_THAN_NOTICE")
    return ResignationDecision(outcome=Outcome.LETTER, last_day=requested or earliest,
                               earliest_last_day=earliest, basis=basis)


def earliest_last_day(employment: EmploymentFacts, received: date, settings: Settings) -> tuple[date, str]:
    """Step 7: the earliest last day and its basis (`probation` or `notice`)."""
    probation_end = employment.probation_end
    if probation_end is not None and received <= probation_end:
        return received + timedelta(days=settings.probation_notice_days), "probation"
    return Period.of(received).shift(settings.employee_notice_months).last_day, "notice"


def decide_hourly(employment: EmploymentFacts | None, as_of: date, settings: Settings) -> HourlyDecision:
    """Section B: terminate an hourly-paid employment without pay since the threshold, or skip."""
    if employment is None:
        return HourlyDecision(outcome=Outcome.EXCEPTION, code="EMPLOYMENT_NOT_FOUND")
    if employment.need("pay") != "hourly":
        return _skip("NOT_HOURLY")
    if employment.end_date is not None:
        return _skip("ALREADY_ENDED")
    threshold = inactivity_threshold(as_of, settings)
    last_paid = employment.last_paid_date
    if last_paid is None:
        if employment.need("start_date") < threshold:
            return HourlyDecision(outcome=Outcome.EXCEPTION, code="NEVER_PAID")
        return _skip("NEW_EMPLOYMENT")
    if last_paid >= threshold:
        return _skip("ACTIVE")
    return HourlyDecision(outcome=Outcome.TERMINATE, last_day=last_paid)


def inactivity_threshold(as_of: date, settings: Settings) -> date:
    """`as_of` minus `hourly_inactive_months` calendar months (a short month: its last day)."""
    return add_months(as_of, -settings.hourly_inactive_months)


def is_active(employment: EmploymentFacts, day: date) -> bool:
    """Active on `day`: started on or before it and not ended before it."""
    start: date = employment.need("start_date")
    end = employment.end_date
    return start <= day and (end is None or day <= end)


# -- input --------------------------------------------------------------------------------


def _refused(code: str) -> ResignationDecision:
    return ResignationDecision(outcome=Outcome.EXCEPTION, code=code)


def _skip(reason: str) -> HourlyDecision:
    return HourlyDecision(outcome=Outcome.SKIP, reason=reason)


def settings_from(given: Mapping[str, Any] | None) -> Settings:
    """The rules' defaults with the input's `settings` (see hr.decisions.settings_from)."""
    return _settings_from(Settings, given)
