"""Fault runs for the bots' browser tests: one dataset, worked fault-free and with faults on.

The faulty run: 10 % HTTP 500s from the first request, a worker process SIGKILLed
mid-run, a forced session expiry, a maintenance window that defers what is in hand,
and a fresh worker process that finishes the queue. Both runs are compared from the
sandbox's own tables (`Outcome`), so a test can assert the same end state and nothing
written twice. Shared by `termination_letters` and `one_off_supplements`.

Also runnable as the worker process: `python -m bots.termination_letters.tests.faultkit
BOT STORE_URL SANDBOX_URL LOG_DIR ARTIFACTS_DIR WORKER_ID` (BOT is `module:attribute`)
works the bot's items until none is open (new, deferred or in progress), then exits.
"""

from __future__ import annotations

import importlib
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from runner import Bot, RetryPolicy, State, SystemAccess
from runner.deployment import Deployment, WorkerSettings, deploy
from runner.store import Actor, SqlStore

AS_OF = date(2024, 11, 18)
SYSTEMS = ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")
ROOT = Path(__file__).resolve().parents[3]
OPEN = (State.NEW.value, State.DEFERRED.value, State.IN_PROGRESS.value)
WORKER_TIMEOUT_S = 600.0  # a loaded machine is slow; an unfinished run fails plainly
MAINTENANCE_S = 8.0
#: Quick retries: the waits are real seconds here. Five attempts: one may die with a worker.
RETRY = RetryPolicy(max_attempts=5, initial_interval_s=0.5, max_interval_s=2.0)
#: Short leases, so the item the killed worker held is taken over within seconds.
WORKER = WorkerSettings(lease_s=4, heartbeat_s=1, poll_s=0.2, reaper_s=1)
#: A full CPR number, with or without its hyphen, however it is embedded.
CPR_IN_TEXT = re.compile(r"(?<![0-9])[0-9]{6}-?[0-9]{4}(?![0-9])")
SYSTEM = Actor.worker("test")

__all__ = ["AS_OF", "Outcome", "cprs_in", "fault_free_run", "faulty_run", "seed"]


@dataclass
class Outcome:
    """What a run left: the items' ends, the sandbox's export and case events, logs and errors."""

    items: dict[tuple[str, str], tuple[str, str | None]]
    export: dict[str, Any]
    case_events: list[tuple[Any, ...]]
    attempts: dict[tuple[str, str], int] = field(default_factory=dict)
    logs: str = ""
    errors: list[str] = field(default_factory=list)
    deferred: int = 0
    killed_with_done: int = 0

    def written(self) -> dict[str, Any]:
        """Everything bots wrote into the sandbox, in a comparable form."""
        keys = ("payroll_lines", "terminations", "letters", "journal", "case_status", "manager_messages",
                "refund_submissions", "attest_processed")
        return {**{key: self.export[key] for key in keys}, "case_events": self.case_events}


# -- the sandbox -----------------------------------------------------------------------------------


@dataclass
class Sandbox:
    db: Path
    url: str
    stop: Callable[[], None]

    def faults(self, **body: Any) -> dict[str, Any]:
        import httpx

        response = httpx.post(f"{self.url}/_admin/faults", json=body, timeout=10)
        response.raise_for_status()
        return dict(response.json())

    def systems(self) -> dict[str, SystemAccess]:
        return systems_at(self.url)


def systems_at(url: str) -> dict[str, SystemAccess]:
    return {name: SystemAccess(name, f"{url}/{name}", "robot", "sandbox") for name in SYSTEMS}


def seed(folder: Path, data: dict[str, Any]) -> Sandbox:
    from sandbox import dataset
    from sandbox.server import serve_in_thread

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "sandbox.db"
    dataset.load(db, data)
    url, stop = serve_in_thread(db)
    return Sandbox(db, url, stop)


