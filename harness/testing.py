"""The kit for testing a bot against the sandbox: one dataset, worked fault-free and with faults.

    from harness.testing import fault_free_run, faulty_run

    clean = fault_free_run(bot, [("requests", "termination_sweep")], data, folder / "clean")
    faulty = faulty_run("bots.sixth_holiday_week.bot:bot", [("requests", "termination_sweep")],
                        data, folder / "faulty")
    assert faulty.items == clean.items and faulty.written() == clean.written()

A run works `stages` in order: each stage's collectors run (with the business date
`AS_OF`), then its items are worked until none is open; a later stage reads what an
earlier one wrote (refund decisions on the claims just made). The faulty run: 10 % HTTP
500s from the first request, answered after the request ran; the first stage's worker
process SIGKILLed (with its Chromium) with an item in hand, sessions expired before and
after, a maintenance window as the fresh worker starts, and the later stages worked by
another worker process, the 500s still on. Both runs are compared from the sandbox's own
tables (`RunResult`).

A bot's test module takes the two runs as pytest fixtures (`run_fixtures`), or, to work the
bot in the test's own process, a served sandbox (`sandbox_fixture`):

    data, clean, faulty = run_fixtures("bots.refund_claims.bot:bot", STAGES, Generated(1000, seed=22))

Also runnable as the worker process (tests and `rpa bench payouts` start it):
`python -m harness.testing BOT_REF STORE_URL SANDBOX_URL FOLDER WORKER_ID [--go]` works
the bot's items (BOT_REF is `module:attribute`) until none is open, then exits.

It sits in `harness` because it joins what the product keeps apart: the runner, a bot and the
sandbox. Nothing in `runner`, `hr`, `systems`, `bots` or `sandbox` imports it.
"""

from __future__ import annotations

import argparse
import importlib
import os
import re
import signal
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from hr.cpr import CPR_SHAPE
from runner import Bot, RetryPolicy, State, SystemAccess
from runner.deployment import Deployment, WorkerSettings, deploy
from runner.store import Actor, Store, WorkItemRecord, open_store
from runner.worker import Worker

__all__ = [
    "AS_OF", "Generated", "RunResult", "Sandbox", "by_reference", "check_faulty_run", "check_no_full_cpr",
    "check_nothing_twice", "check_same_end_state", "cprs_in", "duplicated", "fault_free_run", "faulty_run",
    "flat", "let_go", "run_fixtures", "sandbox_fixture", "seed", "serve", "start_worker", "systems_at",
]

AS_OF = date(2024, 11, 18)
SYSTEMS = ("serviceportal", "payroll", "edoc", "digitalpost", "nemrefusion", "attest")
ROOT = Path(__file__).resolve().parents[1]
OPEN = (State.NEW.value, State.DEFERRED.value, State.IN_PROGRESS.value)
WORKER_TIMEOUT_S = 600.0  # a loaded machine is slow; an unfinished run fails plainly
MAINTENANCE_S = 6.0
#: Quick retries: the waits are real seconds here. Six attempts: one may die with a worker.
RETRY = RetryPolicy(max_attempts=6, initial_interval_s=0.5, max_interval_s=2.0)
#: Short leases, so the item a killed worker held is taken over within seconds.
WORKER = WorkerSettings(lease_s=4, heartbeat_s=1, poll_s=0.05, reaper_s=1)
TEST = Actor.worker("test")

Stages = Sequence[Sequence[str]]


# -- the sandbox -----------------------------------------------------------------------------------


@dataclass
class Sandbox:
    """A served sandbox database: its URL, its fault switches and its export."""

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

    def export(self) -> dict[str, Any]:
        from sandbox import dataset

        return dataset.export(self.db)


def systems_at(url: str) -> dict[str, SystemAccess]:
    """Every system of the sandbox at `url`, as the robot user reaches it."""
    return {name: SystemAccess(name, f"{url}/{name}", "robot", "sandbox") for name in SYSTEMS}


def seed(folder: Path, data: dict[str, Any]) -> Sandbox:
    """Load `data` into `folder/sandbox.db` and serve it on a free port."""
    from sandbox import dataset

    folder.mkdir(parents=True, exist_ok=True)
    db = folder / "sandbox.db"
    dataset.load(db, data)
    return serve(db)


def serve(db: Path) -> Sandbox:
    """Serve a sandbox database as it is (e.g. after a run, for the next day's run)."""
    from sandbox.server import serve_in_thread

    url, stop = serve_in_thread(db)
    return Sandbox(db, url, stop)


