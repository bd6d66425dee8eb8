"""The list lookups: employments by CPR, by start date, and the unit list (the export is the truth)."""

from __future__ import annotations

from collections import Counter
from datetime import date, timedelta

import pytest

from systems import Payroll, Serviceportal
from systems.models import Unit

pytestmark = pytest.mark.browser


def test_employments_by_cpr_are_every_employment_of_the_person(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    records = sandbox.export()["employments"]
    counts = Counter(e["cpr"] for e in records)
    cpr = next(c for c, n in counts.items() if n > 1)  # the generator plants people with two
    theirs = [e for e in records if e["cpr"] == cpr]
    found = payroll.employments_by_cpr(cpr)
    assert [e.model_dump(mode="json") for e in found] == theirs
    hyphenated = f"{cpr[:6]}-{cpr[6:]}"
    assert payroll.employments_by_cpr(hyphenated) == found


def test_employments_by_cpr_match_the_whole_number_only(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    records = sandbox.export()["employments"]
    one = next(e for e in records if sum(1 for o in records if o["cpr"] == e["cpr"]) == 1)
    assert [e.employment_id for e in payroll.employments_by_cpr(one["cpr"])] == [one["employment_id"]]
    # Part of a number finds rows in the list, but is nobody's CPR number.
    assert payroll.employments_by_cpr(one["cpr"][:6]) == []
    known = {e["cpr"] for e in records}
    unknown = next(f"{n:010d}" for n in range(10**9, 10**10) if f"{n:010d}" not in known)
    assert payroll.employments_by_cpr(unknown) == []
    assert payroll.employments_by_cpr("") == []


def test_employment_ids_filter_on_start_date(sandbox, open_system) -> None:
    payroll = open_system(Payroll)
    payroll.per_page = 2  # several pages for the planted hires
    export = sandbox.export()
    records = export["employments"]
    as_of = date.fromisoformat(export["as_of"])
    first, last = as_of, as_of + timedelta(days=30)

    def ids(keep) -> list[str]:
        return [e["employment_id"] for e in records if keep(date.fromisoformat(e["start_date"]))]

    starting = ids(lambda d: first <= d <= last)
    assert len(starting) > 2, "the generator plants hires starting after its as_of"
    assert payroll.employment_ids(start_from=first, start_to=last) == starting
    payroll.per_page = 200
    assert payroll.employment_ids(start_from=last) == ids(lambda d: d >= last)
    assert payroll.employment_ids(start_to=first) == ids(lambda d: d <= first)
    on_the_day = ids(lambda d: d == first)
    assert payroll.employment_ids(start_from=first, start_to=first) == on_the_day
    monthly = {e["employment_id"] for e in records if e["pay"] == "monthly"}
    assert payroll.employment_ids(pay="monthly", start_from=first, start_to=last) == [
        eid for eid in starting if eid in monthly]
    found = payroll.employments(start_from=first, start_to=last)
    by_id = {e["employment_id"]: e for e in records}
    assert [e.model_dump(mode="json") for e in found] == [by_id[eid] for eid in starting]


def test_units_are_the_unit_list(sandbox, open_system) -> None:
    portal = open_system(Serviceportal)
    portal.per_page = 10  # several pages
    units = portal.units()
    assert all(isinstance(unit, Unit) for unit in units)
    assert [unit.model_dump(mode="json") for unit in units] == sandbox.export()["units"]
    assert {unit.child_facing for unit in units} == {True, False}
