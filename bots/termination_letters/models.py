"""The bot's settings (the defaults are the municipality's rules), task payloads and decisions."""

from __future__ import annotations

from datetime import date
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from hr.decisions import Decision, Facts


class Settings(BaseModel):
    """Every number a municipality may set differently; a typo in orchestrator.yaml is an error."""

    model_config = ConfigDict(extra="forbid")

    employee_notice_months: int = Field(1, ge=0, le=12)
    probation_notice_days: int = Field(0, ge=0, le=365)
    hourly_inactive_months: int = Field(3, ge=1, le=60)


class ResignationCase(BaseModel):
    """A `resignations` item: one Serviceportalen case of type resignation."""

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1, title="Sagsnummer")


class HourlyEmployment(BaseModel):
    """An `hourly_sweep` item: an hourly-paid employment the sweep found due (or odd)."""

    model_config = ConfigDict(extra="forbid")

    employment_id: str = Field(min_length=1, title="Ansættelsesnummer")


# -- what the rules read ----------------------------------------------------------------------


class EmploymentFacts(Facts):
    """The employment as the rules read it (Lønsystem's record, or the decide input's)."""

    WHERE = "employment"

    pay: str | None = None  # monthly or hourly
    category: str | None = None  # overenskomstansat or tjenestemand
    start_date: date | None = None
    probation_end: date | None = None
    end_date: date | None = None
    last_paid_date: date | None = None
    digital_post: bool | None = None


class CaseFacts(Facts):
    """A resignation case's fields as the rules read them (Serviceportalen's, or the input's)."""

    WHERE = "case"

    type: str | None = None
    received_date: date | None = None
    requested_last_day: date | None = None
    earlier_date_agreed: bool | None = None


# -- the decisions -----------------------------------------------------------------------------


class Outcome(StrEnum):
    """What the rules decided: a letter (and the end date), an hourly termination, a skip, a person's code."""

    LETTER = "letter"
    TERMINATE = "terminate"
    SKIP = "skip"
    EXCEPTION = "exception"


class ResignationDecision(Decision):
    """Section A: a resignation's last day and its basis, or the exception code."""

    outcome: Outcome
    code: str | None = None
    last_day: date | None = None
    earliest_last_day: date | None = None
    basis: str | None = None  # probation, notice, requested or agreed


class HourlyDecision(Decision):
    """Section B: terminate an inactive hourly employment on its last paid day, skip it, or the code."""

    outcome: Outcome
    code: str | None = None
    reason: str | None = None
    last_day: date | None = None