def case_events(db: Path) -> list[tuple[Any, ...]]:
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT case_id, kind, status, text, reference, date FROM case_events").fetchall()
    return sorted(rows, key=lambda row: tuple(str(v) for v in row))


# -- what a run left -------------------------------------------------------------------------------


@dataclass
class RunResult:
    """What a run left: the items' ends, the sandbox's export and case events, logs and errors."""

    items: dict[tuple[str, str], tuple[str, str | None]]
    records: dict[str, WorkItemRecord]
    export: dict[str, Any]
    case_events: list[tuple[Any, ...]]
    db: Path
    attempts: dict[tuple[str, str], int] = field(default_factory=dict)
    logs: str = ""
    errors: list[str] = field(default_factory=list)
    deferred: int = 0
    killed_with_done: int = 0
    killed_in_hand: str | None = None  # the reference of the item in hand when the worker was killed

    def written(self) -> dict[str, Any]:
        """Everything bots wrote into the sandbox, in a comparable form."""
        keys = ("payroll_lines", "terminations", "letters", "journal", "case_status", "manager_messages",
                "refund_submissions", "attest_processed", "absences")
        return {**{key: self.export[key] for key in keys}, "case_events": self.case_events,
                "holiday6": [(e["employment_id"], e["holiday6"]) for e in self.export["employments"]]}


def run_result(bot: Bot, store: Store, sandbox: Sandbox) -> RunResult:
    records = [store.get_item(TEST, r.id) for r in store.list_items(TEST, bot=bot.name, limit=None)]
    return RunResult(
        items={(r.task, r.reference): (r.state.value, r.error.code if r.error else None) for r in records},
        records={r.reference: r for r in records},
        attempts={(r.task, r.reference): r.attempts for r in records},
        export=sandbox.export(),
        case_events=case_events(sandbox.db),
        db=sandbox.db,
        errors=[r.error.message for r in records if r.error and r.error.message],
    )


# -- deployment, collection ------------------------------------------------------------------------


def deployment(bot: Bot, url: str, artifacts: Path) -> Deployment:
    retry = {(bot.name, task.name): RETRY for task in bot.tasks}
    return deploy({bot.name: bot}, retry=retry, systems=systems_at(url), artifacts_dir=artifacts,
                  worker=WORKER, traces=False)


def collect(bot: Bot, tasks: Iterable[str], store: Store, url: str, folder: Path, browsers: Any) -> int:
    """Run the collectors, each with the business date `AS_OF`; how many items they enqueued."""
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


def open_items(store: Store, bot: str) -> int:
    return sum(n for (name, state), n in store.count_by_state().items() if name == bot and state in OPEN)


def in_hand(store: Store, bot: str) -> str | None:
    """The reference of an item being worked that has a checkpoint (its decision, a write)."""
    if not store.count_by_state().get((bot, State.IN_PROGRESS.value)):
        return None
    held = store.list_items(TEST, bot=bot, states=[State.IN_PROGRESS])
    return next((record.reference for record in held if record.has_checkpoints), None)


def finished_items(store: Store, bot: str) -> int:
    return sum(n for (name, state), n in store.count_by_state().items() if name == bot and state not in OPEN)


def work_until_done(worker: Worker, store: Store, bot: str, timeout_s: float = WORKER_TIMEOUT_S) -> None:
    """Run `worker` until no item of `bot` is open (or `timeout_s` has passed)."""
    deadline = time.monotonic() + timeout_s
    worker.run(until=lambda: time.monotonic() > deadline or not open_items(store, bot))


def new_store(folder: Path) -> Store:
    folder.mkdir(parents=True, exist_ok=True)
    store = open_store(f"sqlite:///{folder / 'rpa.db'}")
    store.migrate()
    return store


# -- the two runs -----------------------------------------------------------------------------------


def fault_free_run(bot: Bot, stages: Stages, data: dict[str, Any] | Path, folder: Path) -> RunResult:
    """Collect and work every stage in this process, with no faults, on a fresh store.

    `data` is a dataset to seed, or a sandbox database to serve as it is.
    """
    from runner.browser import BrowserPool
    from runner.clock import SystemClock

    sandbox = serve(data) if isinstance(data, Path) else seed(folder / "sandbox", data)
    browsers = BrowserPool(traces=False)
    store = new_store(folder)
    try:
        for tasks in stages:
            collect(bot, tasks, store, sandbox.url, folder, browsers)
            worker = Worker(store, deployment(bot, sandbox.url, folder / "artifacts"), SystemClock(AS_OF),
                            browsers=browsers)
            work_until_done(worker, store, bot.name)
            assert not open_items(store, bot.name), f"unfinished after {WORKER_TIMEOUT_S} s"
        return run_result(bot, store, sandbox)
    finally:
        browsers.close()
        store.close()
        sandbox.stop()


