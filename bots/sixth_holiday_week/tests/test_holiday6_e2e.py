"""End to end in Chromium against a seeded sandbox: requests and the termination sweep.

One dataset (46 requests and 4 sweep items: every planted case) is worked fault-free and
checked against what the bot's own pure rules compute from the seeded data; the next
day's run on the result changes nothing; and the same dataset worked with faults on (10 %
HTTP 500s after the write, sessions expired, a maintenance window, a worker process
SIGKILLed mid-item and a fresh one started; see `harness.testing`) ends in the same state
as the fault-free run, nothing written twice, no full CPR number in the workers' logs.
"""

from __future__ import annotations

from collections import Counter
from decimal import Decimal
from typing import Any

import pytest

from bots.sixth_holiday_week import rules
from bots.sixth_holiday_week.bot import WAGE_TYPE, bot
from bots.sixth_holiday_week.letters import SUBJECT
from bots.sixth_holiday_week.models import CaseFacts, EmploymentFacts, Settings
from harness.testing import (
    AS_OF,
    Generated,
    by_reference,
    check_faulty_run,
    check_no_full_cpr,
    fault_free_run,
    flat,
    run_fixtures,
)
from hr.calendar import Period
from hr.cpr import mask_cprs_in_text
from hr.formatting import format_hours, format_kr
from runner import State

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAGES = [("requests", "termination_sweep")]

# the fixtures: the dataset (46 requests + 4 sweep items: every planted case), its fault-free
# run and its faulty run
data, clean, faulty = run_fixtures("bots.sixth_holiday_week.bot:bot", STAGES, Generated(2000, seed=21))


def expected_requests(data: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """Case id → the rules' decision, with NO_DIGITAL_POST where a payout cannot be lettered."""
    employments = {e["employment_id"]: e for e in data["employments"]}
    expected = {}
    for case in data["cases"]:
        if case["type"] != rules.REQUEST:
            continue
        employment = employments.get(case["employment_id"])
        facts = EmploymentFacts.read(employment) if employment is not None else None
        decision = rules.decide_request(facts, CaseFacts.read(case), AS_OF,
                                        Settings()).model_dump(mode="json")
        if decision["outcome"] == "payout" and not (employment or {}).get("digital_post"):
            decision = {**decision, "outcome": "exception", "code": "NO_DIGITAL_POST"}
        expected[case["case_id"]] = decision
    return expected


def expected_sweep(data: dict[str, Any]) -> dict[str, tuple[dict[str, Any], dict[str, Any]]]:
    """Sweep reference → (employment, decision) for monthly staff ending this or next period."""
    current = Period.of(AS_OF)
    first, last = current.first_day.isoformat(), current.next().last_day.isoformat()
    expected = {}
    for employment in data["employments"]:
        end = employment.get("end_date")
        if employment["pay"] != "monthly" or not end or not first <= end <= last:
            continue
        case = {"type": rules.TERMINATION, "employment_id": employment["employment_id"],
                "transfer_agreed": bool(employment.get("holiday6_transfer_agreed"))}
        decision = rules.decide_termination(EmploymentFacts.read(employment), CaseFacts.read(case),
                                            Settings()).model_dump(mode="json")
        if decision["outcome"] == "payout" and not employment.get("digital_post"):
            decision = {**decision, "outcome": "exception", "code": "NO_DIGITAL_POST"}
        expected[f"{employment['employment_id']}:{end}"] = (employment, decision)
    return expected


def assert_paid(export: dict[str, Any], seeded: dict[str, Any], ref: str,
                lines: list[dict[str, Any]], amount: float, period: str) -> None:
    """One payroll line per year, paid_hours raised, one letter stating hours and amount, a journal entry."""
    employment_id = seeded["employment_id"]
    after = next(e for e in export["employments"] if e["employment_id"] == employment_id)
    for line in lines:
        year = line["earning_year"]
        [registered] = by_reference(export["payroll_lines"], f"{ref}:{year}")
        assert (registered["employment_id"], registered["wage_type"], registered["period"],
                registered["earning_year"]) == (employment_id, WAGE_TYPE, period, year), ref
        assert (Decimal(str(registered["hours"])), Decimal(str(registered["amount"]))) == (
            Decimal(str(line["hours"])), Decimal(str(line["amount"]))), ref
        before = next(h for h in seeded["holiday6"] if h["earning_year"] == year)
        now = next(h for h in after["holiday6"] if h["earning_year"] == year)
        assert Decimal(str(now["paid_hours"])) == (
            Decimal(str(before.get("paid_hours") or 0)) + Decimal(str(line["hours"]))), ref
    [letter] = by_reference(export["letters"], ref)
    text = flat(letter["text"])
    assert (letter["employment_id"], letter["subject"]) == (employment_id, SUBJECT)
    assert format_kr(amount) in text, (ref, text)
    for line in lines:
        assert format_hours(line["hours"]) in text and format_kr(line["amount"]) in text, (ref, text)
    assert mask_cprs_in_text(text) == text
    [entry] = by_reference(export["journal"], ref)
    assert (entry["kind"], entry["title"], entry["doc_type"], entry["access"]) == (
        "document", SUBJECT, "Brev", "Almindelig")


def assert_nothing_written(export: dict[str, Any], ref: str) -> None:
    assert not [line for line in export["payroll_lines"] if line["reference"].startswith(f"{ref}:")]
    assert not by_reference(export["letters"], ref) and not by_reference(export["journal"], ref)


def test_requests_end_to_end(data, clean):
    check_requests(data, clean.export, clean.records, at_least=40)


def check_requests(data: dict[str, Any], export: dict[str, Any], items: dict[str, Any],
                   at_least: int) -> None:
    employments = {e["employment_id"]: e for e in data["employments"]}
    expected = expected_requests(data)
    requests = {ref: item for ref, item in items.items() if item.task == "requests"}

    assert set(requests) == set(expected) and len(expected) >= at_least
    assert {d["code"] for d in expected.values()} >= {
        None, "EMPLOYMENT_NOT_FOUND", "NO_ENTITLEMENT", "EMPLOYMENT_INACTIVE", "NO_BALANCE",
        "NOT_YET_AVAILABLE", "INSUFFICIENT_BALANCE", "NO_DIGITAL_POST"}
    status = {s["case_id"]: s for s in export["case_status"]}
    cases = {c["case_id"]: c for c in data["cases"]}
    for ref, decision in expected.items():
        item = requests[ref]
        if decision["outcome"] == "exception":
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, decision["code"]), ref
            assert status[ref]["status"] != "Løst"
            assert "kan ikke behandles automatisk" in (status[ref]["reply"] or "")
            assert_nothing_written(export, ref)
            continue
        assert item.state is State.DONE, (ref, item.error)
        assert decision["period"] == "2024-12"  # 18 November is after the cut-off (the 10th)
        seeded = employments[cases[ref]["employment_id"]]
        line = {key: decision[key] for key in ("earning_year", "hours", "amount")}
        assert_paid(export, seeded, ref, [line], decision["amount"], decision["period"])
        assert status[ref]["status"] == "Løst"
        assert format_kr(decision["amount"]) in status[ref]["reply"]