def case_events(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT case_id, kind, status, text, reference, date FROM case_events").fetchall()
    return sorted(rows, key=lambda row: tuple(str(v) for v in row))


# -- deployment, collection, outcome --------------------------------------------------------------


def deployment(bot: Bot, url: str, artifacts: Path) -> Deployment:
    retry = {(bot.name, task.name): RETRY for task in bot.tasks}
    return deploy({bot.name: bot}, retry=retry, systems=systems_at(url), artifacts_dir=artifacts,
                  worker=WORKER, traces=False)


def collect(bot: Bot, tasks: Iterable[str], store: SqlStore, url: str, folder: Path, browsers: Any) -> int:
    """Run the collectors, each with the fixed business date; how many items they enqueued."""
    from runner.clock import SystemClock
    from runner.orchestrator import run_task
    from runner.states import Trigger

    enqueued = 0
    for task in tasks:
        run = run_task(store, deployment(bot, url, folder / "artifacts"), SystemClock(AS_OF), bot.name, task,
                       trigger=Trigger.MANUAL, actor=Actor.scheduler(), browsers=browsers)
        assert run is not None and not run.error, f"the {task} collector failed: {run and run.error}"
        enqueued += run.enqueued
    return enqueued


def outcome(bot: Bot, store: SqlStore, sandbox: Sandbox) -> Outcome:
    from sandbox import dataset

    records = [store.get_item(SYSTEM, r.id) for r in store.list_items(SYSTEM, bot=bot.name, limit=None)]
    return Outcome(
        items={(r.task, r.reference): (r.state.value, r.error.code if r.error else None) for r in records},
        attempts={(r.task, r.reference): r.attempts for r in records},
        export=dataset.export(sandbox.db),
        case_events=case_events(sandbox.db),
        errors=[r.error.message for r in records if r.error and r.error.message],
    )


def open_items(store: SqlStore, bot: str) -> int:
    return sum(n for (name, state), n in store.count_by_state().items() if name == bot and state in OPEN)


def holding(store: SqlStore, bot: str) -> bool:
    return bool(store.count_by_state().get((bot, State.IN_PROGRESS.value)))


def finished_items(store: SqlStore, bot: str) -> int:
    return sum(n for (name, state), n in store.count_by_state().items() if name == bot and state not in OPEN)


# -- the two runs -----------------------------------------------------------------------------------


def fault_free_run(bot: Bot, tasks: Iterable[str], data: dict[str, Any], folder: Path) -> Outcome:
    """Collect and work everything in this process, with no faults."""
    from runner.browser import BrowserPool
    from runner.clock import SystemClock
    from runner.store import SqlStore
    from runner.worker import Worker

    sandbox = seed(folder / "sandbox", data)
    browsers = BrowserPool(traces=False)
    store = SqlStore(f"sqlite:///{folder / 'rpa.db'}")
    store.migrate()
    try:
        collect(bot, tasks, store, sandbox.url, folder, browsers)
        worker = Worker(store, deployment(bot, sandbox.url, folder / "artifacts"), SystemClock(AS_OF),
                        browsers=browsers)
        deadline = time.monotonic() + WORKER_TIMEOUT_S
        worker.run(until=lambda: time.monotonic() > deadline or not open_items(store, bot.name))
        assert not open_items(store, bot.name), f"the fault-free run did not finish in {WORKER_TIMEOUT_S} s"
        return outcome(bot, store, sandbox)
    finally:
        browsers.close()
        store.close()
        sandbox.stop()


def faulty_run(bot_ref: str, tasks: Iterable[str], data: dict[str, Any], folder: Path) -> Outcome:
    """The same work with faults on and two worker processes, the first killed mid-run.

    10 % HTTP 500s from the start (the collectors included), answered after the request
    ran (a write lands, the robot sees a 500 and must find it, not repeat it); the first
    worker is SIGKILLed when about 40 % of the items are finished, with sessions expired
    before; a maintenance window opens as the fresh worker is ready (what it claims meanwhile
    is deferred and done after the window); sessions are expired again while it works.
    """
    from runner.browser import BrowserPool
    from runner.store import SqlStore

    bot = load_bot(bot_ref)
    sandbox = seed(folder / "sandbox", data)
    store = SqlStore(f"sqlite:///{folder / 'rpa.db'}")
    store.migrate()
    workers: list[subprocess.Popen[str]] = []
    try:
        sandbox.faults(error_rate=0.1, error_phase="after")  # a write runs, then its answer is a 500
        browsers = BrowserPool(traces=False)
        try:
            collect(bot, tasks, store, sandbox.url, folder, browsers)
        finally:
            browsers.close()
        total = open_items(store, bot.name)
        assert total >= 10, f"only {total} items collected"

        first = start_worker(bot_ref, store.url, sandbox.url, folder, "w1")
        workers.append(first)
        wait_for(lambda: finished_items(store, bot.name) >= total // 5, first, folder)
        sandbox.faults(expire_sessions=True)
        in_hand = lambda: holding(store, bot.name)  # noqa: E731
        wait_for(lambda: finished_items(store, bot.name) >= total * 2 // 5 and in_hand(), first, folder)
        first.send_signal(signal.SIGKILL)
        first.wait(timeout=10)
        killed_with_done = finished_items(store, bot.name)
        assert open_items(store, bot.name), "the kill must land mid-run"

        second = start_worker(bot_ref, store.url, sandbox.url, folder, "w2")
        workers.append(second)
        until = datetime.now(UTC) + timedelta(seconds=MAINTENANCE_S)
        sandbox.faults(maintenance_from=datetime.now(UTC).isoformat(), maintenance_until=until.isoformat())
        wait_for(lambda: datetime.now(UTC) > until + timedelta(seconds=2), second, folder)
        sandbox.faults(expire_sessions=True)
        assert second.wait(timeout=WORKER_TIMEOUT_S) == 0, stderr_of(second, folder)
        sandbox.faults(reset=True)
        assert not open_items(store, bot.name), f"the faulty run did not finish in {WORKER_TIMEOUT_S} s"

        result = outcome(bot, store, sandbox)
        logs = sorted((folder / "logs").glob("*/*.jsonl"))
        result.logs = "\n".join(path.read_text() for path in logs)
        result.deferred = result.logs.count('"item_deferred"')
        result.killed_with_done = killed_with_done
        return result
    finally:
        for worker in workers:
            if worker.poll() is None:
                worker.kill()
                worker.wait(timeout=10)
        store.close()
        sandbox.stop()


def start_worker(
    bot_ref: str, store_url: str, url: str, folder: Path, worker_id: str
) -> subprocess.Popen[str]:
    command = [sys.executable, "-m", "bots.termination_letters.tests.faultkit", bot_ref, store_url, url,
               str(folder / "logs" / worker_id), str(folder / "artifacts"), worker_id]
    with (folder / f"{worker_id}.stderr").open("w") as stderr:  # a file: a full pipe would block it
        process = subprocess.Popen(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=stderr, text=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if line != "ready":
        raise AssertionError(f"worker {worker_id} did not start: {line!r} {stderr_of(process, folder)}")
    return process


def stderr_of(process: subprocess.Popen[str], folder: Path) -> str:
    worker_id = process.args[-1] if isinstance(process.args, list) else ""
    path = folder / f"{worker_id}.stderr"
    return path.read_text()[-4000:] if path.exists() else ""


def wait_for(condition: Callable[[], bool], process: subprocess.Popen[str], folder: Path,
             timeout_s: float = WORKER_TIMEOUT_S) -> None:
    deadline = time.monotonic() + timeout_s
    while not condition():
        if process.poll() is not None:
            raise AssertionError(f"the worker exited early: {stderr_of(process, folder)}")
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting for the worker")
        time.sleep(0.1)


def load_bot(ref: str) -> Bot:
    module, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module), attribute or "bot")  # type: ignore[no-any-return]


# -- checks -----------------------------------------------------------------------------------------


def duplicated(records: Iterable[Any], references: Iterable[str]) -> dict[str, int]:
    """The run's references (an item's, or one it starts, `reference:...`) written more than once."""
    ours = set(references)
    counts = Counter(
        str(r["reference"] if isinstance(r, dict) else r) for r in records
    )
    return {ref: n for ref, n in counts.items() if n > 1 and (ref in ours or ref.rsplit(":", 1)[0] in ours)}


def cprs_in(text: str, cprs: Iterable[str]) -> list[str]:
    """The dataset's CPR numbers found in `text` (with or without the hyphen), and CPR-shaped numbers."""
    found = [c for c in cprs if c in text or f"{c[:6]}-{c[6:]}" in text]
    return found + [m.group(0) for m in CPR_IN_TEXT.finditer(text)]


# -- the worker process -----------------------------------------------------------------------------


def worker_main(argv: list[str]) -> None:
    from runner.browser import BrowserPool
    from runner.cli.running import graceful_stop
    from runner.clock import SystemClock
    from runner.logs import configure_logging
    from runner.worker import Worker

    bot_ref, store_url, url, log_dir, artifacts, worker_id = argv
    configure_logging(Path(log_dir), "debug")
    bot = load_bot(bot_ref)
    store = SqlStore(store_url)
    browsers = BrowserPool(traces=False)
    browsers.session("warm-up").close()  # Chromium starts before the first claim
    worker = Worker(store, deployment(bot, url, Path(artifacts)), SystemClock(AS_OF), worker_id=worker_id,
                    browsers=browsers)
    print("ready", flush=True)
    deadline = time.monotonic() + WORKER_TIMEOUT_S
    with graceful_stop([worker]):
        worker.run(until=lambda: time.monotonic() > deadline or not open_items(store, bot.name))
    browsers.close()
    store.close()


if __name__ == "__main__":
    worker_main(sys.argv[1:])
