"""The bot's reads, on the page objects' public API (only `systems/` knows pages and tables)."""

from __future__ import annotations

from datetime import date

from systems import Edoc, Employment, Payroll, Serviceportal

CERTIFICATE_DOC_TYPE = "Attest"


def employments_with_cpr(payroll: Payroll, digits: str) -> list[Employment]:
    """Every employment of the person with this CPR number."""
    return payroll.employments_by_cpr(digits)


def child_facing_units(portal: Serviceportal) -> set[str]:
    """The units whose staff need a børneattest."""
    return {unit.unit for unit in portal.units() if unit.child_facing}


def starting_between(payroll: Payroll, first: date, last: date) -> list[Employment]:
    """Employments whose start date lies in [first, last], each a full record."""
    return payroll.employments(start_from=first, start_to=last)


def has_certificate(edoc: Edoc, employment_id: str) -> bool:
    """Whether the personalesag holds a certificate, or a note of one (or of refused consent)."""
    return any(entry.doc_type == CERTIFICATE_DOC_TYPE or "attest" in entry.title.lower()
               for entry in edoc.entries(employment_id))
