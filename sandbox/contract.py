"""The records of the dataset contract (v1) as pydantic models.

Source records (units, employments, cases, absences, attest mail) and what bots
produce (payroll lines, terminations, letters, ...). The records the systems hold are
those of `hr.records`, here with the checks of loading: no unknown field, and a CPR
number that is ``CPR_MALFORMED`` or ``CPR_INVALID_DATE`` is refused (substitute
numbers and numbers failing modulus 11 load, since bots must meet them).
"""

from __future__ import annotations

import base64
import binascii
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from hr import records
from hr.cpr import check_cpr
from hr.records import Number

REJECTED_CPR_CODES = {"CPR_MALFORMED", "CPR_INVALID_DATE"}


def decode_base64(text: str) -> bytes:
    """The bytes of a base64 field, or a ValueError naming the problem."""
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise ValueError("not valid base64") from exc


class Record(BaseModel):
    model_config = ConfigDict(extra="forbid")


#: A source record of `hr.records` as the contract loads it: an unknown field is an error.
STRICT = ConfigDict(extra="forbid")


def _valid_cpr(value: str) -> str:
    check = check_cpr(value)
    if check.code in REJECTED_CPR_CODES:
        raise ValueError(check.code)
    return check.digits or value


class Unit(records.Unit):
    model_config = STRICT


class Holiday6(records.Holiday6Balance):
    model_config = STRICT


class Employment(records.Employment):
    model_config = STRICT

    holiday6: list[Holiday6] = Field(default_factory=list)  # whose entries are loaded strictly too

    _cpr = field_validator("cpr")(_valid_cpr)

    @field_validator("weekly_hours")
    @classmethod
    def _not_negative(cls, value: Decimal) -> Decimal:
        # the page objects read what Lønsystem holds (the rules refuse negative hours); a dataset has none
        if value < 0:
            raise ValueError("Input should be greater than or equal to 0")
        return value


class BatchRow(Record):
    row: int
    employment_id: str
    amount: Number
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


class Absence(records.Absence):
    model_config = STRICT


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


class PayrollLine(records.PayrollLine):
    model_config = STRICT


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


class JournalEntry(records.JournalEntry):
    """An eDoc entry with the text the sandbox extracted from its PDF."""

    model_config = STRICT

    text: str | None = None


class RefundSubmission(Record):
    absence_id: str
    kind: Literal["report", "claim"]
    authority: str
    claim_from: date | None = None
    claim_to: date | None = None
    hours: Number | None = None
    max_refund: Number | None = None
    decision: str | None = None
    paid: Number | None = None
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


