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
    SerializerFunctionWrapHandler,
    field_validator,
    model_serializer,
)

from hr.calendar import Period
from hr.decisions import Decision, Facts
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

    case_id: str = Field(min_length=1, title="Sagsnummer")
    kind: Literal["single", "batch", "close"] = Field("single", title="Type")
    summary: str | None = Field(None, title="Resumé")


class BatchRow(BaseModel):
    """A `rows` item: one row of a batch whose file and control figures were valid.

    `duplicate_of` is the earlier row it repeats (a property of the whole sheet, found
    when the batch was read); everything else is decided like a single case, so a
    person's corrected payload is decided afresh.
    """

    model_config = ConfigDict(extra="forbid")

    case_id: str = Field(min_length=1, title="Sagsnummer")
    batch_id: str = Field(min_length=1, title="Batch")
    row: int = Field(ge=1, title="Række")
    employment_id: str = Field(min_length=1, title="Ansættelsesnummer")
    # finite and within any amount; the sign and the maximum are the rules' (AMOUNT_OUT_OF_RANGE)
    amount: Decimal = Field(ge=-LIMIT, le=LIMIT, allow_inf_nan=False, title="Beløb (kr.)")
    reason: str = Field(title="Begrundelse")
    payout_period: str = Field(title="Udbetalingsmåned (åååå-mm)")
    pensionable: bool | None = Field(None, title="Pensionsgivende")
    submitted_date: date = Field(title="Indsendt")
    duplicate_of: int | None = Field(None, title="Dublet af række")


# -- what the rules read ----------------------------------------------------------------------


class EmploymentFacts(Facts):
    """The employment as the rules read it (Lønsystem's record, or the decide input's)."""

    WHERE = "employment"

    employment_id: str | None = None  # a batch's rows find their employment by it
    start_date: date | None = None
    end_date: date | None = None
    agreement: str = ""  # the key into `pensionable_by_agreement`; none is ""
    pension_pct: Decimal | None = None

    # the rules have always read these as text: an input's number is its digits
    @field_validator("employment_id", mode="before")
    @classmethod
    def _id_as_text(cls, value: Any) -> Any:
        return value if value is None else str(value)

    @field_validator("agreement", mode="before")
    @classmethod
    def _agreement_as_text(cls, value: Any) -> str:
        return str(value or "")


class CaseFacts(Facts):
    """A single case's fields as the rules read them (Serviceportalen's, the input's, or a row's)."""

    WHERE = "case"

    amount: Decimal | None = None
    reason: str = ""  # none and a blank one alike: REASON_MISSING
    payout_period: Period | None = None
    submitted_date: date | None = None
    pensionable: bool | None = None  # None: the agreement's answer

    @field_validator("reason", mode="before")
    @classmethod
    def _reason_as_text(cls, value: Any) -> str:
        # Serviceportalen's page gives a reason of digits as a number, a date-like one as a date
        return str(value or "").strip()

    @field_validator("payout_period", mode="before")
    @classmethod
    def _period(cls, value: Any) -> Any:
        if value is None or isinstance(value, Period):
            return value
        try:
            return Period.parse(str(value))
        except ValueError:
            raise ValueError(f"{cls.WHERE}.payout_period: not a period (YYYY-MM): {value!r}") from None

    @field_validator("pensionable", mode="before")
    @classmethod
    def _flag_or_null(cls, value: Any) -> Any:
        if value is not None and not isinstance(value, bool):
            raise ValueError(f"{cls.WHERE}.pensionable: not true/false/null: {value!r}")
        return value


class RowFacts(CaseFacts):
    """A `rows` item's payload as the rules read it: a single case, unless it repeats an earlier row."""

    duplicate_of: int | None = None


class ControlFigures(Facts):
    """A batch case's control figures: the manager's number of rows and total amount."""

    WHERE = "case"

    row_count: int | None = None
    control_total: Decimal | None = None

    @field_validator("row_count", mode="before")
    @classmethod
    def _whole_number(cls, value: Any) -> Any:
        if value is None:
            return value
        if isinstance(value, bool) or not isinstance(value, int | float | Decimal) or value % 1:
            raise ValueError(f"{cls.WHERE}.row_count: not a whole number: {value!r}")
        return int(value)


class BatchCaseFacts(ControlFigures):
    """A batch case's fields as the rules read them; `rows` are the sheet's cells, which
    `rules.read_rows` reads so that BATCH_FILE_INVALID names the row and column."""

    submitted_date: date | None = None
    rows: Any = None


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