def test_termination_sweep_end_to_end(data, clean):
    check_sweep(data, clean.export, clean.records)


def check_sweep(data: dict[str, Any], export: dict[str, Any], items: dict[str, Any]) -> None:
    expected = expected_sweep(data)
    sweep = {ref: item for ref, item in items.items() if item.task == "termination_sweep"}

    assert set(sweep) == set(expected)
    reasons = Counter(d.get("reason") or d["outcome"] for _, d in expected.values())
    assert reasons["payout"] >= 2 and reasons["TRANSFER_AGREED"] and reasons["NOTHING_UNUSED"]
    for ref, (employment, decision) in expected.items():
        item = sweep[ref]
        if decision["outcome"] == "exception":
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, decision["code"]), ref
            assert_nothing_written(export, ref)
        elif decision["outcome"] == "skip":
            assert item.state is State.DONE, (ref, item.error)
            assert (item.result["outcome"], item.result["reason"]) == ("skip", decision["reason"])
            assert_nothing_written(export, ref)
        else:
            assert item.state is State.DONE, (ref, item.error)
            assert decision["period"] == employment["end_date"][:7]
            assert_paid(export, employment, ref, decision["lines"], decision["amount"], decision["period"])


def test_a_second_run_changes_nothing(clean, tmp_path):
    """The next day's run on what the first left: solved cases are not collected, the sweep finds
    nothing unused, refused cases are not replied to again."""
    again = fault_free_run(bot, STAGES, clean.db, tmp_path)
    assert again.written() == clean.written()
    assert not [ref for ref, item in clean.records.items()
                if item.task == "requests" and item.state is State.DONE and ref in again.records]
    for ref, item in again.records.items():
        assert item.state in (State.DONE, State.BUSINESS_EXCEPTION), (ref, item.error)
        if item.task == "termination_sweep" and item.state is State.DONE:
            assert item.result["outcome"] == "skip", (ref, item.result)


# -- the same dataset with faults on ------------------------------------------------------


def test_faults_and_a_killed_worker_give_the_same_end_state(clean, faulty):
    check_faulty_run(clean, faulty, ("payroll_lines", "letters", "journal"))


def test_no_full_cpr_in_logs_exception_texts_or_letters(data, faulty):
    check_no_full_cpr(faulty, [e["cpr"] for e in data["employments"]])
