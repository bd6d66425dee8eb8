"""What the page objects read and return: the records of `hr.records`.

Most are the records themselves; where a page shows what the record does not hold (the
receipt a line was read with, an absence's last update), the page's record adds it.
"""

from __future__ import annotations

from hr import records
from hr.records import (
    AttestMessage,
    Case,
    CaseSummary,
    Employment,
    Holiday6Balance,
    Number,
    Receipt,
    RefundDecision,
    SentLetter,
    Submission,
    Unit,
)

__all__ = [
    "Absence",
    "AttestMessage",
    "Case",
    "CaseSummary",
    "Employment",
    "Holiday6Balance",
    "JournalEntry",
    "Number",
    "PayrollLine",
    "Receipt",
    "RefundDecision",
    "SentLetter",
    "Submission",
    "Unit",
]


class Absence(records.Absence):
    """The absence record plus the reference of its last update (Lønsystem shows it)."""

    reference: str | None = None


class PayrollLine(records.PayrollLine):
    """A payroll line as Lønsystem lists it, with its receipt."""

    receipt_id: str


class JournalEntry(records.JournalEntry):
    """A personnel file entry as eDoc lists it, with its receipt."""

    receipt_id: str
