"""End to end against a seeded sandbox: collectors, items, and what landed in the systems."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bots.termination_letters import rules
from bots.termination_letters.bot import bot
from bots.termination_letters.models import CaseFacts, EmploymentFacts, Settings
from harness.testing import Generated, by_reference, flat, sandbox_fixture
from hr.cpr import mask_cprs_in_text
from hr.formatting import format_date_long
from runner import State
from runner.testing import FakeClock, make_store, run_items, run_task_once

pytestmark = pytest.mark.browser

AS_OF = date(2024, 11, 18)


sandbox = sandbox_fixture(Generated(200, seed=11))  # the fixture: a served sandbox, a Chromium pool


def collect_and_work(sandbox: dict[str, Any], task: str) -> dict[str, Any]:
    store = make_store(sandbox["tmp"] / task, clock=FakeClock(AS_OF))
    collect(task, store, sandbox)
    run = run_items(bot, task, {}, as_of=AS_OF, store=store, systems=sandbox["systems"],
                    browsers=sandbox["browsers"])
    return dict(run.items)


def collect(task: str, store: Any, sandbox: dict[str, Any]) -> None:
    run_task_once(bot, task, as_of=AS_OF, store=store, systems=sandbox["systems"],
                  browsers=sandbox["browsers"])


def facts(employment: dict | None) -> EmploymentFacts | None:
    return EmploymentFacts.read(employment) if employment is not None else None


def test_resignations_end_to_end(sandbox):
    data = sandbox["data"]
    employments = {e["employment_id"]: e for e in data["employments"]}
    cases = [c for c in data["cases"] if c["type"] == "resignation"]
    expected = {c["case_id"]: rules.decide_resignation(facts(employments.get(c["employment_id"])),
                                                       CaseFacts.read(c), Settings()).model_dump(mode="json")
                for c in cases}

    items = collect_and_work(sandbox, "resignations")
    export = sandbox["dataset"].export(sandbox["db"])

    assert set(items) == set(expected)
    codes = {ref: d["code"] for ref, d in expected.items() if d["outcome"] == "exception"}
    assert set(codes.values()) >= {"EARLIER_THAN_NOTICE", "REQUESTED_BEFORE_RECEIPT", "EMPLOYMENT_NOT_FOUND",
                                   "NOT_MONTHLY_PAID", "RECEIVED_DATE_MISSING", "EMPLOYMENT_INACTIVE",
                                   "TJENESTEMAND_REVIEW", "NO_DIGITAL_POST"}
    status = {s["case_id"]: s for s in export["case_status"]}
    for case in cases:
        ref, decision, item = case["case_id"], expected[case["case_id"]], items[case["case_id"]]
        if decision["outcome"] == "exception":
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, decision["code"]), ref
            assert status[ref]["status"] == "Åben"
            assert "kan ikke behandles automatisk" in (status[ref]["reply"] or "")
            assert not by_reference(export["letters"], ref)
            assert not by_reference(export["terminations"], ref)
            continue
        assert item.state is State.DONE, (ref, item.error)
        last_day = date.fromisoformat(decision["last_day"])
        [ended] = by_reference(export["terminations"], ref)
        assert (ended["employment_id"], ended["last_day"]) == (case["employment_id"], decision["last_day"])
        [letter] = by_reference(export["letters"], ref)
        text = flat(letter["text"])
        assert letter["subject"] == "Bekræftelse af din opsigelse"
        assert format_date_long(last_day) in text
        assert format_date_long(date.fromisoformat(case["received_date"])) in text
        assert case["employment_id"] in text
        assert mask_cprs_in_text(text) == text  # nothing CPR-shaped
        assert employments[case["employment_id"]]["cpr"] not in text.replace("-", "")
        [entry] = by_reference(export["journal"], ref)
        assert (entry["kind"], entry["doc_type"]) == ("document", "Opsigelse – bekræftelse")
        assert status[ref]["status"] == "Løst"
        assert format_date_long(last_day) in status[ref]["reply"]


def test_hourly_sweep_end_to_end(sandbox):
    data = sandbox["data"]
    expected = {}
    for employment in data["employments"]:
        decision = rules.decide_hourly(facts(employment), AS_OF, Settings()).model_dump(mode="json")
        if employment["pay"] == "hourly" and decision["outcome"] in ("terminate", "exception"):
            expected[f"{employment['employment_id']}:{employment['last_paid_date'] or ''}"] = (employment,
                                                                                                 decision)

    items = collect_and_work(sandbox, "hourly_sweep")
    export = sandbox["dataset"].export(sandbox["db"])

    assert set(items) == set(expected)
    codes = set()
    for ref, (employment, decision) in expected.items():
        item = items[ref]
        if decision["outcome"] == "exception" or not employment["digital_post"]:
            code = decision["code"] or "NO_DIGITAL_POST"
            codes.add(code)
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, code), ref
            assert not by_reference(export["terminations"], ref)
            assert not by_reference(export["letters"], ref)
            continue
        assert item.state is State.DONE, (ref, item.error)
        [ended] = by_reference(export["terminations"], ref)
        assert ended["last_day"] == decision["last_day"]
        [letter] = by_reference(export["letters"], ref)
        assert letter["subject"] == "Meddelelse om fratrædelse"
        text = flat(letter["text"])
        assert format_date_long(date.fromisoformat(decision["last_day"])) in text
        assert mask_cprs_in_text(text) == text
        [entry] = by_reference(export["journal"], ref)
        assert entry["kind"] == "document"
    assert codes >= {"NEVER_PAID", "NO_DIGITAL_POST"}
    assert sum(1 for _, d in expected.values() if d["outcome"] == "terminate") >= 4
