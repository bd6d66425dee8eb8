"""The pure rules of the refund claims (codes: README.md here): functions of data and `as_of`.

`decide(input)` is the decision contract of docs/writing-a-bot.md, §4 (what `rpa
decide` prints: the decision model's JSON); `decide_absence` is what the `absences` task
calls, `reconcile` what the `decisions` task calls, both returning the decision models of
`models.py`, and `refunds_at_risk` feeds the run summary. They read the employment and
the absence as `EmploymentFacts` and `AbsenceFacts` (models.py). Money and hours are
Decimal from reading to decision, and a JSON number rounded to øre outside.

Hours nothing can be claimed from stop the item, checked on values rounded to 2
decimals, before `BELOW_4H`: the absence's `hours_per_week` below 0.01 once rounded
(negative, zero, 0.004) or above 168 is `ABSENCE_INVALID`; the employment's
`weekly_hours`, when the absence gives none, is `EMPLOYMENT_DATA_INVALID` (hr.decisions;
an hourly-paid employee with no contracted hours needs the absence's own hours). Both
add `field` naming it; so does a claim whose hours round to 0.00. A claim whose
`max_refund` rounds to 0.00 kr. has no usable rate: `RATE_UNKNOWN`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

from hr.calendar import add_months
from hr.decisions import (
    EMPLOYMENT_DATA_INVALID,
    HOURS_IN_A_WEEK,
    Unpayable,
    payable_number,
    read_case_input,
)
from hr.decisions import settings_from as _settings_from
from hr.money import ORE, round_ore, to_decimal

from .models import AbsenceDecision, AbsenceFacts, EmploymentFacts, Outcome, ReconcileDecision, Settings

SICKNESS_TYPES = ("sickness", "partial_sickness", "pregnancy_related")
MATERNITY = "maternity"
ABSENCE_TYPES = (*SICKNESS_TYPES, MATERNITY)
OPHOLDSKOMMUNE, UDBETALING_DANMARK = "opholdskommune", "udbetaling_danmark"
LATE_REPORT, LOOKBACK_LIMIT = "LATE_REPORT", "LOOKBACK_LIMIT"
DAY = timedelta(days=1)
ZERO = Decimal(0)
ABSENCE_INVALID = "ABSENCE_INVALID"


class RateUnknown(Exception):
    """A claim covers a day whose year has no rate in the settings."""

    def __init__(self, years: list[int]) -> None:
        super().__init__(f"no refund rate for {', '.join(map(str, years))}")
        self.years = years


def decide(data: Mapping[str, Any]) -> dict[str, Any]:
    """The decision for one `{"as_of", "employment", "case", "settings"}` input (case = the absence)."""
    given = read_case_input(data, Settings)
    absence = AbsenceFacts.read(given.case)
    employment = EmploymentFacts.read(given.employment) if given.employment is not None else None
    return decide_absence(employment, absence, given.as_of, given.settings).model_dump(mode="json")


def decide_absence(
    employment: EmploymentFacts | None, absence: AbsenceFacts, as_of: date, settings: Settings
) -> AbsenceDecision:
    """What to do about one absence today: report, claim, wait, nothing, or a person's code."""
    kind = absence.type
    if kind not in ABSENCE_TYPES:
        raise ValueError(f"unknown absence type {kind!r}; expected one of {', '.join(ABSENCE_TYPES)}")
    if employment is None:
        return _refused("EMPLOYMENT_NOT_FOUND")
    if not absence.need("salary_continued"):
        return AbsenceDecision(outcome=Outcome.NONE, reason="NO_SALARY")
    try:
        if kind == MATERNITY:
            return _decide_maternity(employment, absence, as_of, settings)
        return _decide_sickness(employment, absence, as_of, settings)
    except Unpayable as bad:
        return AbsenceDecision(outcome=Outcome.EXCEPTION, code=bad.code, field=bad.field)


