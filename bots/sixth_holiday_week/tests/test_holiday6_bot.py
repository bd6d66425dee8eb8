"""The bot's tasks over in-memory page objects: what is written, once, and what stops an item."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import pytest

from bots.sixth_holiday_week.bot import WAGE_TYPE, make_bot
from harness.fakes import World
from runner import RetryPolicy, State
from runner.testing import exception_desk, make_store, run_items, run_task_once
from systems.models import Case, Employment

TODAY = date(2025, 6, 2)
FAST = RetryPolicy(max_attempts=3, initial_interval_s=0.01, max_interval_s=0.01)


def employment(employment_id: str = "E100234", **fields: Any) -> Employment:
    record: dict[str, Any] = {
        "employment_id": employment_id, "cpr": "0707614285", "name": "Mette Nielsen",
        "address": "Solsikkevej 3\n2400 København NV", "position": "Pædagog",
        "unit": "Børnehuset Solsikken", "administration": "BUF", "category": "overenskomstansat",
        "pay": "monthly", "start_date": date(2015, 8, 1), "weekly_hours": Decimal(37),
        "monthly_salary": Decimal(36000), "agreement": "KL-PAED", "pension_pct": Decimal("16.5"),
        "digital_post": True,
        "holiday6": [{"earning_year": 2024, "earned_hours": Decimal(37)}],
    }
    record.update(fields)
    return Employment.model_validate(record)


def request_case(case_id: str = "SP-2025-00001", employment_id: str = "E100234", year: int = 2024,
                 hours: Decimal | None = None, status: str = "Åben") -> Case:
    return Case(case_id=case_id, type="holiday6_payout_request", unit="Børnehuset Solsikken",
                status=status, submitted_date=TODAY,
                fields={"employment_id": employment_id, "request_date": TODAY,
                        "earning_year": year, "hours": hours})


@pytest.fixture
def world() -> World:
    world = World()
    world.employments["E100234"] = employment()
    world.cases["SP-2025-00001"] = request_case()
    return world


def run_requests(world: World, *case_ids: str, **kwargs: Any) -> Any:
    return run_items(make_bot(world.pages), "requests", {c: {"case_id": c} for c in case_ids},
                     as_of=TODAY, retry=FAST, **kwargs)


def test_a_request_is_paid_lettered_journaled_and_solved(world: World) -> None:
    item = run_requests(world, "SP-2025-00001")["SP-2025-00001"]
    assert item.state is State.DONE
    assert item.result["outcome"] == "payout"
    [line] = world.writes["payroll_lines"]
    assert line == {"employment_id": "E100234", "wage_type": WAGE_TYPE, "period": "2025-06",
                    "amount": Decimal("8307.61"), "hours": Decimal("37.0"), "earning_year": 2024,
                    "reference": "SP-2025-00001:2024"}
    assert world.employments["E100234"].holiday6[0].paid_hours == 37
    [letter] = world.writes["letters"]
    assert letter["subject"] == "Udbetaling af 6. ferieuge"
    for text in ("Mette Nielsen", "E100234", "2024", "37,00", "224,53 kr.", "8.307,61 kr.",
                 "juni 2025", "anmodning"):
        assert text in letter["text"]
    assert "0707614285" not in letter["text"] and "070761" not in letter["text"]
    assert [j["title"] for j in world.writes["journal"]] == ["Udbetaling af 6. ferieuge"]
    [status] = world.writes["statuses"]
    assert (status["status"], status["reference"]) == ("Løst", "SP-2025-00001")
    assert "8.307,61 kr." in status["reply"]


def test_a_crash_after_a_write_does_not_repeat_it(world: World) -> None:
    world.fail_once = {"letters", "payroll_lines"}
    item = run_requests(world, "SP-2025-00001")["SP-2025-00001"]
    assert item.state is State.DONE
    assert len(world.writes["payroll_lines"]) == len(world.writes["letters"]) == 1
    assert world.employments["E100234"].holiday6[0].paid_hours == 37


def test_running_the_same_request_again_writes_nothing_new(world: World) -> None:
    store = make_store()
    run_requests(world, "SP-2025-00001", store=store)
    again = run_requests(world, "SP-2025-00001", store=store)["SP-2025-00001"]
    assert again.state is State.DONE
    assert {kind: len(rows) for kind, rows in world.writes.items()} == {
        "payroll_lines": 1, "letters": 1, "journal": 1, "statuses": 1}


def test_an_exception_replies_to_the_manager_and_writes_nothing_else(world: World) -> None:
    world.employments["E100234"] = employment(holiday6=[
        {"earning_year": 2024, "earned_hours": Decimal(37)},
        {"earning_year": 2025, "earned_hours": Decimal(15)}])
    world.cases["SP-2025-00002"] = request_case("SP-2025-00002", year=2025)
    item = run_requests(world, "SP-2025-00002")["SP-2025-00002"]
    assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, "NOT_YET_AVAILABLE")
    [reply] = world.writes["replies"]
    assert reply["reference"] == "SP-2025-00002:NOT_YET_AVAILABLE"
    assert "1. maj" in reply["text"]
    assert set(world.writes) == {"replies"}


def test_a_resolved_request_closes_the_case_with_the_note(world: World) -> None:
    world.employments["E100234"] = employment(digital_post=False)
    run = run_requests(world, "SP-2025-00001")
    desk = exception_desk(make_bot(world.pages), run.store, as_of=TODAY)
    desk.resolve(run["SP-2025-00001"].id, "Udbetalt manuelt med papirbrev")
    [status] = world.writes["statuses"]
    assert (status["case_id"], status["status"], status["reference"]) == (
        "SP-2025-00001", "Løst", "SP-2025-00001:resolved")
    assert "Udbetalt manuelt med papirbrev" in status["reply"]
    assert world.cases["SP-2025-00001"].status == "Løst"


def test_a_rejected_request_tells_the_manager_why(world: World) -> None:
    world.cases["SP-2025-00003"] = request_case("SP-2025-00003", employment_id="E900001")
    run = run_requests(world, "SP-2025-00003")
    desk = exception_desk(make_bot(world.pages), run.store, as_of=TODAY)
    desk.reject(run["SP-2025-00003"].id, "Medarbejderen er ikke ansat i kommunen")
    rejected = [r for r in world.writes["replies"] if r["reference"] == "SP-2025-00003:rejected"]
    assert [r["text"] for r in rejected] == [
        "6. ferieuge udbetales ikke. Begrundelse: Medarbejderen er ikke ansat i kommunen"]
    assert "statuses" not in world.writes  # the case stays open for the manager to answer


def test_no_digital_post_stops_before_any_write(world: World) -> None:
    world.employments["E100234"] = employment(digital_post=False)
    item = run_requests(world, "SP-2025-00001")["SP-2025-00001"]
    assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, "NO_DIGITAL_POST")
    assert set(world.writes) == {"replies"}


def test_missing_employment_is_employment_not_found(world: World) -> None:
    world.cases["SP-2025-00003"] = request_case("SP-2025-00003", employment_id="E900001")
    item = run_requests(world, "SP-2025-00003")["SP-2025-00003"]
    assert item.error.code == "EMPLOYMENT_NOT_FOUND"


def test_the_collector_enqueues_open_request_cases_once(world: World) -> None:
    world.cases["SP-2025-00002"] = request_case("SP-2025-00002", status="Løst")
    world.cases["SP-2025-00003"] = request_case("SP-2025-00003", status="Under behandling")
    bot = make_bot(world.pages)
    store, enqueued = run_task_once(bot, "requests", as_of=TODAY)
    assert enqueued == 2
    _, again = run_task_once(bot, "requests", as_of=TODAY, store=store)
    assert again == 0


# -- termination sweep ----------------------------------------------------------------------


@pytest.fixture
def leavers() -> World:
    world = World()
    two_years = [{"earning_year": 2023, "earned_hours": Decimal(37), "taken_hours": Decimal(7)},
                 {"earning_year": 2024, "earned_hours": Decimal(37)}]
    world.employments["E1"] = employment("E1", end_date=date(2025, 6, 30), holiday6=two_years)
    world.employments["E2"] = employment("E2", end_date=date(2025, 7, 31), holiday6_transfer_agreed=True)
    world.employments["E3"] = employment("E3", end_date=date(2025, 8, 1))  # beyond the next period
    world.employments["E4"] = employment("E4", end_date=date(2025, 7, 15), pay="hourly",
                                         monthly_salary=None, hourly_rate=Decimal(180))
    world.employments["E5"] = employment("E5", end_date=date(2025, 6, 15),
                                         holiday6=[{"earning_year": 2024, "earned_hours": Decimal(37),
                                                    "taken_hours": Decimal(37)}])
    return world


def test_the_sweep_enqueues_monthly_paid_staff_ending_this_or_next_period(leavers: World) -> None:
    _, enqueued = run_task_once(make_bot(leavers.pages), "termination_sweep", as_of=TODAY)
    assert enqueued == 3  # E1, E2, E5; E3 ends too late, E4 is hourly-paid


def test_termination_pays_one_line_per_year(leavers: World) -> None:
    payloads = {"E1:2025-06-30": {"employment_id": "E1", "end_date": "2025-06-30"},
                "E2:2025-07-31": {"employment_id": "E2", "end_date": "2025-07-31"},
                "E5:2025-06-15": {"employment_id": "E5", "end_date": "2025-06-15"}}
    run = run_items(make_bot(leavers.pages), "termination_sweep", payloads, as_of=TODAY, retry=FAST)
    assert run["E1:2025-06-30"].result["outcome"] == "payout"
    assert [(line["earning_year"], line["hours"], line["amount"], line["period"], line["reference"])
            for line in leavers.writes["payroll_lines"]] == [
        (2023, Decimal("30.0"), Decimal("6735.9"), "2025-06", "E1:2025-06-30:2023"),
        (2024, Decimal("37.0"), Decimal("8307.61"), "2025-06", "E1:2025-06-30:2024")]
    [letter] = leavers.writes["letters"]
    assert "Fratrædelse" in letter["text"] and "30. juni 2025" in letter["text"]
    assert "15.043,51 kr." in letter["text"]
    assert (run["E2:2025-07-31"].result, run["E2:2025-07-31"].state) == (
        {"outcome": "skip", "reason": "TRANSFER_AGREED", "acted": False}, State.DONE)
    assert run["E5:2025-06-15"].result["reason"] == "NOTHING_UNUSED"
    assert "statuses" not in leavers.writes and "replies" not in leavers.writes


def test_an_end_date_changed_since_the_sweep_is_skipped(leavers: World) -> None:
    payloads = {"E1:2025-05-31": {"employment_id": "E1", "end_date": "2025-05-31"}}
    run = run_items(make_bot(leavers.pages), "termination_sweep", payloads, as_of=TODAY)
    assert run["E1:2025-05-31"].result["reason"] == "END_DATE_CHANGED"
    assert leavers.writes == {}


# -- money that cannot be paid (issue 15) ----------------------------------------------------------


@pytest.mark.parametrize(("fields", "field"), [
    ({"monthly_salary": Decimal(-36000)}, "employment.monthly_salary"),
    ({"monthly_salary": Decimal("0.004")}, "employment.monthly_salary"),
    ({"weekly_hours": Decimal(0)}, "employment.weekly_hours"),
])
def test_employment_data_nothing_can_be_paid_from_stops_a_request_before_any_payment(
        world: World, fields: dict[str, Any], field: str) -> None:
    world.employments["E100234"] = employment(**fields)
    item = run_requests(world, "SP-2025-00001")["SP-2025-00001"]
    assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, "EMPLOYMENT_DATA_INVALID")
    assert field in item.error.message
    assert set(world.writes) == {"replies"}  # the manager is told; nothing is paid, lettered or journaled
    [reply] = world.writes["replies"]
    assert reply["reference"] == "SP-2025-00001:EMPLOYMENT_DATA_INVALID" and field in reply["text"]
    assert "-36000" not in reply["text"] + item.error.message


@pytest.mark.parametrize("hours", [Decimal(-10), Decimal(0), Decimal("0.004")])
def test_requested_hours_that_cannot_be_paid_stop_before_any_payment(world: World, hours: Decimal) -> None:
    world.cases["SP-2025-00001"] = request_case(hours=hours)
    item = run_requests(world, "SP-2025-00001")["SP-2025-00001"]
    assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, "INSUFFICIENT_BALANCE")
    assert set(world.writes) == {"replies"}


def test_a_leaver_with_a_negative_salary_is_stopped_and_nothing_is_written(leavers: World) -> None:
    leavers.employments["E1"] = employment("E1", end_date=date(2025, 6, 30), monthly_salary=Decimal(-36000))
    payloads = {"E1:2025-06-30": {"employment_id": "E1", "end_date": "2025-06-30"}}
    item = run_items(make_bot(leavers.pages), "termination_sweep", payloads, as_of=TODAY,
                     retry=FAST)["E1:2025-06-30"]
    assert (item.state, item.error.code, item.attempts) == (
        State.BUSINESS_EXCEPTION, "EMPLOYMENT_DATA_INVALID", 1)
    assert "employment.monthly_salary" in item.error.message
    assert leavers.writes == {}
