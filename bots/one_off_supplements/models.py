"""The bot's settings (the defaults are the municipality's rules), task payloads and decisions."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, SerializerFunctionWrapHandler, model_serializer

from hr.decisions import Decision
from hr.money import LIMIT
from hr.records import Number


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


# -- the decisions -----------------------------------------------------------------------------


class Outcome(StrEnum):
    """What the rules decided: register the supplement, a batch's rows, or a person's code."""

    REGISTER = "register"
    BATCH = "batch"
    EXCEPTION = "exception"
    CLOSED = "closed"  # not a rule's: a close item's result, the batch case solved


class SingleDecision(Decision):
    """Section A: one supplement's period (and the one it moved from), amount and pension, or the code."""

    outcome: Outcome
    code: str | None = None
    period: str | None = None
    moved_from: str | None = None
    amount: Number | None = None
    pensionable: bool | None = None
    pension_amount: Number | None = None
    field: str | None = None



class RowDecision(SingleDecision):
    """A batch row decided as a single case, or DUPLICATE_REQUEST."""

    row: int

    @model_serializer(mode="wrap")
    def _field_when_named(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """The single case's JSON with the row's number first."""
        data = super()._field_when_named(handler)
        return {"row": data.pop("row"), **data}


class BatchDecision(Decision):
    """Section B: every row decided, or the code of the file (and the row and column it names)."""

    outcome: Outcome
    code: str | None = None
    row: int | None = None
    column: str | None = None
    rows: list[RowDecision] = Field(default_factory=list)


class SheetDecision(Decision):
    """A batch item's decision: every row of the sheet as a `rows` payload, or the code and why."""

    outcome: Outcome
    code: str | None = None
    row: int | None = None
    column: str | None = None
    detail: str | None = None  # Danish, for the manager
    rows: list[BatchRow] = Field(default_factory=list)

    @model_serializer(mode="wrap")
    def _keys_of_its_outcome(self, handler: SerializerFunctionWrapHandler) -> dict[str, Any]:
        """A batch has only its rows; a code its detail, BATCH_FILE_INVALID also the row and column."""
        data: dict[str, Any] = handler(self)
        if self.outcome is Outcome.BATCH:
            return {"outcome": data["outcome"], "rows": data["rows"]}
        del data["rows"]
        if self.code != "BATCH_FILE_INVALID":
            del data["row"], data["column"]
        return data
