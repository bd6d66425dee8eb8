"""Page objects: the only code that knows the target systems' pages (see docs/systems-api.md).

Importing this package starts nothing; a page object opens its browser page on first use.
"""

from systems.attest import Attest
from systems.base import FormRefused
from systems.digitalpost import DigitalPost
from systems.edoc import Edoc
from systems.models import (
    Absence,
    AttestMessage,
    Case,
    CaseSummary,
    Employment,
    Holiday6Balance,
    JournalEntry,
    PayrollLine,
    Receipt,
    RefundDecision,
    SentLetter,
    Submission,
    Unit,
)
from systems.nemrefusion import NemRefusion
from systems.payroll import Payroll
from systems.serviceportal import Serviceportal

__all__ = [
    "Absence",
    "Attest",
    "AttestMessage",
    "Case",
    "CaseSummary",
    "DigitalPost",
    "Edoc",
    "Employment",
    "FormRefused",
    "Holiday6Balance",
    "JournalEntry",
    "NemRefusion",
    "Payroll",
    "PayrollLine",
    "Receipt",
    "RefundDecision",
    "SentLetter",
    "Serviceportal",
    "Submission",
    "Unit",
]
