"""The records of the municipality's systems, defined once: frozen pydantic models.

What the page objects return (`systems` re-exports these), what the sandbox's dataset
contract loads (`sandbox.contract` adds its loading checks to them) and what the rules
decide on. Dates are `date`; money, hours and percentages are `Decimal` in Python and
plain numbers in JSON (`model_dump(mode="json")`), so a dumped `Employment` has the
shape of the employment record the rules take and of the sandbox's export.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer

__all__ = [
    "ADMINISTRATIONS",
    "Absence",
    "Administration",
    "AttestMessage",
    "Case",
    "CaseSummary",
    "Employment",
    "Holiday6Balance",
    "JournalEntry",
    "PayrollLine",
    "Receipt",
    "RefundDecision",
    "SentLetter",
    "Submission",
    "Unit",
    "as_json",
]

#: Money, hours and percentages: exact in Python, a plain number in JSON.

Number = Annotated[Decimal, PlainSerializer(float, return_type=float, when_used="json")]


Administration = Literal["BUF", "SOF", "SUF", "KFF", "TMF", "ØKF", "BIF"]
ADMINISTRATIONS: tuple[str, ...] = get_args(Administration)


class Record(BaseModel):
    # Pages show more than a record holds (e.g. a balance's remaining hours): ignored.
    model_config = ConfigDict(frozen=True, extra="ignore")


class Receipt(Record):
    """What a write returns; `already_done` when an earlier write with the reference was found."""

    receipt_id: str
    reference: str
    already_done: bool = False


class Holiday6Balance(Record):
    earning_year: int
    earned_hours: Number
    taken_hours: Number = Decimal("0")
    paid_hours: Number = Decimal("0")
    transferred_hours: Number = Decimal("0")

    @property
    def unused_hours(self) -> Decimal:
        """earned − taken − paid − transferred (below zero when more was used than earned)."""
        return self.earned_hours - self.taken_hours - self.paid_hours - self.transferred_hours


class Employment(Record):
    """The employment record the rules take, plus `holiday6_transfer_agreed`."""

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
    weekly_hours: Number
    monthly_salary: Number | None = None
    hourly_rate: Number | None = None
    agreement: str
    pension_pct: Number
    last_paid_date: date | None = None
    holiday6: list[Holiday6Balance] = Field(default_factory=list)
    digital_post: bool
    holiday6_transfer_agreed: bool = False


class PayrollLine(Record):
    """A line registered in Lønsystem (`systems` adds the receipt it was read with)."""

    employment_id: str
    wage_type: str
    period: str
    amount: Number
    hours: Number | None = None
    earning_year: int | None = None
    text: str | None = None
    pensionable: bool | None = None
    reference: str
    registered_date: date | None = None


class Absence(Record):
    """The absence record refund_claims decides on."""

    absence_id: str = Field(min_length=1)
    employment_id: str
    type: Literal["sickness", "partial_sickness", "pregnancy_related", "maternity"]
    first_day: date
    last_day: date | None = None
    hours_per_week: Number | None = None
    no_employer_period: bool = False
    salary_continued: bool
    salary_stop_date: date | None = None
    reported_date: date | None = None
    claimed_until: date | None = None


class CaseSummary(Record):
    case_id: str
    type: str
    unit: str
    employment_id: str | None = None
    submitted_date: date
    status: str
    reference: str | None = None


class Case(Record):
    """A Serviceportalen case; `fields` holds every other value shown (the rule fields).

    Field values are typed from the page: dates, `Decimal`, `int`, `bool`, `str` or None.
    """

    case_id: str
    type: str
    unit: str
    status: str
    submitted_date: date
    fields: dict[str, Any] = Field(default_factory=dict)


class JournalEntry(Record):
    """A document or note in an eDoc personnel file (`systems` adds its receipt, the sandbox its text)."""

    employment_id: str
    kind: Literal["document", "note"]
    title: str
    doc_type: str | None = None
    access: str
    reference: str
    journal_date: date | None = None


class SentLetter(Record):
    receipt_id: str
    sent: date
    employment_id: str
    recipient: str | None = None
    subject: str
    reference: str


class Submission(Record):
    receipt_id: str
    submitted_date: date | None = None
    absence_id: str
    kind: Literal["report", "claim"]
    authority: str
    claim_from: date | None = None
    claim_to: date | None = None
    hours: Number | None = None
    max_refund: Number | None = None
    reference: str


class RefundDecision(Record):
    receipt_id: str
    absence_id: str
    reference: str
    claim_from: date | None = None
    claim_to: date | None = None
    decision: Literal["approved", "reduced", "rejected"]
    paid: Number | None = None
    max_refund: Number | None = None
    submitted_date: date | None = None


class AttestMessage(Record):
    message_id: str
    received_date: date
    sender: str | None = None
    subject: str | None = None
    folder: str
    reference: str | None = None


class Unit(Record):
    """A unit of Serviceportalen's unit list: its manager, and whether its staff need a børneattest."""

    unit: str = Field(min_length=1)
    administration: Administration
    manager: str
    manager_email: str
    child_facing: bool = False


def as_json(record: BaseModel | Mapping[str, Any]) -> dict[str, Any]:
    """A record as the rules' JSON-shaped dict: what `rpa decide`'s input holds for it."""
    if isinstance(record, BaseModel):
        return dict(record.model_dump(mode="json"))
    return dict(record)
