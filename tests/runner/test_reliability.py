"""Crashes and concurrency: no item lost, none done twice, no side effect repeated."""

from __future__ import annotations

import signal
import subprocess
import sys
import threading
import time
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pytest

from runner.states import State
from runner.store import Actor, NewItem, Store
from runner.testing import make_store, postgres_store

SCRIPT = Path(__file__).with_name("support") / "crash_bot.py"
SYSTEM = Actor.worker("test")


def start_worker(url: str, ledger: Path, worker_id: str, sleep_s: float = 0.002) -> subprocess.Popen[str]:
    process = subprocess.Popen(
        [sys.executable, str(SCRIPT), url, str(ledger), worker_id, str(sleep_s)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
    )
    assert process.stdout is not None and process.stdout.readline().strip() == "ready"
    return process


def enqueue_rows(store: Store, n: int) -> None:
    store.enqueue(NewItem("crash", "rows", f"row-{i:05d}", {"n": i}, max_attempts=5) for i in range(n))


def ledger_counts(ledger: Path) -> Counter[str]:
    return Counter(line.split(" ")[0] for line in ledger.read_text().splitlines())


@pytest.mark.slow
def test_sigkill_mid_run_loses_nothing_and_repeats_no_side_effect(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    enqueue_rows(store, 500)
    ledger = tmp_path / "ledger.txt"
    first = start_worker(store.url, ledger, "w1", sleep_s=0.02)
    while len(ledger_counts(ledger)) < 150 if ledger.exists() else True:
        time.sleep(0.02)
    # kill while an item is in hand, its decision taken and its write not yet made
    while not [i for i in store.list_items(SYSTEM, states=[State.IN_PROGRESS]) if i.has_checkpoints]:
        time.sleep(0.001)
    first.send_signal(signal.SIGKILL)
    first.wait(timeout=10)
    done_before = store.count_by_state().get(("crash", State.DONE.value), 0)
    assert 0 < done_before < 500, "the kill must land mid-run"
    second = start_worker(store.url, ledger, "w2")
    second.wait(timeout=120)
    items = store.list_items(SYSTEM, bot="crash", limit=None)
    assert Counter(i.state for i in items) == {State.DONE: 500}
    counts = ledger_counts(ledger)
    assert len(counts) == 500 and set(counts.values()) == {1}, "a side effect ran twice"
    assert any(i.attempts == 2 for i in items), "the item in hand at the kill was retried"


@pytest.mark.slow
def test_sigterm_finishes_the_item_in_hand_and_claims_no_more(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    enqueue_rows(store, 40)
    ledger = tmp_path / "ledger.txt"
    worker = start_worker(store.url, ledger, "w1", sleep_s=0.3)
    while not ledger.exists():
        time.sleep(0.02)
    worker.send_signal(signal.SIGTERM)
    assert worker.wait(timeout=20) == 0
    counts = Counter(i.state for i in store.list_items(SYSTEM, limit=None))
    assert counts[State.IN_PROGRESS] == 0
    assert 1 <= counts[State.DONE] < 40 and counts[State.DONE] + counts[State.NEW] == 40
    assert counts[State.DONE] == len(ledger_counts(ledger))


@pytest.mark.postgres
@pytest.mark.slow
def test_two_workers_on_postgresql_never_process_an_item_twice(tmp_path: Path) -> None:
    with postgres_store() as store:
        enqueue_rows(store, 2000)
        ledgers = [tmp_path / "w1.txt", tmp_path / "w2.txt"]
        workers = [start_worker(store.url, ledger, ledger.stem, sleep_s=0.0) for ledger in ledgers]
        for worker in workers:
            assert worker.wait(timeout=300) == 0, worker.stderr.read() if worker.stderr else ""
        per_worker = [ledger_counts(ledger) for ledger in ledgers]
        both = per_worker[0] + per_worker[1]
        assert len(both) == 2000 and set(both.values()) == {1}
        assert all(len(counts) > 100 for counts in per_worker), "both workers took a share"
        states = Counter(i.state for i in store.list_items(SYSTEM, limit=None))
        assert states == {State.DONE: 2000}
        assert {i.attempts for i in store.list_items(SYSTEM, limit=None)} == {1}


@pytest.mark.slow
def test_two_schedulers_on_one_database_start_one_run_per_firing(tmp_path: Path) -> None:
    from runner.config import TaskConfig, TaskSchedule
    from runner.scheduler import Scheduler, run_key
    from runner.states import Trigger

    store = make_store(tmp_path)
    spec = TaskConfig(schedule=TaskSchedule(interval_s=1), misfire_grace_s=5, coalesce=True)
    started: list[str] = []
    lock = threading.Lock()

    def on_fire(schedule_id: str, fire_time: datetime) -> None:
        run = store.start_run(bot="hello", task="greetings", trigger=Trigger.SCHEDULE,
                              actor=Actor.scheduler(), as_of=None,
                              run_key=run_key(schedule_id, fire_time))
        if run is not None:
            with lock:
                started.append(run.run_key or "")

    schedulers = [Scheduler("Europe/Copenhagen") for _ in range(2)]
    for scheduler in schedulers:
        scheduler.add("hello.greetings", spec, on_fire)
        scheduler.start()
    time.sleep(3.5)
    for scheduler in schedulers:
        scheduler.shutdown(wait=True)
    runs = store.list_runs(limit=100)
    assert 3 <= len(runs) <= 5
    keys = [run.run_key for run in runs]
    assert len(keys) == len(set(keys)) == len(started)
    assert all(run.started_at <= datetime.now(UTC) for run in runs)