def faulty_run(bot_ref: str, stages: Stages, data: dict[str, Any], folder: Path) -> RunResult:
    """The same work with faults on and worker processes, the first killed mid-item.

    10 % HTTP 500s from the start (the collectors included), answered after the request
    ran (a write lands, the robot sees a 500 and must find it, not repeat it); the first
    worker is SIGKILLed when about 40 % of the first stage's items are finished and one is
    in hand, with sessions expired before; a maintenance window opens as the fresh worker
    starts (what it claims meanwhile is deferred and done after the window); sessions are
    expired again while it works. Later stages: collected, then worked by one more worker.
    """
    from runner.browser import BrowserPool

    bot = load_bot(bot_ref)
    sandbox = seed(folder / "sandbox", data)
    store = new_store(folder)
    workers: list[subprocess.Popen[str]] = []

    def collect_stage(tasks: Sequence[str]) -> int:
        browsers = BrowserPool(traces=False)
        try:
            return collect(bot, tasks, store, sandbox.url, folder, browsers)
        finally:
            browsers.close()

    def worker(name: str) -> subprocess.Popen[str]:
        workers.append(start_worker(bot_ref, store.url, sandbox.url, folder, name))
        return workers[-1]

    try:
        sandbox.faults(error_rate=0.1, error_phase="after")  # a write runs, then its answer is a 500
        collect_stage(stages[0])
        total = open_items(store, bot.name)
        assert total >= 10, f"only {total} items collected"

        first = worker("w1")
        wait_for(lambda: finished_items(store, bot.name) >= total // 5, first, folder)
        sandbox.faults(expire_sessions=True)
        held: list[str] = []

        def mid_item() -> bool:
            if finished_items(store, bot.name) < total * 2 // 5:
                return False
            held[:] = filter(None, [in_hand(store, bot.name)])
            return bool(held)

        wait_for(mid_item, first, folder)
        os.killpg(first.pid, signal.SIGKILL)  # the worker and its Chromium
        first.wait(timeout=10)
        killed_with_done = finished_items(store, bot.name)
        assert open_items(store, bot.name), "the kill must land mid-run"

        second = worker("w2")
        until = datetime.now(UTC) + timedelta(seconds=MAINTENANCE_S)
        sandbox.faults(maintenance_from=datetime.now(UTC).isoformat(), maintenance_until=until.isoformat())
        wait_for(lambda: datetime.now(UTC) > until + timedelta(seconds=2), second, folder)
        sandbox.faults(expire_sessions=True)
        assert second.wait(timeout=WORKER_TIMEOUT_S) == 0, stderr_of(second, folder)

        for n, tasks in enumerate(stages[1:], start=3):
            collect_stage(tasks)
            later = worker(f"w{n}")
            assert later.wait(timeout=WORKER_TIMEOUT_S) == 0, stderr_of(later, folder)
        sandbox.faults(reset=True)
        assert not open_items(store, bot.name), f"the faulty run did not finish in {WORKER_TIMEOUT_S} s"

        result = run_result(bot, store, sandbox)
        logs = sorted((folder / "logs").glob("*/*.jsonl"))
        result.logs = "\n".join(path.read_text() for path in logs)
        result.deferred = result.logs.count('"item_deferred"')
        result.killed_with_done = killed_with_done
        result.killed_in_hand = held[0]
        return result
    finally:
        for process in workers:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait(timeout=10)
        store.close()
        sandbox.stop()


def start_worker(bot_ref: str, store_url: str, url: str, folder: Path, worker_id: str, *,
                 as_of: date = AS_OF, go: bool = False, log_level: str = "debug",
                 timeout_s: float = WORKER_TIMEOUT_S) -> subprocess.Popen[str]:
    """A worker process in its own session (killing its group ends its Chromium too).

    Returns once its Chromium runs; with `go` it then waits for a line on its stdin, so
    several workers can be started first and let go together. It gives up after `timeout_s`.
    """
    command = [sys.executable, "-m", "harness.testing", bot_ref, store_url, url, str(folder), worker_id,
               "--as-of", as_of.isoformat(), "--log-level", log_level, "--timeout-s", str(timeout_s)]
    if go:
        command.append("--go")
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / f"{worker_id}.stderr").open("w") as stderr:  # a file: a full pipe would block it
        process = subprocess.Popen(command, cwd=ROOT, stdin=subprocess.PIPE if go else subprocess.DEVNULL,
                                   stdout=subprocess.PIPE, stderr=stderr, text=True, start_new_session=True)
    assert process.stdout is not None
    line = process.stdout.readline().strip()
    if line != "ready":
        process.kill()
        raise AssertionError(f"worker {worker_id} did not start: {line!r} {stderr_of(process, folder)}")
    return process


