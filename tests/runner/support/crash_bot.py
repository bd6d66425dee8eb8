"""A bot and a worker process for the crash tests: its side effect is an append-only ledger.

Run as `python crash_bot.py DATABASE_URL LEDGER WORKER_ID [SLEEP_S]`: works until the queue
is empty (or until killed). The ledger plays the target system: a write first looks
for the item's reference in it (verify before act), as page objects do.
"""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from runner import Bot, Item, RetryPolicy, Task
from runner.cli.running import graceful_stop
from runner.clock import SystemClock
from runner.deployment import WorkerSettings, deploy
from runner.logs import configure_logging
from runner.store import Store, open_store
from runner.worker import Worker


class Row(BaseModel):
    n: int


def ledger_lines(ledger: Path) -> list[str]:
    return ledger.read_text().splitlines() if ledger.exists() else []


def make_bot(ledger: Path, worker_id: str, sleep_s: float) -> Bot:
    def register(item: Item) -> dict[str, Any]:
        if any(line.split(" ")[0] == item.reference for line in ledger_lines(ledger)):
            return {"verified": True}  # our own earlier write: the checkpoint was lost in a crash
        with ledger.open("a") as out:
            out.write(f"{item.reference} {worker_id}\n")
            out.flush()
            os.fsync(out.fileno())
        return {"verified": False}

    def process(item: Item) -> dict[str, Any]:
        item.decision(lambda: {"outcome": "register", "n": item.payload.n})
        time.sleep(sleep_s)
        item.step("registered", lambda: register(item))
        return {"outcome": "register"}

    policy = RetryPolicy(max_attempts=5, initial_interval_s=0, max_interval_s=0)
    return Bot(name="crash", version="1", tasks=[Task("rows", Row, process, retry=policy)])


def main() -> None:
    url, ledger, worker_id = sys.argv[1], Path(sys.argv[2]), sys.argv[3]
    sleep_s = float(sys.argv[4]) if len(sys.argv) > 4 else 0.002
    configure_logging(ledger.parent / "logs", "info")
    store = open_store(url)
    settings = WorkerSettings(lease_s=2, heartbeat_s=0.5, poll_s=0.05, reaper_s=0.5)
    deployment = deploy({"crash": make_bot(ledger, worker_id, sleep_s)}, worker=settings)
    worker = Worker(store, deployment, SystemClock(), worker_id=worker_id)
    print("ready", flush=True)
    # Until nothing is open: an item a killed worker still holds comes back when its lease
    # expires (the reaper runs inside `run`), so waiting only for `new` items would miss it.
    deadline = time.monotonic() + 120
    with graceful_stop([worker]):  # SIGTERM: finish the item in hand, leave the rest
        worker.run(until=lambda: time.monotonic() > deadline or not open_items(store))
    store.close()


def open_items(store: Store) -> int:
    counts = store.count_by_state()
    return sum(counts.get(("crash", state), 0) for state in ("new", "deferred", "in_progress"))

if __name__ == "__main__":
    main()
