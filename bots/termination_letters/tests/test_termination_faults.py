"""With faults on, the same end state as a fault-free run of the same dataset, nothing twice.

Faults: 10 % HTTP 500s, sessions expired midway, a maintenance window, and the worker
process SIGKILLed mid-run and a fresh one started (see `harness.testing`). Also: no full CPR
number in the workers' logs, the items' exception texts or the letters.
"""

from __future__ import annotations

import pytest

from harness.testing import Generated, RunResult, check_faulty_run, check_no_full_cpr, run_fixtures

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAGES = [("resignations", "hourly_sweep")]

# the fixtures: the dataset, its fault-free run and its faulty run
data, clean, faulty = run_fixtures("bots.termination_letters.bot:bot", STAGES, Generated(200, seed=11))


def test_faults_give_the_same_end_state_and_nothing_twice(clean: RunResult, faulty: RunResult) -> None:
    check_faulty_run(clean, faulty, ("letters", "terminations", "journal", "payroll_lines"))
    done = {ref for (_task, ref), (state, _code) in clean.items.items() if state == "done"}
    assert len(done) >= 8 and len(clean.items) - len(done) >= 8  # letters and exceptions both
    references = {ref for _task, ref in faulty.items}
    for table in ("letters", "terminations", "journal"):  # one letter (end date, entry) per done item
        assert {r["reference"] for r in faulty.export[table] if r["reference"] in references} == done, table


def test_no_full_cpr_in_logs_exception_texts_or_letters(data: dict, faulty: RunResult) -> None:
    check_no_full_cpr(faulty, [e["cpr"] for e in data["employments"]])
