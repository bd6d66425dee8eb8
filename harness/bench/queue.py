"""`rpa bench queue`: no-op items enqueued and worked by one worker on SQLite, logging on,
beside huey's SqliteHuey doing the same (enqueue, then a dequeue/execute loop).

Each side runs in its own process, so peak RSS is that side's own.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

from pydantic import BaseModel


class Nothing(BaseModel):
    n: int


def _peak_rss_mb() -> float:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _figures(items: int, started: float, enqueued: float, finished: float) -> dict[str, Any]:
    return {
        "items": items,
        "items_per_s": round(items / (finished - started), 1),
        "enqueue_per_s": round(items / (enqueued - started), 1),
        "process_per_s": round(items / (finished - enqueued), 1),
        "peak_rss_mb": round(_peak_rss_mb(), 1),
    }


def run_ours(items: int, folder: Path) -> dict[str, Any]:
    from runner import Bot, Task
    from runner.clock import SystemClock
    from runner.deployment import WorkerSettings, deploy
    from runner.logs import configure_logging
    from runner.store import NewItem, open_store
    from runner.worker import Worker

    configure_logging(folder / "logs", "info")
    store = open_store(f"sqlite:///{folder / 'rpa.db'}")
    store.migrate()
    bot = Bot(name="noop", version="1", tasks=[Task("items", Nothing, lambda item: None)])
    settings = WorkerSettings(prefetch=100, poll_s=0.01, heartbeat_s=60, reaper_s=60)
    worker = Worker(store, deploy({"noop": bot}, worker=settings), SystemClock())
    started = time.perf_counter()
    store.enqueue(NewItem("noop", "items", f"item-{i}", {"n": i}) for i in range(items))
    enqueued = time.perf_counter()
    done = worker.run(idle_exit=True)
    finished = time.perf_counter()
    assert done == items, f"worked {done} of {items}"
    return _figures(items, started, enqueued, finished)


def run_huey(items: int, folder: Path) -> dict[str, Any]:
    from huey import SqliteHuey

    huey = SqliteHuey("bench", filename=str(folder / "huey.db"))

    @huey.task()  # type: ignore[untyped-decorator]  # huey is untyped
    def noop(n: int) -> None:
        return None

    started = time.perf_counter()
    for i in range(items):
        noop(i)
    enqueued = time.perf_counter()
    done = 0
    while True:
        task = huey.dequeue()
        if task is None:
            break
        huey.execute(task)
        done += 1
    finished = time.perf_counter()
    assert done == items, f"huey worked {done} of {items}"
    return _figures(items, started, enqueued, finished)


def _side(side: str, items: int) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix=f"rpa-bench-{side}-") as folder:
        command = [sys.executable, "-m", "harness.bench.queue", side, str(items), folder]
        output = subprocess.run(command, check=True, capture_output=True, text=True).stdout
        return dict(json.loads(output.strip().splitlines()[-1]))


def run(items: int = 10_000) -> dict[str, Any]:
    """Both sides for `items` no-op items; the ratio is ours over huey's end-to-end rate."""
    ours = _side("ours", items)
    huey = _side("huey", items)
    return {
        "name": "queue",
        "items": items,
        "store": "sqlite (WAL, synchronous=NORMAL), logging on",
        "figures": ours,
        "reference": {"name": "huey SqliteHuey enqueue + dequeue/execute", "figures": huey},
        "ratio": round(ours["items_per_s"] / huey["items_per_s"], 2),
    }


if __name__ == "__main__":
    side, count, where = sys.argv[1], int(sys.argv[2]), Path(sys.argv[3])
    runner_side = run_ours if side == "ours" else run_huey
    print(json.dumps(runner_side(count, where)))
