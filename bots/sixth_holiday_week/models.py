"""The bot's settings (the defaults are the municipality's rules) and task payloads."""

from __future__ import annotations

import re
from datetime import date

from pydantic import BaseModel, ConfigDict, Field, field_validator

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
