"""The pure rules of the one-off supplements (codes: README.md here): functions of data, no I/O, no clock.

`decide(input)` is the decision contract of docs/writing-a-bot.md, §4 (what `rpa
decide` prints: the decision model's JSON); `decide_single`, `decide_row`, `read_rows` and
`duplicate_rows` are what `process` calls. What they read (the employment, a case's fields,
a row) and what they decide are the models of `models.py`; money is Decimal throughout.

Money that cannot be paid stops the item, checked on the value rounded to øre: an
amount below 0.01 kr. once rounded (negative, zero, 0.004) or above
`max_single_amount` is `AMOUNT_OUT_OF_RANGE`; a pension percentage below 0 or above 100
on a pensionable supplement is `EMPLOYMENT_DATA_INVALID` (hr.decisions; the rules
name no code for Lønsystem's data), whose decision adds `field` naming it. 0 % is a
real answer (no pension) and pays 0.00 pension. A batch cell beyond any amount
(e.g. 1e999999) cannot be read: `BATCH_FILE_INVALID`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from hr.calendar import Period, cutoff_date
from hr.decisions import EMPLOYMENT_DATA_INVALID, Unpayable, percentage, read_case_input, required
from hr.decisions import settings_from as _settings_from
from hr.money import LIMIT, payable, round_ore, to_decimal

from .models import (
    BatchCaseFacts,
    BatchDecision,
    CaseFacts,
    EmploymentFacts,
    Outcome,
    RowDecision,
    RowFacts,
    Settings,
    SingleDecision,
)

#: The keys of each decision's JSON, in order (a single decision adds `field` when it names one).
SINGLE_KEYS = tuple(key for key in SingleDecision.model_fields if key != "field")
BATCH_KEYS = tuple(BatchDecision.model_fields)
CASE_TYPES = ("one_off_supplement", "supplement_batch")

#: The sheet's columns: field → the Danish heading the manager sees.
COLUMNS = {
    "employment_id": "Medarbejdernr.",
    "amount": "Beløb",
    "reason": "Begrundelse",
    "payout_period": "Udbetalingsmåned",
    "pensionable": "Pensionsgivende",
}


def decide(data: Mapping[str, Any]) -> dict[str, Any]:
    """The decision for one `{"as_of", "employment"|"employments", "case", "settings"}` input."""
    given = read_case_input(data, Settings, employment=False)  # which employment(s): by case type
    settings = given.settings
    kind = given.case.get("type")
    if kind == "one_off_supplement":
        if "employment" not in data:
            raise ValueError("missing field input.employment (null when the employment does not exist)")
        case = CaseFacts.read(given.case)
        found = data["employment"]
        employment = None if found is None else _employment(found, "employment")
        return decide_single(employment, case, settings).model_dump(mode="json")
    if kind == "supplement_batch":
        employments = required(data, "employments", "input")
        if not isinstance(employments, Sequence) or isinstance(employments, str):
            raise ValueError("employments must be a list")
        batch = BatchCaseFacts.read(given.case)
        staff = [_employment(found, f"employments[{i}]") for i, found in enumerate(employments)]
        return decide_batch(staff, batch, settings).model_dump(mode="json")
    raise ValueError(f"unknown case type {kind!r}; expected one of {', '.join(CASE_TYPES)}")


def _employment(given: Any, where: str) -> EmploymentFacts:
    if not isinstance(given, Mapping):
        raise ValueError(f"{where} must be an object")
    return EmploymentFacts.read(given)


# -- a single supplement ---------------------------------------------------------------------


def decide_single(employment: EmploymentFacts | None, case: CaseFacts, settings: Settings) -> SingleDecision:
    """Section A: the period, amount and pension of one supplement, or the exception code."""
    if employment is None:
        return _exception("EMPLOYMENT_NOT_FOUND")
    amount: Decimal = case.need("amount")
    if not payable(amount, settings.max_single_amount):  # on the rounded amount: 0.004 is 0.00 kr.
        return _exception("AMOUNT_OUT_OF_RANGE")
    if not case.reason:
        return _exception("REASON_MISSING")
    reported: Period = case.need("payout_period")
    period = effective_period(reported, case.need("submitted_date"), settings)
    if period is None:
        return _exception("PAYROLL_CUTOFF_PASSED")
    if not active_in(employment, period):
        return _exception("EMPLOYMENT_INACTIVE")
    pensionable = is_pensionable(employment, case.pensionable, settings)
    if pensionable is None:
        return _exception("AGREEMENT_UNKNOWN")
    pct: Decimal = employment.need("pension_pct")
    try:
        if pensionable:  # a pct nothing is paid from is not read: 0 % is no pension, not an error
            percentage(pct, "employment.pension_pct", EMPLOYMENT_DATA_INVALID)
    except Unpayable as bad:
        return _invalid(bad)
    pension = amount * pct / 100 if pensionable else Decimal(0)
    return SingleDecision(
        outcome=Outcome.REGISTER,
        period=str(period),
        moved_from=str(reported) if period != reported else None,
        amount=round_ore(amount),
        pensionable=pensionable,
        pension_amount=round_ore(pension),
    )


def decide_row(employment: EmploymentFacts | None, row: RowFacts, settings: Settings) -> SingleDecision:
    """A batch row as a single case, unless it repeats an earlier row (`duplicate_of`)."""
    if row.duplicate_of is not None:
        return _exception("DUPLICATE_REQUEST")
    return decide_single(employment, row, settings)


def effective_period(reported: Period, submitted: date, settings: Settings) -> Period | None:
    """Step 4: the reported period if its cut-off has not passed, else the policy's answer.

    None means `late_policy: exception` and the cut-off has passed.
    """
    if submitted <= cutoff_date(reported, settings.cutoff_day):
        return reported
    if settings.late_policy == "exception":
        return None
    period = reported.next()
    while cutoff_date(period, settings.cutoff_day) < submitted:
        period = period.next()
    return period


def active_in(employment: EmploymentFacts, period: Period) -> bool:
    """Step 5: the employment is active on at least one day of the period."""
    start: date = employment.need("start_date")
    end = employment.end_date
    return start <= period.last_day and (end is None or end >= period.first_day)


def is_pensionable(employment: EmploymentFacts, given: bool | None, settings: Settings) -> bool | None:
    """Step 6: the case's answer, else the agreement's in the table; None when neither says."""
    if given is not None:
        return given
    return settings.pensionable_by_agreement.get(employment.agreement)


# -- a batch -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class BatchLine:
    """One readable row of a batch sheet."""

    row: int
    employment_id: str
    amount: Decimal
    reason: str
    payout_period: Period
    pensionable: bool | None

    def key(self) -> tuple[str, Decimal, str, Period]:
        """What makes two rows the same request (step 3)."""
        return (self.employment_id, round_ore(self.amount), self.reason, self.payout_period)

    def as_case(self, submitted: date) -> CaseFacts:
        """The row as a single case's fields, with the batch's `submitted_date`."""
        return CaseFacts(
            amount=self.amount,
            reason=self.reason,
            payout_period=self.payout_period,
            pensionable=self.pensionable,
            submitted_date=submitted,
        )


class BatchFileInvalid(Exception):
    """The sheet lacks a column (`row` None) or a cell cannot be read; `detail` is Danish."""

    def __init__(self, row: int | None, column: str | None, detail: str) -> None:
        super().__init__(detail)
        self.row, self.column, self.detail = row, column, detail


def decide_batch(
    employments: Sequence[EmploymentFacts], case: BatchCaseFacts, settings: Settings
) -> BatchDecision:
    """Section B: the file, the control figures, then each row as a single case."""
    submitted: date = case.need("submitted_date")
    raw_rows = case.need("rows")
    if not isinstance(raw_rows, Sequence) or isinstance(raw_rows, str):
        raise ValueError("case.rows must be a list")
    try:
        lines = read_rows(raw_rows)
    except BatchFileInvalid as bad:
        return BatchDecision(
            outcome=Outcome.EXCEPTION, code="BATCH_FILE_INVALID", row=bad.row, column=bad.column
        )
    if not controls_match(lines, case.need("row_count"), case.need("control_total")):
        return BatchDecision(outcome=Outcome.EXCEPTION, code="BATCH_CONTROL_MISMATCH")
    by_id = {str(e.employment_id): e for e in employments}
    duplicates = duplicate_rows(lines)

    def decided(line: BatchLine) -> SingleDecision:
        if line.row in duplicates:
            return _exception("DUPLICATE_REQUEST")
        return decide_single(by_id.get(line.employment_id), line.as_case(submitted), settings)

    # dict(model) is its fields (not its JSON): the row's decision is the single case's, numbered
    rows = [RowDecision(row=line.row, **dict(decided(line))) for line in lines]
    return BatchDecision(outcome=Outcome.BATCH, rows=rows)


def read_rows(raw_rows: Sequence[Mapping[str, Any]]) -> list[BatchLine]:
    """Every row's cells read, in order; BatchFileInvalid names the first bad row and column."""
    return [_read_row(raw, index) for index, raw in enumerate(raw_rows, start=1)]


