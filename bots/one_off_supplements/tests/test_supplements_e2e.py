"""End to end against a seeded sandbox: single cases, batches, rows, and the batch's closing."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from bots.one_off_supplements import rules
from bots.one_off_supplements.bot import WAGE_TYPE, bot
from bots.one_off_supplements.models import BatchCaseFacts, CaseFacts, EmploymentFacts, Settings
from harness.testing import Generated, by_reference, flat, sandbox_fixture
from hr.calendar import Period
from hr.cpr import mask_cprs_in_text
from hr.formatting import format_kr, format_month
from runner import RunnerError, State
from runner.testing import FakeClock, exception_desk, make_store, run_items, run_task_once

pytestmark = pytest.mark.browser

AS_OF = date(2024, 11, 18)


sandbox = sandbox_fixture(Generated(200, seed=12))  # the fixture: a served sandbox, a Chromium pool


def collect(store: Any, sandbox: dict[str, Any]) -> None:
    run_task_once(bot, "cases", as_of=AS_OF, store=store, systems=sandbox["systems"],
                  browsers=sandbox["browsers"])


def work(store: Any, sandbox: dict[str, Any]) -> dict[str, Any]:
    run = run_items(bot, "cases", {}, as_of=AS_OF, store=store, systems=sandbox["systems"],
                    browsers=sandbox["browsers"])
    return dict(run.items)


def expected_single(case: dict[str, Any], employments: dict[str, Any], lines: list[dict[str, Any]]) -> dict:
    employment = employments.get(case["employment_id"])
    facts = EmploymentFacts.read(employment) if employment is not None else None
    decision = rules.decide_single(facts, CaseFacts.read(case), Settings()).model_dump(mode="json")
    if decision["outcome"] != "register":
        return decision
    assert employment is not None
    same = [line for line in lines if line["employment_id"] == case["employment_id"]
            and line["wage_type"] == WAGE_TYPE and line["amount"] == decision["amount"]
            and line["text"] == case["reason"]
            and line["period"] in (decision["period"], decision["moved_from"])]
    if same:
        return {**decision, "outcome": "exception", "code": "DUPLICATE_REQUEST"}
    if not employment["digital_post"]:
        return {**decision, "outcome": "exception", "code": "NO_DIGITAL_POST"}
    return decision


def assert_paid(export: dict[str, Any], ref: str, employment_id: str, reason: str, decision: dict) -> None:
    [line] = by_reference(export["payroll_lines"], ref)
    assert (line["employment_id"], line["wage_type"], line["period"], line["amount"]) == (
        employment_id, WAGE_TYPE, decision["period"], decision["amount"])
    [letter] = by_reference(export["letters"], ref)
    text = flat(letter["text"])
    assert letter["subject"] == "Engangsvederlag"
    assert format_kr(decision["amount"]) in text
    assert format_month(Period.parse(decision["period"])) in text
    assert flat(reason) in text
    if decision["pensionable"]:
        assert "Beløbet er pensionsgivende" in text and format_kr(decision["pension_amount"]) in text
    else:
        assert "Beløbet er ikke pensionsgivende" in text
    assert mask_cprs_in_text(text) == text
    [entry] = by_reference(export["journal"], ref)
    assert entry["kind"] == "document"


def test_supplements_end_to_end(sandbox):
    data = sandbox["data"]
    employments = {e["employment_id"]: e for e in data["employments"]}
    singles = [c for c in data["cases"] if c["type"] == "one_off_supplement"]
    batches = [c for c in data["cases"] if c["type"] == "supplement_batch"]
    expected = {c["case_id"]: expected_single(c, employments, data["payroll_lines"]) for c in singles}

    store = make_store(sandbox["tmp"] / "store", clock=FakeClock(AS_OF))
    collect(store, sandbox)
    items = work(store, sandbox)
    export = sandbox["dataset"].export(sandbox["db"])
    status = {s["case_id"]: s for s in export["case_status"]}

    # single cases
    codes = {d["code"] for d in expected.values()}
    assert codes >= {None, "AMOUNT_OUT_OF_RANGE", "REASON_MISSING", "AGREEMENT_UNKNOWN",
                     "EMPLOYMENT_INACTIVE", "EMPLOYMENT_NOT_FOUND", "DUPLICATE_REQUEST"}
    assert any(d["moved_from"] for d in expected.values() if d["outcome"] == "register")
    for case in singles:
        ref, decision, item = case["case_id"], expected[case["case_id"]], items[case["case_id"]]
        if decision["outcome"] == "exception":
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, decision["code"]), ref
            assert not by_reference(export["payroll_lines"], ref) and not by_reference(export["letters"], ref)
            assert status[ref]["status"] == "Åben"
            assert "kan ikke behandles automatisk" in status[ref]["reply"]
            continue
        assert item.state is State.DONE, (ref, item.error)
        assert_paid(export, ref, case["employment_id"], case["reason"], decision)
        assert status[ref]["status"] == "Løst"
        assert format_month(Period.parse(decision["period"])) in status[ref]["reply"]

    # batches: the file and control figures stop the whole batch
    batch_codes = {c["case_id"]: items[c["case_id"]].error.code if items[c["case_id"]].error else None
                   for c in batches}
    assert sorted(batch_codes.values(), key=str) == sorted(
        ["BATCH_CONTROL_MISMATCH", "BATCH_FILE_INVALID", "BATCH_FILE_INVALID", None], key=str)
    invalid = [items[c["case_id"]] for c in batches if batch_codes[c["case_id"]] == "BATCH_FILE_INVALID"]
    assert any("Beløb" in item.error.message and "række 2" in item.error.message for item in invalid)
    assert any("mangler kolonnen »Beløb«" in item.error.message for item in invalid)

    # the valid batch: one row item each, rows decided as single cases
    [good] = [c for c in batches if batch_codes[c["case_id"]] is None]
    staff = [EmploymentFacts.read(e) for e in employments.values()]
    decided = rules.decide_batch(staff, BatchCaseFacts.read(good), Settings()).model_dump(mode="json")
    rows = {f"{good['batch_id']}:{r['row']}": r for r in decided["rows"]}
    row_items = {ref: item for ref, item in items.items() if item.task == "rows"}
    assert set(row_items) == set(rows)
    for ref, decision in rows.items():
        item = row_items[ref]
        source = next(r for r in good["rows"] if f"{good['batch_id']}:{r['row']}" == ref)
        if decision["outcome"] == "exception" or not employments[source["employment_id"]]["digital_post"]:
            code = decision["code"] or "NO_DIGITAL_POST"
            assert (item.state, item.error.code) == (State.BUSINESS_EXCEPTION, code), ref
            continue
        assert item.state is State.DONE, (ref, item.error)
        assert_paid(export, ref, source["employment_id"], source["reason"], decision)
    assert {r["code"] for r in rows.values()} >= {"DUPLICATE_REQUEST", "AMOUNT_OUT_OF_RANGE",
                                                   "EMPLOYMENT_NOT_FOUND"}
    assert status[good["case_id"]]["status"] == "Åben"  # rows still wait for a person

    # a corrected amount that still cannot be paid stops with the rules' code, not after three tries
    desk = exception_desk(bot, store, systems=sandbox["systems"], browsers=sandbox["browsers"],
                          as_of=AS_OF)
    [out_of_range, *_] = [row_items[ref] for ref, d in rows.items() if d["code"] == "AMOUNT_OUT_OF_RANGE"]
    with pytest.raises(RunnerError, match="amount"):  # PAYLOAD_INVALID: nothing is queued
        desk.retry(out_of_range.id, payload={**out_of_range.payload, "amount": "1e999999"})
    desk.retry(out_of_range.id, payload={**out_of_range.payload, "amount": "0.001"})  # 0.00 kr.
    again = work(store, sandbox)[out_of_range.reference]
    assert (again.state, again.error.code) == (State.BUSINESS_EXCEPTION, "AMOUNT_OUT_OF_RANGE")
    assert not by_reference(sandbox["dataset"].export(sandbox["db"])["payroll_lines"], again.reference)

    # a person rejects or resolves every stopped row; the next collection closes the case
    stopped = [item for item in row_items.values() if item.state is State.BUSINESS_EXCEPTION]
    for i, item in enumerate(stopped):
        if i % 2:
            desk.resolve(item.id, "Udbetalt manuelt")
        else:
            desk.reject(item.id, "Dobbelt indberetning")
    collect(store, sandbox)
    items = work(store, sandbox)
    closing = items[f"{good['case_id']}:close"]
    assert closing.state is State.DONE, closing.error
    final = {s["case_id"]: s for s in sandbox["dataset"].export(sandbox["db"])["case_status"]}
    assert final[good["case_id"]]["status"] == "Løst"
    assert f"Alle {len(rows)} rækker" in final[good["case_id"]]["reply"]
    for item in stopped:
        assert items[item.reference].state in (State.RESOLVED, State.REJECTED)