def _decide_sickness(
    employment: EmploymentFacts, absence: AbsenceFacts, as_of: date, settings: Settings
) -> AbsenceDecision:
    weekly = hours_per_week(employment, absence)
    if absence.type == "partial_sickness" and weekly < settings.min_partial_hours:
        return AbsenceDecision(outcome=Outcome.NONE, reason="BELOW_4H")
    first_day: date = absence.need("first_day")
    eligible = eligible_from(absence, settings)
    last_day = absence.last_day
    if last_day is not None and last_day < eligible:
        return AbsenceDecision(outcome=Outcome.NONE, reason="WITHIN_EMPLOYER_PERIOD")
    reported = absence.reported_date
    if reported is None and as_of < first_day + timedelta(days=settings.report_from_day - 1):
        return AbsenceDecision(outcome=Outcome.WAIT, reason="TOO_EARLY_TO_REPORT", authority=OPHOLDSKOMMUNE)
    report_now = reported is None
    refund_from, warnings = refund_start(absence, reported or as_of, settings)
    claim_from, lookback_limited = _claim_from(absence, refund_from, as_of, settings)
    if lookback_limited:
        warnings.append(LOOKBACK_LIMIT)
    claim_to = _claim_to(employment, absence, as_of)
    common = {"authority": OPHOLDSKOMMUNE, "report_now": report_now, "refund_from": refund_from,
              "warnings": warnings}
    if claim_to is not None and claim_from <= claim_to:
        return _claim(claim_from, claim_to, weekly, settings, common, absence)
    if report_now:
        return AbsenceDecision(outcome=Outcome.REPORT_ONLY, **common)
    return AbsenceDecision(outcome=Outcome.WAIT, reason="NOTHING_TO_CLAIM_YET", **common)


def _decide_maternity(
    employment: EmploymentFacts, absence: AbsenceFacts, as_of: date, settings: Settings
) -> AbsenceDecision:
    deadline = maternity_deadline(absence, settings)
    if deadline is not None and as_of > deadline:
        return _refused("DEADLINE_PASSED")
    claim_from: date = absence.need("first_day")
    claimed_until = absence.claimed_until
    if claimed_until is not None:
        claim_from = max(claim_from, claimed_until + DAY)
    claim_to = _claim_to(employment, absence, as_of)
    common = {"authority": UDBETALING_DANMARK, "claim_deadline": deadline}
    if claim_to is not None and claim_from <= claim_to:
        return _claim(claim_from, claim_to, hours_per_week(employment, absence), settings, common,
                      absence)
    return AbsenceDecision(outcome=Outcome.WAIT, reason="NOTHING_TO_CLAIM_YET", **common)


def _claim(claim_from: date, claim_to: date, weekly: Decimal, settings: Settings,
           common: dict[str, Any], absence: AbsenceFacts) -> AbsenceDecision:
    """A claim of `claim_from` … `claim_to`, with what `common` says of the absence."""
    try:
        refund = max_refund(claim_from, claim_to, weekly, settings)
    except RateUnknown:
        return _refused("RATE_UNKNOWN")
    days = (claim_to - claim_from).days + 1
    hours = round_ore(weekly * days / 7)
    if hours < ORE:  # 0.01 hours a week for a day: nothing NemRefusion can pay
        raise Unpayable(*_hours_source(absence))
    if refund < ORE:
        return _refused("RATE_UNKNOWN")  # a rate so small it pays nothing is no rate
    return AbsenceDecision(outcome=Outcome.CLAIM, claim_from=claim_from, claim_to=claim_to,
                           hours=hours, max_refund=refund, **common)


# -- dates --------------------------------------------------------------------------------


def eligible_from(absence: AbsenceFacts, settings: Settings) -> date:
    """The first day the refund covers: after the employer period, unless there is none."""
    first_day: date = absence.need("first_day")
    if absence.no_employer_period or absence.type == "pregnancy_related":
        return first_day
    return first_day + timedelta(days=settings.employer_period_days)


