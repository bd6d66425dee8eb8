"""The bot's settings (the defaults are the municipality's rules), task payloads and decisions."""

from __future__ import annotations

import re
from datetime import date
from enum import StrEnum

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    field_validator,
)

from hr.decisions import Decision
from hr.records import Number

_MONTH_DAY = re.compile(r"(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])")


class Settings(BaseModel):
    """Every number a municipality may set differently; a typo in orchestrator.yaml is an error."""

    model_config = ConfigDict(extra="forbid")

    cutoff_day: int = Field(10, ge=1, le=31)
    request_deadline: str | None = Field(
        None, description="MM-DD: last day in the hours' first usable year to request payout"
    )

    @field_validator("request_deadline")
    @classmethod
    def _month_day(cls, value: str | None) -> str | None:
        if value is None:
            return None
        if not _MONTH_DAY.fullmatch(value):
            raise ValueError(f"request_deadline must be MM-DD, got {value!r}")
        month, day = (int(part) for part in value.split("-"))
        date(2024, month, day)  # a leap year: 02-29 is allowed, 02-30 is not
        return value


class PayoutRequest(BaseModel):
    """A `requests` item: one Serviceportalen case of type holiday6_payout_request."""

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1)


class TerminationPayout(BaseModel):
    """A `termination_sweep` item: a monthly-paid employment ending in this or the next period."""

    model_config = ConfigDict(extra="forbid")

    employment_id: str = Field(min_length=1)
    end_date: date


# -- the decision ----------------------------------------------------------------------------


class Outcome(StrEnum):
    """What the rules decided: pay, nothing to do, or a person's code."""

    PAYOUT = "payout"
    SKIP = "skip"
    EXCEPTION = "exception"


class _Decision(Decision):
    """A decision: its JSON is `rpa decide`'s output and the item's stored decision."""

    outcome: Outcome
    code: str | None = None



class PayoutLine(BaseModel):
    """One earning year paid: hours á the hourly value."""

    model_config = ConfigDict(frozen=True)

    earning_year: int
    hours: Number
    hourly_value: Number
    amount: Number


class RequestDecision(_Decision):
    """Section A: a payout on the employee's request, or the exception code."""

    earning_year: int | None = None
    hours: Number | None = None
    hourly_value: Number | None = None
    amount: Number | None = None
    period: str | None = None
    field: str | None = None


class TerminationDecision(_Decision):
    """Section B: every unused year paid with the final salary, a skip's reason, or the code."""

    reason: str | None = None
    lines: list[PayoutLine] = Field(default_factory=list)
    amount: Number | None = None
    period: str | None = None
    field: str | None = None
