"""With faults on, the same end state as a fault-free run of the same dataset, nothing twice.

Single cases, batch cases and the rows they enqueue, worked with 10 % HTTP 500s,
sessions expired midway, a maintenance window, and the worker process SIGKILLed
mid-run and a fresh one started (see `harness.testing`).
Also: no full CPR number in the workers' logs, the items' exception texts or the letters.
"""

from __future__ import annotations

import pytest

from bots.one_off_supplements.bot import bot
from harness.testing import (
    RunResult,
    check_no_full_cpr,
    check_nothing_twice,
    check_same_end_state,
    fault_free_run,
    faulty_run,
)

pytestmark = [pytest.mark.browser, pytest.mark.slow]

STAGES = [("cases",)]


def dataset() -> dict:
    from sandbox import generator

    return generator.generate(200, seed=12)


@pytest.fixture(scope="module")
def runs(tmp_path_factory: pytest.TempPathFactory) -> tuple[dict, RunResult, RunResult]:
    data = dataset()
    folder = tmp_path_factory.mktemp("supplements-faults")
    clean = fault_free_run(bot, STAGES, data, folder / "clean")
    faulty = faulty_run("bots.one_off_supplements.bot:bot", STAGES, data, folder / "faulty")
    return data, clean, faulty


def test_faults_give_the_same_end_state_and_nothing_twice(runs: tuple[dict, RunResult, RunResult]) -> None:
    data, clean, faulty = runs
    batches = {c["case_id"] for c in data["cases"] if c["type"] == "supplement_batch"}

    check_same_end_state(clean, faulty)
    assert any(task == "rows" for task, _ref in clean.items)
    done = {ref for (_task, ref), (state, _code) in clean.items.items() if state == "done"}
    paid = done - batches
    assert len(paid) >= 5 and len(clean.items) - len(paid) >= 8  # payments and exceptions both

    check_nothing_twice(faulty, ("letters", "payroll_lines", "journal"))
    references = {ref for _task, ref in faulty.items}
    for table in ("letters", "payroll_lines", "journal"):  # one of each per paid case or row
        assert {r["reference"] for r in faulty.export[table] if r["reference"] in references} == paid, table


def test_no_full_cpr_in_logs_exception_texts_or_letters(runs: tuple[dict, RunResult, RunResult]) -> None:
    data, _clean, run = runs
    check_no_full_cpr(run, [e["cpr"] for e in data["employments"]])
