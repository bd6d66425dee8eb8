"""The bot's settings (the defaults are the municipality's rules) and task payloads."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from hr.money import LIMIT


class Settings(BaseModel):
    """Every number a municipality may set differently; a typo in orchestrator.yaml is an error."""

    model_config = ConfigDict(extra="forbid")

    max_single_amount: Decimal = Field(Decimal(50000), gt=0, le=LIMIT, allow_inf_nan=False)
    cutoff_day: int = Field(10, ge=1, le=31)
    late_policy: Literal["next_period", "exception"] = "next_period"
    pensionable_by_agreement: dict[str, bool] = Field(default_factory=dict)


class SupplementCase(BaseModel):
    """A `cases` item: a single case, a batch case to read, or a batch case to close.

    `close` items (reference `case_id:close`) are enqueued by the collector once every
    row of the batch is terminal; `summary` is the reply that closes the case.
    """

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1)
    kind: Literal["single", "batch", "close"] = "single"
    summary: str | None = None


class BatchRow(BaseModel):
    """A `rows` item: one row of a batch whose file and control figures were valid.

    `duplicate_of` is the earlier row it repeats (a property of the whole sheet, found
    when the batch was read); everything else is decided like a single case, so a
    person's corrected payload is decided afresh.
    """

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1)
    batch_id: str = Field(min_length=1)
    row: int = Field(ge=1)
    employment_id: str = Field(min_length=1)
    # finite and within any amount; the sign and the maximum are the rules' (AMOUNT_OUT_OF_RANGE)
    amount: Decimal = Field(ge=-LIMIT, le=LIMIT, allow_inf_nan=False)
    reason: str
    payout_period: str
    pensionable: bool | None = None
    submitted_date: date
    duplicate_of: int | None = None
