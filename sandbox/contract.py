"""The records of the dataset contract (v1) as pydantic models.

Source records (units, employments, cases, absences, attest mail) and what bots
produce (payroll lines, terminations, letters, ...). A CPR number that is
``CPR_MALFORMED`` or ``CPR_INVALID_DATE`` is refused; substitute numbers and
numbers failing modulus 11 load, since bots must meet them.
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hr.cpr import check_cpr

Administration = Literal["BUF", "SOF", "SUF", "KFF", "TMF", "ØKF", "BIF"]
REJECTED_CPR_CODES = {"CPR_MALFORMED", "CPR_INVALID_DATE"}


def decode_base64(text: str) -> bytes:
    """The bytes of a base64 field, or a ValueError naming the problem."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid base64") from exc


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _valid_cpr(value: str) -> str:
    check = check_cpr(value)
    if check.code in REJECTED_CPR_CODES:
        raise ValueError(check.code)
    return check.digits or value


class Unit(Record):
    unit: str = Field(min_length=1)
    administration: Administration
    manager: str
    manager_email: str
    child_facing: bool = False


class Holiday6(Record):
    earning_year: int
    earned_hours: float
    taken_hours: float = 0.0
    paid_hours: float = 0.0
    transferred_hours: float = 0.0


class Employment(Record):
    employment_id: str = Field(min_length=1)
    cpr: str
    name: str = Field(min_length=1)
    address: str | None = None
    position: str
    unit: str
    administration: Administration
    category: Literal["overenskomstansat", "tjenestemand"]
    pay: Literal["monthly", "hourly"]
    start_date: date
    probation_end: date | None = None
    end_date: date | None = None
    weekly_hours: float = Field(ge=0)
    monthly_salary: float | None = None
    hourly_rate: float | None = None
    agreement: str
    pension_pct: float
    last_paid_date: date | None = None
    holiday6: list[Holiday6] = Field(default_factory=list)
    digital_post: bool
    holiday6_transfer_agreed: bool = False

    _cpr = field_validator("cpr")(_valid_cpr)


class BatchRow(Record):
    row: int
    employment_id: str
    amount: float
    reason: str
    payout_period: str
    pensionable: bool | None = None


class Case(BaseModel):
    """A Serviceportalen case; the bot-specific fields ride along as extras."""

    model_config = ConfigDict(extra="allow")

    case_id: str = Field(min_length=1)
    type: str = Field(min_length=1)
    unit: str
    submitted_date: date
    employment_id: str | None = None
    rows: list[BatchRow] | None = None
    xlsx_base64: str | None = None

    @model_validator(mode="after")
    def _batch_has_a_file(self) -> Case:
        if self.type == "supplement_batch" and self.rows is None and self.xlsx_base64 is None:
            raise ValueError("a supplement_batch needs rows or xlsx_base64")
        if self.xlsx_base64 is not None:
            decode_base64(self.xlsx_base64)
        return self


class Absence(Record):
    absence_id: str = Field(min_length=1)
    employment_id: str
    type: Literal["sickness", "partial_sickness", "pregnancy_related", "maternity"]
    first_day: date
    last_day: date | None = None
    hours_per_week: float | None = None
    no_employer_period: bool = False
    salary_continued: bool
    salary_stop_date: date | None = None
    reported_date: date | None = None
    claimed_until: date | None = None


AttestKind = Literal[
    "boerneattest", "straffeattest_offentlig", "straffeattest_privat", "samtykke_afvist"
]


class AttestMail(Record):
    message_id: str = Field(min_length=1)
    received_date: date
    kind: AttestKind | None = None
    name: str | None = None
    cpr: str | None = None
    result: Literal["clean", "entries"] | None = None
    format: Literal["digital", "scanned"] | None = None
    order_id: str | None = None
    records: list[str] | None = None
    pages: int | None = Field(None, ge=1, le=5)  # e.g. a scan with a guidance page first
    pdf_base64: str | None = None
    pdf_sha256: str | None = None

    _cpr = field_validator("cpr")(lambda v: None if v is None else _valid_cpr(v))

    @model_validator(mode="after")
    def _fields_or_pdf(self) -> AttestMail:
        if self.pdf_base64 is not None:
            decode_base64(self.pdf_base64)
            return self
        missing = [f for f in ("kind", "name", "cpr", "format") if getattr(self, f) is None]
        if self.kind != "samtykke_afvist" and self.result is None:
            missing.append("result")
        if missing:
            raise ValueError(f"needs pdf_base64 or the fields {', '.join(missing)}")
        return self


class PayrollLine(Record):
    employment_id: str
    wage_type: str
    period: str
    amount: float
    hours: float | None = None
    earning_year: int | None = None
    text: str | None = None
    pensionable: bool | None = None
    reference: str
    registered_date: date | None = None


class Termination(Record):
    employment_id: str
    last_day: date
    reference: str
    registered_date: date | None = None


class Letter(Record):
    employment_id: str
    subject: str
    text: str
    sent: date
    reference: str


class JournalEntry(Record):
    employment_id: str
    kind: Literal["document", "note"]
    title: str
    doc_type: str | None = None
    access: str
    text: str | None = None
    reference: str
    journal_date: date | None = None


class RefundSubmission(Record):
    absence_id: str
    kind: Literal["report", "claim"]
    authority: str
    claim_from: date | None = None
    claim_to: date | None = None
    hours: float | None = None
    max_refund: float | None = None
    decision: str | None = None
    paid: float | None = None
    reference: str
    submitted_date: date | None = None


class CaseStatus(Record):
    case_id: str
    status: str
    reply: str | None = None
    reference: str | None = None


class ManagerMessage(Record):
    unit: str
    subject: str
    text: str
    reference: str
    sent_date: date | None = None


class AttestProcessed(Record):
    message_id: str
    folder: str
    reference: str | None = None


MODELS: dict[str, tuple[type[BaseModel], str | None]] = {
    "units": (Unit, "unit"),
    "employments": (Employment, "employment_id"),
    "cases": (Case, "case_id"),
    "absences": (Absence, "absence_id"),
    "attest_mail": (AttestMail, "message_id"),
    "payroll_lines": (PayrollLine, "reference"),
    "terminations": (Termination, "reference"),
    "letters": (Letter, "reference"),
    "journal": (JournalEntry, "reference"),
    "refund_submissions": (RefundSubmission, "reference"),
    "case_status": (CaseStatus, "case_id"),
    "manager_messages": (ManagerMessage, "reference"),
    "attest_processed": (AttestProcessed, "message_id"),
}