def report_deadline(absence: AbsenceFacts, settings: Settings) -> date:
    """The last day to report a sickness absence without losing refund."""
    first_day: date = absence.need("first_day")
    return first_day + timedelta(days=settings.report_deadline_days)


def refund_start(absence: AbsenceFacts, report_date: date,
                 settings: Settings) -> tuple[date, list[str]]:
    """`refund_from` for a report on `report_date`, and `LATE_REPORT` when it was late."""
    eligible = eligible_from(absence, settings)
    if report_date <= report_deadline(absence, settings):
        return eligible, []
    return max(eligible, report_date), [LATE_REPORT]


def maternity_deadline(absence: AbsenceFacts, settings: Settings) -> date | None:
    """The claim deadline: salary stop (else last day) + `maternity_claim_days`; None while open."""
    end = absence.salary_stop_date or absence.last_day
    return end + timedelta(days=settings.maternity_claim_days) if end else None


def _claim_from(absence: AbsenceFacts, refund_from: date, as_of: date,
                settings: Settings) -> tuple[date, bool]:
    """The latest of refund_from, the day after claimed_until and the lookback limit."""
    others = [refund_from]
    claimed_until = absence.claimed_until
    if claimed_until is not None:
        others.append(claimed_until + DAY)
    lookback = add_months(as_of, -settings.lookback_months)
    if lookback > max(others):
        return lookback, True
    return max(others), False


def _claim_to(employment: EmploymentFacts, absence: AbsenceFacts, as_of: date) -> date | None:
    """The earliest of last_day, salary_stop_date, last_paid_date and yesterday: never the future."""
    ends = [absence.last_day, absence.salary_stop_date, employment.last_paid_date, as_of - DAY]
    return min(end for end in ends if end is not None)


# -- money --------------------------------------------------------------------------------


def hours_per_week(employment: EmploymentFacts, absence: AbsenceFacts) -> Decimal:
    """The absence's hours a week; null means the employment's contracted hours.

    Unpayable (ABSENCE_INVALID or EMPLOYMENT_DATA_INVALID, naming the field) when they are
    below 0.01 once rounded or above 168.
    """
    code, field = _hours_source(absence)
    value = absence.hours_per_week
    if value is None:
        value = employment.need("weekly_hours")
    return payable_number(value, field, code, HOURS_IN_A_WEEK)


def _hours_source(absence: AbsenceFacts) -> tuple[str, str]:
    """Where the claim's hours a week come from: the code and field a person corrects."""
    if absence.hours_per_week is None:
        return EMPLOYMENT_DATA_INVALID, "employment.weekly_hours"
    return ABSENCE_INVALID, "case.hours_per_week"


def max_refund(first: date, last: date, weekly: Decimal, settings: Settings) -> Decimal:
    """Σ over the days of weekly / 7 × that day's year's hourly rate, rounded to øre once.

    Raises RateUnknown when a day's year has no rate.
    """
    days_per_year: dict[int, int] = {}
    for year in range(first.year, last.year + 1):
        start, end = max(first, date(year, 1, 1)), min(last, date(year, 12, 31))
        days_per_year[year] = (end - start).days + 1
    missing = [year for year in days_per_year if str(year) not in settings.rates]
    if missing:
        raise RateUnknown(missing)
    total = sum((weekly * days * settings.rates[str(year)].hour
                 for year, days in days_per_year.items()), Decimal(0))
    return round_ore(total / 7)


def reconcile(decision: str, paid: Decimal | None, claimed: Decimal,
              settings: Settings) -> ReconcileDecision:
    """Compare NemRefusion's decision on a claim with the claim's max_refund (amounts to øre)."""
    if decision == "rejected":
        return ReconcileDecision(outcome=Outcome.EXCEPTION, code="REFUND_REJECTED", paid=ZERO,
                                 max_refund=round_ore(claimed), difference=round_ore(-claimed))
    paid = to_decimal(paid if paid is not None else 0)
    difference = paid - claimed
    code = "REFUND_DIFFERENCE" if abs(difference) > settings.reconcile_tolerance else None
    return ReconcileDecision(outcome=Outcome.EXCEPTION if code else Outcome.RECONCILED, code=code,
                             paid=round_ore(paid), max_refund=round_ore(claimed),
                             difference=round_ore(difference))