def controls_match(lines: Sequence[BatchLine], row_count: int, control_total: Decimal) -> bool:
    """Step 2: the manager's number of rows and total amount (to the øre) agree with the sheet."""
    total = round_ore(sum((line.amount for line in lines), Decimal(0)))
    # a control total beyond any amount (1e999999) differs from the sheet's; never rounded
    return len(lines) == row_count and abs(control_total) <= LIMIT and total == round_ore(control_total)


def duplicate_rows(lines: Sequence[BatchLine]) -> dict[int, int]:
    """Row → the earlier row it repeats (same employment, amount, reason and reported period)."""
    first: dict[tuple[str, Decimal, str, Period], int] = {}
    duplicates: dict[int, int] = {}
    for line in lines:
        earlier = first.setdefault(line.key(), line.row)
        if earlier != line.row:
            duplicates[line.row] = earlier
    return duplicates


def _read_row(raw: Mapping[str, Any], index: int) -> BatchLine:
    if not isinstance(raw, Mapping):
        raise ValueError(f"case.rows[{index - 1}] is not an object")
    row = raw.get("row", index)
    if isinstance(row, bool) or not isinstance(row, int):
        raise ValueError(f"case.rows[{index - 1}].row: not a row number: {row!r}")

    def cell(field: str, read: Any) -> Any:
        value = raw.get(field)
        try:
            return read(value)
        except (ValueError, TypeError, ArithmeticError):
            shown = "tom" if value in (None, "") else f"»{value}«"
            raise BatchFileInvalid(
                row, COLUMNS[field], f"række {row}, kolonnen »{COLUMNS[field]}«: {shown} kan ikke læses"
            ) from None

    return BatchLine(
        row=row,
        employment_id=cell("employment_id", _employment_id_cell),
        amount=cell("amount", _amount_cell),
        reason=cell("reason", lambda v: "" if v is None else str(v).strip()),
        payout_period=cell("payout_period", _period_cell),
        pensionable=cell("pensionable", _pensionable_cell),
    )


