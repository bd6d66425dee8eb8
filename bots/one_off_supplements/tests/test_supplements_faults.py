"""With faults on, the same end state as a fault-free run of the same dataset, nothing twice.

Single cases, batch cases and the rows they enqueue, worked with 10 % HTTP 500s,
sessions expired midway, a maintenance window, and the worker process SIGKILLed
mid-run and a fresh one started (see `harness.testing`).
Also: no full CPR number in the workers' logs, the items' exception texts or the letters.
"""

from __future__ import annotations

import pytest

from harness.testing import Generated, RunResult, check_faulty_run, check_no_full_cpr, run_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAGES = [("cases",)]

# the fixtures: the dataset, its fault-free run and its faulty run
data, clean, faulty = run_fixtures("bots.one_off_supplements.bot:bot", STAGES, Generated(200, seed=12))


def test_faults_give_the_same_end_state_and_nothing_twice(data: dict, clean: RunResult,
                                                          faulty: RunResult) -> None:
    batches = {c["case_id"] for c in data["cases"] if c["type"] == "supplement_batch"}

    check_faulty_run(clean, faulty, ("letters", "payroll_lines", "journal"))
    assert any(task == "rows" for task, _ref in clean.items)
    done = {ref for (_task, ref), (state, _code) in clean.items.items() if state == "done"}
    paid = done - batches
    assert len(paid) >= 5 and len(clean.items) - len(paid) >= 8  # payments and exceptions both
    references = {ref for _task, ref in faulty.items}
    for table in ("letters", "payroll_lines", "journal"):  # one of each per paid case or row
        assert {r["reference"] for r in faulty.export[table] if r["reference"] in references} == paid, table


def test_no_full_cpr_in_logs_exception_texts_or_letters(data: dict, faulty: RunResult) -> None:
    check_no_full_cpr(faulty, [e["cpr"] for e in data["employments"]])
