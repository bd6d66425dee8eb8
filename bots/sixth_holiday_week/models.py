"""The bot's settings (the defaults are the municipality's rules), task payloads and decisions."""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    field_validator,
)

from hr.decisions import Decision, Facts
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

    case_id: str = Field(min_length=1, title="Sagsnummer")


class TerminationPayout(BaseModel):
    """A `termination_sweep` item: a monthly-paid employment ending in this or the next period."""

    model_config = ConfigDict(extra="forbid")

    employment_id: str = Field(min_length=1, title="Ansættelsesnummer")
    end_date: date = Field(title="Fratrædelsesdato")


# -- what the rules read ----------------------------------------------------------------------


def _earning_year(value: Any) -> int | None:
    """An earning year: an int, or a string of one (not a bool, not a float); None stays None."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise ValueError(f"not an earning year: {value!r}")
    try:
        return int(value)
    except ValueError:
        raise ValueError(f"not an earning year: {value!r}") from None


EarningYear = Annotated[int | None, BeforeValidator(_earning_year)]


class Holiday6Facts(Facts):
    """One `holiday6` entry of the employment (an earning year's balance) as the rules read it.

    Not hr.records.Holiday6Balance: a decide input's entry may lack any figure. A missing
    hour count is none (earned_hours too, by its default); a null earned_hours stays None,
    which the rules refuse as no number.
    """

    WHERE = "holiday6"

    earning_year: EarningYear = None
    earned_hours: Decimal | None = Decimal(0)
    taken_hours: Decimal | None = None
    paid_hours: Decimal | None = None
    transferred_hours: Decimal | None = None


class EmploymentFacts(Facts):
    """The employment as the rules read it (Lønsystem's record, or the decide input's)."""

    WHERE = "employment"

    pay: str | None = None  # monthly or hourly
    start_date: date | None = None
    end_date: date | None = None
    holiday6: tuple[Holiday6Facts, ...] = ()
    holiday6_transfer_agreed: bool | None = None
    monthly_salary: Decimal | None = None
    weekly_hours: Decimal | None = None

    @field_validator("holiday6", mode="before")
    @classmethod
    def _entries(cls, value: Any) -> Any:
        entries = value or []  # missing, null or empty: no balance
        if not isinstance(entries, list | tuple) or not all(
                isinstance(entry, Mapping | Holiday6Facts) for entry in entries):
            raise ValueError("employment.holiday6 must be a list of objects")
        return entries


class CaseFacts(Facts):
    """A case's fields as the rules read them (Serviceportalen's, the sweep's, or the input's).

    `transfer_agreed` given, even as null, is the case's answer; only a case without it
    falls back to the employment's `holiday6_transfer_agreed`.
    """

    WHERE = "case"

    request_date: date | None = None
    earning_year: EarningYear = None
    hours: Decimal | None = None
    transfer_agreed: bool | None = None


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