def let_go(processes: Iterable[subprocess.Popen[str]]) -> None:
    """Start the work of workers started with `go`."""
    for process in processes:
        assert process.stdin is not None
        process.stdin.write("go\n")
        process.stdin.flush()


def stderr_of(process: subprocess.Popen[str], folder: Path) -> str:
    args = process.args if isinstance(process.args, list) else []
    worker_id = args[args.index("--as-of") - 1] if "--as-of" in args else ""
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
        time.sleep(0.02)


def load_bot(ref: str) -> Bot:
    module, _, attribute = ref.partition(":")
    return getattr(importlib.import_module(module), attribute or "bot")  # type: ignore[no-any-return]


# -- the fixtures of a bot's end-to-end tests -------------------------------------------------------
# pytest is imported inside them: the worker process and `rpa bench` import this module without it.
# pytest knows a fixture by the name the test module assigns it to.


@dataclass(frozen=True)
class Generated:
    """A dataset of the sandbox's generator: `employees` employments, made reproducibly from `seed`."""

    employees: int
    seed: int

    def data(self) -> dict[str, Any]:
        from sandbox import generator

        return generator.generate(self.employees, seed=self.seed)


def sandbox_fixture(generated: Generated) -> Any:
    """The module-scoped pytest fixture `sandbox` of end-to-end tests that work a bot in this process.

        sandbox = sandbox_fixture(Generated(200, seed=11))

    The dataset seeded and served, and one Chromium pool, as a dict: `db`, `data`, `systems`,
    `browsers`, `dataset` (the module `sandbox.dataset`, to export `db` with) and `tmp` (a
    folder for the tests' stores).
    """
    import pytest

    @pytest.fixture(scope="module")
    def sandbox(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Any]]:
        from runner.browser import BrowserPool
        from sandbox import dataset

        data = generated.data()
        box = seed(tmp_path_factory.mktemp("sandbox"), data)
        browsers = BrowserPool(traces=False)
        yield {"db": box.db, "data": data, "systems": box.systems(), "browsers": browsers, "dataset": dataset,
               "tmp": tmp_path_factory.mktemp("store")}
        browsers.close()
        box.stop()

    return sandbox


