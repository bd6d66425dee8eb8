"""With faults on, the same end state as a fault-free run of the same dataset, nothing twice.

Faults: 10 % HTTP 500s, sessions expired midway, a maintenance window, and the worker
process SIGKILLed mid-run and a fresh one started (see `harness.testing`). Also: no full CPR
number in the workers' logs, the items' exception texts or the letters.
"""

from __future__ import annotations

import pytest

from bots.termination_letters.bot import bot
from harness.testing import (
    RunResult,
    check_no_full_cpr,
    check_nothing_twice,
    check_same_end_state,
    fault_free_run,
    faulty_run,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAGES = [("resignations", "hourly_sweep")]


def dataset() -> dict:
    from sandbox import generator

    return generator.generate(200, seed=11)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, RunResult, RunResult]:
    data = dataset()
    folder = tmp_path_factory.mktemp("termination-faults")
    clean = fault_free_run(bot, STAGES, data, folder / "clean")
    faulty = faulty_run("bots.termination_letters.bot:bot", STAGES, data, folder / "faulty")
    return data, clean, faulty


def test_faults_give_the_same_end_state_and_nothing_twice(runs: tuple[dict, RunResult, RunResult]) -> None:
    _data, clean, faulty = runs

    check_same_end_state(clean, faulty)
    done = {ref for (_task, ref), (state, _code) in clean.items.items() if state == "done"}
    assert len(done) >= 8 and len(clean.items) - len(done) >= 8  # letters and exceptions both
    check_nothing_twice(faulty, ("letters", "terminations", "journal", "payroll_lines"))
    references = {ref for _task, ref in faulty.items}
    for table in ("letters", "terminations", "journal"):  # one letter (end date, entry) per done item
        assert {r["reference"] for r in faulty.export[table] if r["reference"] in references} == done, table


def test_no_full_cpr_in_logs_exception_texts_or_letters(runs: tuple[dict, RunResult, RunResult]) -> None:
    data, _clean, run = runs
    check_no_full_cpr(run, [e["cpr"] for e in data["employments"]])
