"""Reconciling NemRefusion's decisions, and the refunds at risk."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bots.refund_claims import rules
from bots.refund_claims.models import AbsenceFacts, EmploymentFacts, Settings


@pytest.mark.parametrize(("decision", "paid", "code"), [
    ("approved", "18779.72", None),
    ("approved", "18778.72", None),  # exactly the tolerance
    ("reduced", "18778.71", "REFUND_DIFFERENCE"),
    ("approved", "18780.73", "REFUND_DIFFERENCE"),  # overpaid: must be returned
    ("rejected", "0", "REFUND_REJECTED"),
])
def test_reconcile_against_the_claims_max_refund(decision: str, paid: str, code: str | None) -> None:
    result = rules.reconcile(decision, Decimal(paid), Decimal("18779.72"), Settings()).model_dump(mode="json")
    assert result["code"] == code
    assert result["outcome"] == ("reconciled" if code is None else "exception")
    assert result["max_refund"] == 18779.72


def test_tolerance_is_a_setting() -> None:
    result = rules.reconcile("reduced", Decimal("18700"), Decimal("18779.72"),
                             Settings(reconcile_tolerance=Decimal(100))).model_dump(mode="json")
    assert (result["code"], result["difference"]) == (None, -79.72)


def absence(absence_id: str, first_day: str, **fields: Any) -> AbsenceFacts:
    return AbsenceFacts.read({"absence_id": absence_id, "employment_id": "E1", "type": "sickness",
                              "first_day": first_day, "last_day": None, "hours_per_week": None,
                              "no_employer_period": False, "salary_continued": True, "salary_stop_date": None,
                              "reported_date": None, "claimed_until": None, **fields})


EMPLOYMENTS = [EmploymentFacts.read({"employment_id": "E1", "unit": "Børnehuset Solsikken",
                                     "weekly_hours": 37, "last_paid_date": "2024-03-31"})]


def test_refunds_at_risk() -> None:
    absences = [
        absence("F1", "2024-03-04"),  # deadline 04-08: three days left
        absence("F2", "2024-03-05"),  # deadline 04-09: four days left
        absence("F3", "2024-03-10"),  # deadline 04-14: nine days left, not at risk
        absence("F4", "2024-02-01"),  # deadline 03-07 passed, not reported: loses 03-02 … 04-04
        absence("F5", "2024-01-10", reported_date="2024-02-20"),  # reported late: loses 02-09 … 02-19
        absence("F6", "2024-01-02", last_day="2024-02-15", reported_date="2024-03-01"),  # back 02-15
        absence("F7", "2024-02-01", salary_continued=False),  # no salary, no refund
        absence("F8", "2024-02-01", type="maternity"),  # no report for maternity
        absence("F9", "2024-02-01", reported_date="2024-02-20"),  # in time
        absence("F10", "2024-02-01", employment_id="E404"),
    ]
    risk = rules.refunds_at_risk(absences, EMPLOYMENTS, date(2024, 4, 5), Settings())
    assert [(r["absence_id"], r["report_deadline"], r["days_left"]) for r in risk["report_deadline_soon"]] \
        == [("F1", "2024-04-08", 3), ("F2", "2024-04-09", 4)]
    assert risk["report_deadline_soon"][0]["unit"] == "Børnehuset Solsikken"
    lost = {r["absence_id"]: r for r in risk["late_reports"]}
    assert set(lost) == {"F4", "F5", "F6"}
    assert (lost["F4"]["eligible_from"], lost["F4"]["refund_from"], lost["F4"]["days_lost"]) == \
        ("2024-03-02", "2024-04-05", 34)
    assert lost["F4"]["refund_lost"] == 22803.95  # 37 × 34 × 126.89 / 7
    assert (lost["F5"]["days_lost"], lost["F5"]["refund_lost"]) == (11, 7377.75)
    assert (lost["F6"]["days_lost"], lost["F6"]["refund_lost"]) == (15, 10060.56)
    assert risk["refund_lost_total"] == 40242.26
    assert risk["as_of"] == "2024-04-05"


def test_the_deadline_day_itself_is_still_at_risk_not_lost() -> None:
    risk = rules.refunds_at_risk([absence("F1", "2024-03-04")], EMPLOYMENTS, date(2024, 4, 8), Settings())
    assert [r["days_left"] for r in risk["report_deadline_soon"]] == [0]
    assert risk["late_reports"] == []
    risk = rules.refunds_at_risk([absence("F1", "2024-03-04")], EMPLOYMENTS, date(2024, 4, 9), Settings())
    assert risk["report_deadline_soon"] == []
    assert risk["late_reports"][0]["days_lost"] == 6  # 04-03 … 04-08


def test_a_lost_refund_in_a_year_without_rate_is_unknown_not_zero() -> None:
    risk = rules.refunds_at_risk([absence("F1", "2021-03-04")], EMPLOYMENTS, date(2021, 5, 1), Settings())
    assert risk["late_reports"][0]["refund_lost"] is None
    assert risk["refund_lost_total"] == 0.0