def run_fixtures(bot_ref: str, stages: Stages, generated: Generated) -> tuple[Any, Any, Any]:
    """The module-scoped pytest fixtures `data`, `clean` and `faulty` of a bot's fault tests.

        data, clean, faulty = run_fixtures("bots.refund_claims.bot:bot", STAGES, Generated(1000, seed=22))

    `data` is the generated dataset, `clean` its `fault_free_run` and `faulty` its `faulty_run`,
    each in a folder of its own. A test asks only for the runs it checks: the tests of the
    fault-free run do not wait for the faulty one.
    """
    import pytest

    @pytest.fixture(scope="module")
    def data() -> dict[str, Any]:
        return generated.data()

    @pytest.fixture(scope="module")
    def clean(data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> RunResult:
        """The dataset collected and worked once, without faults."""
        return fault_free_run(load_bot(bot_ref), stages, data, tmp_path_factory.mktemp("clean"))

    @pytest.fixture(scope="module")
    def faulty(data: dict[str, Any], tmp_path_factory: pytest.TempPathFactory) -> RunResult:
        """The same dataset worked with faults on, the first worker process killed mid-item."""
        return faulty_run(bot_ref, stages, data, tmp_path_factory.mktemp("faulty"))

    return data, clean, faulty


# -- checks -----------------------------------------------------------------------------------------


def duplicated(records: Iterable[Any], references: Iterable[str]) -> dict[str, int]:
    """The run's references (an item's, or one it starts, `reference:...`) written more than once."""
    ours = set(references)
    counts = Counter(str(r["reference"] if isinstance(r, dict) else r) for r in records)
    return {ref: n for ref, n in counts.items() if n > 1 and (ref in ours or ref.rsplit(":", 1)[0] in ours)}


def check_faulty_run(clean: RunResult, faulty: RunResult, tables: Iterable[str]) -> None:
    """What a fault test checks of every bot: the faulty run went through its faults and ended as
    the fault-free run, and wrote no reference of its items twice to `tables` or as a case event."""
    check_same_end_state(clean, faulty)
    check_nothing_twice(faulty, tables)


def check_same_end_state(clean: RunResult, faulty: RunResult) -> None:
    """The faulty run went through its faults and ended as the fault-free run: items and writes."""
    assert faulty.items == clean.items
    assert faulty.written() == clean.written()
    assert 0 < faulty.killed_with_done < len(faulty.items), "the kill landed mid-run"
    assert faulty.killed_in_hand is not None, "no item was in hand at the kill"
    taken_over = faulty.records[faulty.killed_in_hand]
    assert taken_over.attempts > 1, "the item in hand at the kill was taken over"
    assert faulty.deferred > 0, "the maintenance window deferred items"


def check_nothing_twice(run: RunResult, tables: Iterable[str]) -> None:
    """No reference of the run's items written twice to these export tables or as a case event."""
    references = {ref for _task, ref in run.items}
    for table in tables:
        assert duplicated(run.export[table], references) == {}, table
    assert duplicated([event[4] for event in run.case_events], references) == {}, "a case event twice"


def check_no_full_cpr(run: RunResult, cprs: Iterable[str]) -> None:
    """None of `cprs`, nor anything CPR-shaped, in the workers' logs, exception texts or letters."""
    cprs = list(cprs)
    assert '"item_done"' in run.logs and run.errors  # there was something to look in
    assert cprs_in(run.logs, cprs) == []
    assert cprs_in("\n".join(run.errors), cprs) == []
    assert cprs_in("\n".join(letter["text"] for letter in run.export["letters"]), cprs) == []


def cprs_in(text: str, cprs: Iterable[str]) -> list[str]:
    """The dataset's CPR numbers found in `text` (with or without the hyphen), and CPR-shaped numbers."""
    found = [c for c in cprs if c in text or f"{c[:6]}-{c[6:]}" in text]
    return found + [m.group(0) for m in CPR_SHAPE.finditer(text) if not _an_id_and_a_number(text, m)]


def _an_id_and_a_number(text: str, match: re.Match[str]) -> bool:
    """An id glued to letters then a number apart ("for F000032 2024-10-01"), not a CPR number:
    the shape's wider separators (space, dot, slash) after six digits that end a word like F000032.
    Ten digits, or six, a hyphen and four, are a CPR number wherever they stand."""
    before = text[match.start() - 1] if match.start() else ""
    separated = match.group(0)[6:-4]
    return before.isalpha() and separated not in ("", "-")


def by_reference(records: Iterable[dict[str, Any]], reference: str) -> list[dict[str, Any]]:
    """The records of an export table written with `reference`."""
    return [r for r in records if r.get("reference") == reference]


def flat(text: str) -> str:
    """`text` with each run of whitespace as one space: a letter's text, whatever its line breaks."""
    return " ".join(text.split())


# -- the worker process -----------------------------------------------------------------------------


def worker_main(argv: list[str]) -> None:
    from runner.browser import BrowserPool
    from runner.cli.running import graceful_stop
    from runner.clock import SystemClock
    from runner.logs import configure_logging

    parser = argparse.ArgumentParser(prog="python -m harness.testing")
    for name in ("bot_ref", "store_url", "url", "folder", "worker_id"):
        parser.add_argument(name)
    parser.add_argument("--as-of", type=date.fromisoformat, default=AS_OF)
    parser.add_argument("--go", action="store_true", help="wait for a line on stdin before working")
    parser.add_argument("--log-level", default="debug")
    parser.add_argument("--timeout-s", type=float, default=WORKER_TIMEOUT_S)
    args = parser.parse_args(argv)
    folder = Path(args.folder)
    configure_logging(folder / "logs" / args.worker_id, args.log_level)
    bot = load_bot(args.bot_ref)
    store = open_store(args.store_url)
    browsers = BrowserPool(traces=False)
    browsers.session("warm-up").close()  # Chromium starts before the first claim
    worker = Worker(store, deployment(bot, args.url, folder / "artifacts"), SystemClock(args.as_of),
                    worker_id=args.worker_id, browsers=browsers)
    print("ready", flush=True)
    if args.go:
        sys.stdin.readline()
    try:
        with graceful_stop([worker]):
            work_until_done(worker, store, bot.name, args.timeout_s)
    finally:
        browsers.close()
        store.close()


if __name__ == "__main__":
    worker_main(sys.argv[1:])
