"""Reads the page objects do not offer yet, written with their public list helpers.

TODO(systems): move into `systems/` as `Payroll.employments(cpr=...)`,
`Payroll.employment_rows()` and `Serviceportal.units()`; until then these are the only
lines of the bot that name a page or a table.
"""

from __future__ import annotations

from typing import Any

from systems import Edoc, Employment, Payroll, Serviceportal
from systems.base import typed

CERTIFICATE_DOC_TYPE = "Attest"


def employments_with_cpr(payroll: Payroll, digits: str) -> list[Employment]:
    """Every employment of the person with this CPR number (searched, then opened)."""
    rows = payroll.all_rows(payroll.path("employments", q=digits), "employments", "find_by_cpr",
                            page_id="employments")
    found = [payroll.employment(row["employment_id"] or "") for row in rows if row.get("cpr") == digits]
    return [employment for employment in found if employment is not None]


def child_facing_units(portal: Serviceportal) -> set[str]:
    """The units whose staff need a børneattest."""
    rows = portal.all_rows(portal.path("units"), "units", "child_facing_units", page_id="units")
    return {row["unit"] or "" for row in rows if typed(row.get("child_facing")) is True}


def employment_rows(payroll: Payroll) -> list[dict[str, Any]]:
    """The employment list's rows (id, name, cpr, unit, end_date, ...), typed."""
    rows = payroll.all_rows(payroll.path("employments"), "employments", "employment_rows",
                            page_id="employments")
    return [{key: typed(value) for key, value in row.items()} for row in rows]


def has_certificate(edoc: Edoc, employment_id: str) -> bool:
    """Whether the personalesag holds a certificate, or a note of one (or of refused consent)."""
    return any(entry.doc_type == CERTIFICATE_DOC_TYPE or "attest" in entry.title.lower()
               for entry in edoc.entries(employment_id))