# -- refunds at risk ----------------------------------------------------------------------


def refunds_at_risk(absences: Iterable[AbsenceFacts], employments: Iterable[EmploymentFacts],
                    as_of: date, settings: Settings) -> dict[str, Any]:
    """Report deadlines within `at_risk_days`, and the refund each late report loses.

    The loss is the max_refund formula over `eligible_from` … the day before
    `refund_from`, but never past the absence's last day or salary stop (no salary, no
    refund). A late absence not yet reported counts as reported today.
    """
    by_id = {e.employment_id: e for e in employments}
    soon: list[dict[str, Any]] = []
    late: list[dict[str, Any]] = []
    for absence in absences:
        employment = by_id.get(absence.employment_id)
        try:
            if employment is None or not _refundable_sickness(employment, absence, settings):
                continue
            loss = lost_refund(employment, absence, absence.reported_date or as_of, settings)
        except Unpayable:
            continue  # hours nothing can be claimed from: the absence is a person's item already
        where = {"absence_id": absence.absence_id, "employment_id": employment.employment_id,
                 "unit": employment.unit}
        deadline = report_deadline(absence, settings)
        reported = absence.reported_date
        if reported is None and as_of <= deadline <= as_of + timedelta(days=settings.at_risk_days):
            soon.append({**where, "report_deadline": deadline.isoformat(),
                         "days_left": (deadline - as_of).days})
        if loss is not None:
            late.append({**where, **loss})
    total = sum((to_decimal(x["refund_lost"]) for x in late if x["refund_lost"] is not None),
                Decimal(0))
    return {"as_of": as_of.isoformat(), "report_deadline_soon": soon, "late_reports": late,
            "refund_lost_total": _json(total)}


def lost_refund(employment: EmploymentFacts, absence: AbsenceFacts, report_date: date,
                settings: Settings) -> dict[str, Any] | None:
    """What a late report on `report_date` loses, or None when it is not late."""
    refund_from, warnings = refund_start(absence, report_date, settings)
    if LATE_REPORT not in warnings:
        return None
    first = eligible_from(absence, settings)
    ends = [refund_from - DAY, absence.last_day, absence.salary_stop_date]
    last = min(end for end in ends if end is not None)
    days = max(0, (last - first).days + 1)
    try:
        lost = max_refund(first, last, hours_per_week(employment, absence), settings) if days else 0
    except RateUnknown:
        lost = None
    return {"eligible_from": first.isoformat(), "refund_from": refund_from.isoformat(),
            "days_lost": days, "refund_lost": None if lost is None else _json(to_decimal(lost))}


def _refundable_sickness(employment: EmploymentFacts, absence: AbsenceFacts,
                         settings: Settings) -> bool:
    if absence.type not in SICKNESS_TYPES or not absence.salary_continued:
        return False
    if (absence.type == "partial_sickness"
            and hours_per_week(employment, absence) < settings.min_partial_hours):
        return False
    last_day = absence.last_day
    return last_day is None or last_day >= eligible_from(absence, settings)


# -- input and output ---------------------------------------------------------------------


def _json(amount: Decimal) -> float:
    return float(round_ore(amount))


def _refused(code: str) -> AbsenceDecision:
    """An absence a person must look at: nothing else is decided."""
    return AbsenceDecision(outcome=Outcome.EXCEPTION, code=code)


def settings_from(given: Mapping[str, Any] | None) -> Settings:
    """The rules' defaults with the input's `settings` (see hr.decisions.settings_from)."""
    return _settings_from(Settings, given)