def _employment_id_cell(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, str | int) or not str(value).strip():
        raise ValueError("no employment id")
    return str(value).strip()


def _amount_cell(value: Any) -> Decimal:
    if isinstance(value, str) and "," in value:  # Danish notation: 5.000,50
        value = value.replace(".", "").replace(",", ".")
    if isinstance(value, str):
        value = value.removesuffix("kr.").strip()
    if value is None or isinstance(value, bool):
        raise ValueError("no amount")
    amount = to_decimal(value)
    if abs(amount) > LIMIT:  # beyond any amount: the control total could not be summed to the øre
        raise ValueError("out of range")
    return amount


def _period_cell(value: Any) -> Period:
    if isinstance(value, datetime | date):
        return Period.of(value)
    if not isinstance(value, str):
        raise ValueError("not a period")
    return Period.parse(value)


def _pensionable_cell(value: Any) -> bool | None:
    if value is None or isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("", "ja", "nej"):
        return None if text == "" else text == "ja"
    raise ValueError("not ja/nej")


# -- input --------------------------------------------------------------------------------


def _exception(code: str) -> SingleDecision:
    return SingleDecision(outcome=Outcome.EXCEPTION, code=code)


def _invalid(bad: Unpayable) -> SingleDecision:
    """EMPLOYMENT_DATA_INVALID adds `field`, so the person knows what to correct in Lønsystem."""
    return SingleDecision(outcome=Outcome.EXCEPTION, code=bad.code, field=bad.field)


def settings_from(given: Mapping[str, Any] | None) -> Settings:
    """The rules' defaults with the input's `settings` (see hr.decisions.settings_from)."""
    return _settings_from(Settings, given)
