"""The bot's settings (the defaults are the municipality's rules), task payloads and decisions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from hr.decisions import Decision, Facts
from hr.money import LIMIT
from hr.records import Number


class Rate(BaseModel):
    """The highest benefit of one year: per week and per hour (kr.); a rate of 0 would claim nothing."""

    model_config = ConfigDict(extra="forbid")

    week: Decimal = Field(gt=0, le=LIMIT, allow_inf_nan=False)
    hour: Decimal = Field(gt=0, le=LIMIT, allow_inf_nan=False)


def _default_rates() -> dict[str, Rate]:
    return {
        "2022": Rate(week=Decimal("4465"), hour=Decimal("120.68")),
        "2023": Rate(week=Decimal("4550"), hour=Decimal("122.97")),
        "2024": Rate(week=Decimal("4695"), hour=Decimal("126.89")),
    }


class Settings(BaseModel):
    """Every number a municipality may set differently; a typo in orchestrator.yaml is an error."""

    model_config = ConfigDict(extra="forbid")

    employer_period_days: int = Field(30, ge=0, le=365)
    report_from_day: int = Field(23, ge=1, le=365)
    report_deadline_days: int = Field(35, ge=0, le=365)
    lookback_months: int = Field(3, ge=0, le=120)
    min_partial_hours: Decimal = Field(Decimal(4), ge=0, le=168, allow_inf_nan=False)
    maternity_claim_days: int = Field(56, ge=0, le=3650)
    reconcile_tolerance: Decimal = Field(Decimal("1.00"), ge=0, le=LIMIT, allow_inf_nan=False)
    at_risk_days: int = Field(5, ge=0, le=365, description="report deadlines this near are at risk")
    rates: dict[str, Rate] = Field(default_factory=_default_rates)

    @field_validator("rates", mode="before")
    @classmethod
    def _year_keys(cls, value: Any) -> Any:
        """Year keys as strings (YAML reads `2024:` as a number); each must be a year."""
        if not isinstance(value, dict):
            return value
        keys = {str(key): rate for key, rate in value.items()}
        bad = [key for key in keys if not (key.isdigit() and len(key) == 4)]
        if bad:
            raise ValueError(f"rates: year keys must be four digits, got {', '.join(bad)}")
        return keys


class AbsenceClaim(BaseModel):
    """An `absences` item: one absence to report and/or claim (or that needs a person)."""

    model_config = ConfigDict(extra="forbid")

    absence_id: str = Field(min_length=1, title="Fraværs-id")
    kind: Literal["claim", "report_only", "exception"] = Field(title="Type")
    claim_to: date | None = Field(None, title="Krav til og med")


class RefundDecision(BaseModel):
    """A `decisions` item: NemRefusion's decision on one claim, to reconcile."""

    model_config = ConfigDict(extra="forbid")

    absence_id: str = Field(min_length=1, title="Fraværs-id")
    claim_from: date | None = Field(None, title="Krav fra")
    claim_to: date | None = Field(None, title="Krav til og med")
    # finite, not negative, within any amount: a corrected "1e999999" is PAYLOAD_INVALID
    max_refund: Decimal = Field(ge=0, le=LIMIT, allow_inf_nan=False, title="Største refusion (kr.)")
    decision: str = Field(min_length=1, title="Afgørelse")
    paid: Decimal | None = Field(None, ge=0, le=LIMIT, allow_inf_nan=False, title="Udbetalt (kr.)")
    receipt_id: str | None = Field(None, title="Kvitterings-id")


# -- what the rules read ----------------------------------------------------------------------


class EmploymentFacts(Facts):
    """The employment as the rules read it (Lønsystem's record, or the decide input's)."""

    WHERE = "employment"

    employment_id: str | None = None
    unit: str | None = None  # whose manager hears of a late report
    weekly_hours: Decimal | None = None  # contracted: the claim's hours when the absence gives none
    last_paid_date: date | None = None


class AbsenceFacts(Facts):
    """An absence as the rules read it (Lønsystem's record, or the decide input's `case`)."""

    WHERE = "case"

    absence_id: str | None = None
    employment_id: str | None = None
    type: str | None = None  # sickness, partial_sickness, pregnancy_related or maternity
    first_day: date | None = None
    last_day: date | None = None
    hours_per_week: Decimal | None = None  # null: the employment's weekly_hours
    no_employer_period: bool | None = None
    salary_continued: bool | None = None
    salary_stop_date: date | None = None
    reported_date: date | None = None
    claimed_until: date | None = None


# -- the decisions -----------------------------------------------------------------------------


class Outcome(StrEnum):
    """What the rules decided: about an absence today, or on NemRefusion's decision on a claim."""

    CLAIM = "claim"
    REPORT_ONLY = "report_only"
    WAIT = "wait"
    NONE = "none"
    EXCEPTION = "exception"
    RECONCILED = "reconciled"


class AbsenceDecision(Decision):
    """One absence today: claim, report only, wait, nothing, or a person's code.

    Its JSON is `rpa decide`'s output and the `absences` item's stored decision: every
    key always there, `field` only when a code names what to correct.
    """

    outcome: Outcome
    code: str | None = None
    reason: str | None = None
    authority: str | None = None  # opholdskommune (sickness) or udbetaling_danmark (maternity)
    report_now: bool | None = None
    refund_from: date | None = None
    claim_from: date | None = None
    claim_to: date | None = None
    hours: Number | None = None
    max_refund: Number | None = None
    claim_deadline: date | None = None
    warnings: tuple[str, ...] = ()
    field: str | None = None



class ReconcileDecision(Decision):
    """NemRefusion's decision on a claim against its max_refund: reconciled, or a person's code."""

    outcome: Outcome
    code: str | None = None
    paid: Number
    max_refund: Number
    difference: Number
