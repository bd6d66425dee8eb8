"""The bot's tasks over in-memory page objects: reports, claims, warnings, reconciliation."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from bots.refund_claims.bot import RefundClaims, make_bot
from bots.refund_claims.models import Settings
from harness.fakes import World
from runner import RetryPolicy, State
from runner.testing import make_store, person, run_items, run_task_once
from systems.models import Absence, Employment, RefundDecision

TODAY = date(2024, 11, 18)
FAST = RetryPolicy(max_attempts=2, initial_interval_s=0.01, max_interval_s=0.01)


def employment(employment_id: str, **fields: Any) -> Employment:
    record: dict[str, Any] = {
        "employment_id": employment_id, "cpr": "0707614285", "name": "Mette Nielsen",
        "position": "Pædagog", "unit": "Børnehuset Solsikken", "administration": "BUF",
        "category": "overenskomstansat", "pay": "monthly", "start_date": date(2015, 8, 1),
        "weekly_hours": Decimal(37), "monthly_salary": Decimal(36000), "agreement": "KL-PAED",
        "pension_pct": Decimal("16.5"), "digital_post": True, "last_paid_date": date(2024, 10, 31)}
    return Employment.model_validate(record | fields)


def absence(absence_id: str, days_ago: int, **fields: Any) -> Absence:
    record: dict[str, Any] = {"absence_id": absence_id, "employment_id": "E1", "type": "sickness",
                              "first_day": TODAY - timedelta(days=days_ago), "salary_continued": True}
    return Absence.model_validate(record | fields)


@pytest.fixture
def world() -> World:
    world = World(employments={"E1": employment("E1")})
    for item in [
        absence("F1", 80, reported_date=TODAY - timedelta(days=55)),  # claim
        absence("F2", 25),  # report_only
        absence("F3", 50),  # LATE_REPORT: report now (refund from today), message the manager
        absence("F4", 10),  # wait: too early
        absence("F5", 70, salary_continued=False),  # none
        absence("F6", 1060, type="maternity"),  # RATE_UNKNOWN (2021)
        absence("F7", 200, type="maternity", salary_stop_date=TODAY - timedelta(days=70)),  # DEADLINE
    ]:
        world.absences[item.absence_id] = item
    return world


def test_the_collector_enqueues_claims_reports_and_exceptions(world: World) -> None:
    store, _ = run_task_once(make_bot(world.pages), "absences", as_of=TODAY)
    references = sorted(r.reference for r in store.list_items(_worker(), bot="refund_claims"))
    assert references == ["F1:2024-10-31", "F2:report", "F3:report", "F6:RATE_UNKNOWN",
                          "F7:DEADLINE_PASSED"]
    _, again = run_task_once(make_bot(world.pages), "absences", as_of=TODAY, store=store)
    assert again == 0


def _worker() -> Any:
    return person()


def payload(absence_id: str, kind: str, claim_to: str | None = None) -> dict[str, Any]:
    return {"absence_id": absence_id, "kind": kind, "claim_to": claim_to}


def test_absences_are_reported_claimed_and_updated(world: World) -> None:
    run = run_items(make_bot(world.pages), "absences", {
        "F1:2024-10-31": payload("F1", "claim", "2024-10-31"),
        "F2:report": payload("F2", "report_only"),
        "F3:report": payload("F3", "report_only"),
    }, as_of=TODAY, retry=FAST)
    assert all(item.state is State.DONE for item in run.items.values())
    submissions = {(s["absence_id"], s["kind"]): s for s in world.writes["submissions"]}
    assert set(submissions) == {("F1", "claim"), ("F2", "report"), ("F3", "report")}
    claim = submissions[("F1", "claim")]
    # F1: first day 2024-08-30, eligible 09-29, claimed to the last paid day 10-31 (33 days)
    assert (claim["claim_from"], claim["claim_to"], claim["reference"]) == (
        date(2024, 9, 29), date(2024, 10, 31), "F1:2024-10-31")
    assert claim["max_refund"] == Decimal("22133.24")  # 37 × 33 × 126.89 / 7
    assert submissions[("F2", "report")]["reference"] == "F2:report"
    assert world.absences["F2"].reported_date == TODAY
    assert world.absences["F1"].claimed_until == date(2024, 10, 31)
    assert world.absences["F3"].reported_date == TODAY
    assert run["F3:report"].result["warnings"] == ["LATE_REPORT"]
    [message] = world.writes["manager_messages"]
    assert (message["unit"], message["reference"]) == ("Børnehuset Solsikken", "F3:late_report")
    assert "Tabt refusion" in message["text"] and "0707614285" not in message["text"]


def test_a_late_report_claims_only_from_the_report_date(world: World) -> None:
    world.absences["F3"] = absence("F3", 90, reported_date=date(2024, 10, 1))  # deadline was 09-24
    run = run_items(make_bot(world.pages), "absences", {"F3:2024-10-31": payload("F3", "claim")},
                    as_of=TODAY)
    assert run["F3:2024-10-31"].result["warnings"] == ["LATE_REPORT"]
    [claim] = world.writes["submissions"]
    assert (claim["kind"], claim["claim_from"]) == ("claim", date(2024, 10, 1))
    [message] = world.writes["manager_messages"]
    assert message["text"].endswith("Tabt refusion: 8.048,45 kr.")  # 09-19 … 09-30: 12 days


def test_exceptions_stop_with_their_code_and_write_nothing(world: World) -> None:
    run = run_items(make_bot(world.pages), "absences", {
        "F6:RATE_UNKNOWN": payload("F6", "exception"),
        "F7:DEADLINE_PASSED": payload("F7", "exception"),
    }, as_of=TODAY)
    assert run["F6:RATE_UNKNOWN"].error.code == "RATE_UNKNOWN"
    assert run["F7:DEADLINE_PASSED"].error.code == "DEADLINE_PASSED"
    assert "Fristen var" in run["F7:DEADLINE_PASSED"].error.message
    assert world.writes == {}


def test_a_repeated_run_claims_nothing_twice(world: World) -> None:
    store = make_store()
    items = {"F1:2024-10-31": payload("F1", "claim", "2024-10-31")}
    run_items(make_bot(world.pages), "absences", items, as_of=TODAY, store=store)
    run_items(make_bot(world.pages), "absences", items, as_of=TODAY, store=store)
    _, enqueued = run_task_once(make_bot(world.pages), "absences", as_of=TODAY, store=store)
    assert len(world.writes["submissions"]) == 1
    assert enqueued == 4  # F1 has nothing new to claim; the others are still to do


# -- decisions -----------------------------------------------------------------------------------


def decision(absence_id: str, verdict: str, paid: str, max_refund: str | None = "18779.72") -> RefundDecision:
    return RefundDecision(receipt_id=f"NR-{absence_id}", absence_id=absence_id,
                          reference=f"{absence_id}:2024-04-30", claim_from=date(2024, 4, 3),
                          claim_to=date(2024, 4, 30), decision=verdict, paid=Decimal(paid),
                          max_refund=None if max_refund is None else Decimal(max_refund))


def test_decisions_are_reconciled() -> None:
    world = World(decisions=[decision("F1", "approved", "18779.72"), decision("F2", "reduced", "15000"),
                             decision("F3", "rejected", "0"), decision("F4", "approved", "18779.00")])
    bot = make_bot(world.pages)
    store, enqueued = run_task_once(bot, "decisions", as_of=TODAY)
    assert enqueued == 4
    records = store.list_items(_worker(), bot="refund_claims")
    run = run_items(bot, "decisions", [], as_of=TODAY, store=store)
    by_absence = {r.reference.split(":")[0]: run[r.reference] for r in records}
    assert by_absence["F1"].result["outcome"] == "reconciled"
    assert by_absence["F4"].result["outcome"] == "reconciled"  # 0.72 kr. is within the tolerance
    assert by_absence["F2"].error.code == "REFUND_DIFFERENCE"
    assert "15.000,00 kr." in by_absence["F2"].error.message
    assert "18.779,72 kr." in by_absence["F2"].error.message
    assert by_absence["F3"].error.code == "REFUND_REJECTED"
    assert "F1:2024-04-30:approved" in {r.reference for r in records}


def test_a_decision_without_max_refund_takes_the_claims() -> None:
    world = World(decisions=[decision("F1", "reduced", "15000", max_refund=None)])
    world.write("submissions", "F1:2024-04-30", {"absence_id": "F1", "kind": "claim",
                                                 "authority": "opholdskommune",
                                                 "max_refund": Decimal("15000.50")})
    bot = make_bot(world.pages)
    store, _ = run_task_once(bot, "decisions", as_of=TODAY)
    run = run_items(bot, "decisions", [], as_of=TODAY, store=store)
    assert run["F1:2024-04-30:reduced"].result["outcome"] == "reconciled"


def test_refunds_at_risk_reads_lonsystem(world: World) -> None:
    class Context:
        as_of, settings = TODAY, Settings()

    risk = RefundClaims(world.pages).refunds_at_risk(Context())  # type: ignore[arg-type]
    assert [r["absence_id"] for r in risk["late_reports"]] == ["F3"]
    assert risk["late_reports"][0]["refund_lost"] == 13414.09  # 10-29 … 11-17 (20 days)


# -- hours nothing can be claimed from (issue 15) ----------------------------------------------------


def test_hours_nothing_can_be_claimed_from_are_a_persons_item_and_nothing_is_submitted() -> None:
    world = World(employments={"E1": employment("E1"), "E2": employment("E2", weekly_hours=Decimal(-37))})
    reported = TODAY - timedelta(days=55)
    world.absences["F8"] = absence("F8", 80, reported_date=reported, hours_per_week=Decimal("0.004"))
    world.absences["F9"] = absence("F9", 80, employment_id="E2", reported_date=reported)
    bot = make_bot(world.pages)
    store, _ = run_task_once(bot, "absences", as_of=TODAY)
    references = sorted(r.reference for r in store.list_items(_worker(), bot="refund_claims"))
    assert references == ["F8:ABSENCE_INVALID", "F9:EMPLOYMENT_DATA_INVALID"]
    run = run_items(bot, "absences", [], as_of=TODAY, store=store, retry=FAST)
    for reference, field in [("F8:ABSENCE_INVALID", "case.hours_per_week"),
                             ("F9:EMPLOYMENT_DATA_INVALID", "employment.weekly_hours")]:
        item = run[reference]
        assert (item.state, item.error.code, item.attempts) == (
            State.BUSINESS_EXCEPTION, reference.split(":")[1], 1)
        assert field in item.error.message and "-37" not in item.error.message
    assert world.writes == {}  # no report, no claim, no update in Lønsystem


def test_a_record_date_the_rules_cannot_count_from_is_absence_invalid(world: World) -> None:
    # read from Lønsystem's record as a date, bounded as the same date in `rpa decide`'s JSON is
    world.absences = {"F1": absence("F1", 0, first_day=date(9999, 12, 20))}
    store, _ = run_task_once(make_bot(world.pages), "absences", as_of=TODAY)
    assert [r.reference for r in store.list_items(_worker(), bot="refund_claims")] == ["F1:ABSENCE_INVALID"]
