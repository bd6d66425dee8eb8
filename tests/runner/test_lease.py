"""A worker's own reckoning of its leases, and a worker that meets an error nothing handles.

Fast: a real SQLite store; a lease "known until" in the past stands for a store that was
away longer than the lease (the slow version is test_store_outage.py).
"""

from __future__ import annotations

import sqlite3
import time
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from pydantic import BaseModel

from runner import Bot, Item, RetryPolicy, Task
from runner.clock import FakeClock, SystemClock
from runner.deployment import WorkerSettings, deploy
from runner.errors import LeaseLost, StoreUnavailable, WorkerFailed
from runner.lease import LeaseBook
from runner.logs import module_logger
from runner.outage import StoreWatch
from runner.store import Actor, NewItem, Store
from runner.store.sql import is_outage
from runner.testing import capture_logs, make_store
from runner.worker import Worker

TODAY = date(2024, 11, 18)
LEASE_S = 10.0


def claimed(store: Store, worker_id: str, reference: str = "a") -> int:
    store.enqueue([NewItem("t", "cases", reference, {}, max_attempts=3)])
    (record,) = store.claim(worker_id, lease_s=LEASE_S, as_of=TODAY)
    return record.id


def book(store: Store, worker_id: str) -> LeaseBook:
    return LeaseBook(store, worker_id, LEASE_S, StoreWatch(module_logger("test")))


def test_a_lease_within_its_time_needs_no_store_call(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    item_id = claimed(store, "w1")
    leases = book(store, "w1")
    leases.hold([item_id], since=time.monotonic())
    leases.lease(item_id).check()
    assert leases.holds(item_id)


def test_past_its_time_a_lease_holds_only_if_the_store_still_gives_it(tmp_path: Path) -> None:
    store = make_store(tmp_path)
    item_id = claimed(store, "w1")
    leases = book(store, "w1")
    leases.hold([item_id], since=time.monotonic() - 2 * LEASE_S)
    assert not leases.holds(item_id)
    leases.lease(item_id).check()  # nobody took it: the store renews it
    assert leases.holds(item_id)


def test_a_lease_another_worker_took_stops_every_write(tmp_path: Path) -> None:
    clock = FakeClock(TODAY)
    store = make_store(tmp_path, clock=clock)
    item_id = claimed(store, "w1")
    leases = book(store, "w1")
    leases.hold([item_id], since=time.monotonic() - 2 * LEASE_S)
    clock.advance(2 * LEASE_S)  # the store's lease ran out too, and another worker took it
    assert store.reap() == [item_id]
    (again,) = store.claim("w2", lease_s=LEASE_S, as_of=TODAY)
    written: list[str] = []
    with pytest.raises(LeaseLost):
        leases.lease(item_id).call(lambda: written.append("checkpoint"), what="checkpoint")
    assert written == [], "no write on a lease another worker holds"
    assert store.get_item(Actor.worker("test"), again.id).lease_owner == "w2"


def test_a_lock_a_timeout_or_a_lost_connection_is_an_outage_a_missing_table_is_not() -> None:
    from sqlalchemy.exc import OperationalError

    locked = OperationalError("BEGIN IMMEDIATE", {}, sqlite3.OperationalError("database is locked"))
    missing = OperationalError("SELECT", {}, sqlite3.OperationalError("no such table: work_items"))
    assert is_outage(locked) and is_outage(sqlite3.OperationalError("database is locked"))
    assert not is_outage(missing)


def test_the_watch_retries_a_store_that_comes_back_and_logs_both_ends() -> None:
    answers: list[Any] = [StoreUnavailable("database is locked"), StoreUnavailable("again"), "ok"]

    def call() -> str:
        answer = answers.pop(0)
        if isinstance(answer, Exception):
            raise answer
        return str(answer)

    with capture_logs() as logs:
        watch = StoreWatch(module_logger("test"), policy=RetryPolicy(initial_interval_s=0,
                                                                     max_interval_s=0))
        assert watch.call(call, what="claim") == "ok"
    assert [entry["event"] for entry in logs] == ["store_unavailable", "store_back"]
    assert not watch.down


class Case(BaseModel):
    n: int = 0


def test_an_error_nothing_handles_stops_the_worker_with_worker_failed(tmp_path: Path) -> None:
    store = make_store(tmp_path)

    def process(item: Item) -> dict[str, Any]:
        return {}

    bot = Bot(name="t", version="1", tasks=[Task("cases", Case, process)])
    settings = WorkerSettings(poll_s=0.01, heartbeat_s=0.05, reaper_s=3600)
    worker = Worker(store, deploy({"t": bot}, worker=settings), SystemClock())
    with sqlite3.connect(tmp_path / "rpa.db") as raw:  # not an outage: time will not cure it
        raw.execute("DROP TABLE bot_states")
    with capture_logs() as logs, pytest.raises(WorkerFailed, match="OperationalError"):
        worker.run(idle_exit=True)
    assert [e["thread"] for e in logs if e["event"] == "worker_failed"] == ["worker"]
