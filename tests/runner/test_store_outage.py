"""Workers survive their database: a 35 s exclusive lock on SQLite, a PostgreSQL restart.

Real `rpa worker` processes work a real plugin bot (support/outage_bot.py, whose side
effect is an append-only ledger) while the test takes the database away. Afterwards
every item is done, no side effect happened twice, no worker died or printed a
traceback, and an idle worker carries on with work enqueued after the outage.
"""

from __future__ import annotations

import glob
import json
import os
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

from runner.errors import StoreUnavailable
from runner.states import State
from runner.store import Actor, NewItem, Store, open_store

SUPPORT = Path(__file__).with_name("support")
SYSTEM = Actor.worker("test")
# A short lease, so that it genuinely runs out while the store is away.
WORKER = {"concurrency": 2, "lease_s": 10, "heartbeat_s": 2, "poll_s": 0.2, "reaper_s": 1}
LOCK_S = 35.0
DOWN_S = 8.0
ITEMS = 6


@dataclass
class Deployment:
    """A folder with a plugin path, a ledger, logs and one orchestrator.yaml per worker."""

    folder: Path
    env: dict[str, str]
    ledger: Path

    def config(self, name: str, bots: dict[str, Any], sqlite_path: Path) -> Path:
        path = self.folder / f"{name}.yaml"
        path.write_text(yaml.safe_dump({
            "store": {"sqlite_path": str(sqlite_path)},
            "logging": {"dir": str(self.folder / "logs"), "level": "info"},
            "worker": WORKER,
            "bots": bots,
        }))
        return path

    def rpa(self, config: Path, *args: str) -> str:
        return subprocess.run([sys.executable, "-m", "runner.cli.main", "--config", str(config),
                               "--as", "ops", *args], check=True, capture_output=True, text=True,
                              env=self.env, timeout=60).stdout

    def worker(self, config: Path, name: str) -> Worker:
        stderr = self.folder / f"{name}.stderr"
        process = subprocess.Popen(
            [sys.executable, "-m", "runner.cli.main", "--config", str(config), "--as", "ops", "worker"],
            stdout=subprocess.DEVNULL, stderr=stderr.open("w"), env=self.env)
        return Worker(process, stderr)


@dataclass
class Worker:
    process: subprocess.Popen[bytes]
    stderr: Path

    def alive(self) -> bool:
        return self.process.poll() is None

    def stop(self) -> tuple[int, str]:
        """SIGTERM; the exit code and what the worker wrote to stderr."""
        if self.alive():
            self.process.send_signal(signal.SIGTERM)
        try:
            code = self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            code = self.process.wait()
        return code, self.stderr.read_text()


def install_plugin(folder: Path) -> dict[str, str]:
    """The outage bot as an installed plugin: a dist-info whose entry point names it."""
    plugins = folder / "plugins"
    info = plugins / "rpa_outage_bot-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: rpa-outage-bot\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text("[rpa.bots]\noutage = outage_bot:bot\n")
    path = os.pathsep.join([str(plugins), str(SUPPORT), os.environ.get("PYTHONPATH", "")])
    return {**os.environ, "PYTHONPATH": path.rstrip(os.pathsep), "RPA_TODAY": "2024-11-18"}


@pytest.fixture
def deployment(tmp_path: Path) -> Deployment:
    env = install_plugin(tmp_path)
    return Deployment(tmp_path, env, tmp_path / "ledger.txt")


def outage_bot(deployment: Deployment) -> dict[str, Any]:
    return {"outage": {"settings": {"ledger": str(deployment.ledger), "sleep_s": 2.0},
                       "tasks": {"rows": {}}}}


def wait_for(condition: Callable[[], bool], timeout_s: float, what: str) -> None:
    """Poll `condition` (a store that is still away counts as not yet)."""
    deadline = time.monotonic() + timeout_s
    while not _holds(condition):
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not after {timeout_s} s")
        time.sleep(0.2)


def _holds(condition: Callable[[], bool]) -> bool:
    try:
        return condition()
    except StoreUnavailable:
        return False


def enqueue(store: Store, bot: str, task: str, payloads: dict[str, dict[str, Any]]) -> None:
    store.enqueue(NewItem(bot, task, ref, payload, max_attempts=5) for ref, payload in payloads.items())


def states(store: Store, bot: str) -> Counter[State]:
    return Counter(item.state for item in store.list_items(SYSTEM, bot=bot, limit=None))


def in_hand(store: Store) -> int:
    """Items a worker holds with their decision taken: the outage finds them mid-item."""
    items = store.list_items(SYSTEM, bot="outage", states=[State.IN_PROGRESS], limit=None)
    return sum(1 for item in items if item.has_checkpoints)


def writes(ledger: Path) -> Counter[str]:
    """Side effects per reference (a `found` line is a retry that verified, not a write)."""
    return Counter(line.split(" ")[0] for line in ledger.read_text().splitlines()
                   if line.split(" ")[1] == "wrote")


def logged_events(folder: Path) -> Counter[str]:
    events: Counter[str] = Counter()
    for path in (folder / "logs").glob("*"):
        for line in path.read_text(errors="replace").splitlines():
            try:
                events[json.loads(line).get("event", "")] += 1
            except json.JSONDecodeError:
                continue
    return events


def assert_clean_exit(worker: Worker, name: str) -> None:
    assert worker.alive(), f"the {name} worker died: {worker.stderr.read_text()}"
    code, stderr = worker.stop()
    assert code == 0, f"the {name} worker exited {code}: {stderr}"
    assert "Traceback" not in stderr and "Exception in thread" not in stderr, stderr


@pytest.mark.slow
def test_workers_ride_out_a_35_s_exclusive_lock_on_sqlite(deployment: Deployment) -> None:
    db = deployment.folder / "rpa.db"
    busy_config = deployment.config("busy", outage_bot(deployment), db)
    idle_config = deployment.config(
        "idle", {"hello": {"settings": {"outbox": str(deployment.folder / "out")}}}, db)
    deployment.rpa(busy_config, "users", "add", "ops", "--role", "admin")
    store = open_store(f"sqlite:///{db}")
    enqueue(store, "outage", "rows", {f"row-{n}": {"n": n} for n in range(ITEMS)})
    busy = deployment.worker(busy_config, "busy")
    idle: Worker | None = None
    try:
        wait_for(lambda: in_hand(store) == WORKER["concurrency"], 60, "both threads hold an item")
        lock = sqlite3.connect(db, timeout=30, isolation_level=None)
        lock.execute("BEGIN EXCLUSIVE")
        locked_at = time.monotonic()
        # Started while the store is locked (a service restarted during a backup): it
        # waits for the store instead of exiting. It deploys hello only: nothing to claim.
        idle = deployment.worker(idle_config, "idle")
        time.sleep(LOCK_S)  # every statement of the workers waits, times out and backs off
        assert busy.alive() and idle.alive(), "a worker exited while the store was locked"
        lock.execute("ROLLBACK")
        lock.close()
        held_s = time.monotonic() - locked_at
        wait_for(lambda: states(store, "outage") == {State.DONE: ITEMS}, 60, "every item done")
        enqueue(store, "hello", "greetings", {"after-the-lock": {"name": "Mette Nielsen"}})
        wait_for(lambda: states(store, "hello") == {State.DONE: 1}, 30, "the idle worker works on")
        assert (deployment.folder / "out" / "after-the-lock.txt").exists()
        assert "waiting for it" in idle.stderr.read_text(), idle.stderr.read_text()
        assert_clean_exit(busy, "busy")
        assert_clean_exit(idle, "idle")
    finally:
        busy.stop()
        if idle is not None:
            idle.stop()
    assert held_s >= LOCK_S
    assert writes(deployment.ledger) == {f"row-{n}": 1 for n in range(ITEMS)}, "a side effect ran twice"
    items = store.list_items(SYSTEM, bot="outage", limit=None)
    assert max(item.attempts for item in items) >= 2, "the leases in hand ran out and were taken again"
    events = logged_events(deployment.folder)
    assert events["store_unavailable"] >= 2 and events["store_back"] >= 2, events
    assert events["lease_lost"] >= 1 and events["worker_failed"] == 0, events
    store.close()


# -- PostgreSQL: a private cluster, restarted mid-run ------------------------------------


@dataclass
class PrivateCluster:
    url: str
    stop: Callable[[], None]
    start: Callable[[], None]


def _initdb() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"))
    if found:
        return Path(found[-1])
    which = shutil.which("initdb")
    return Path(which) if which else None


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def private_postgres() -> Iterator[PrivateCluster]:
    """A throwaway cluster on a free port (never the shared server on 5432), removed after."""
    initdb = _initdb()
    if initdb is None:
        pytest.skip("initdb not found (/usr/lib/postgresql/*/bin, PATH): no private cluster")
    pg_ctl = str(initdb.with_name("pg_ctl"))
    base = Path(tempfile.mkdtemp(prefix="rpa-pg-"))
    data, port = base / "data", _free_port()
    as_postgres: list[str] = []
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root
        as_postgres = ["runuser", "-u", "postgres", "--"]
        shutil.chown(base, "postgres", "postgres")

    def ctl(*args: str) -> None:
        subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-w", "-t", "60", *args],
                       check=True, capture_output=True, timeout=90)

    options = f"-p {port} -k {base} -c listen_addresses=127.0.0.1 -c fsync=off"
    try:
        subprocess.run([*as_postgres, str(initdb), "-D", str(data), "-A", "trust", "-U", "postgres",
                        "-E", "UTF8", "--no-sync"], check=True, capture_output=True, timeout=120)
        def start() -> None:
            ctl("-o", options, "-l", str(base / "server.log"), "start")

        start()
        yield PrivateCluster(f"postgresql+psycopg://postgres@127.0.0.1:{port}/postgres",
                             lambda: ctl("-m", "fast", "stop"), start)
    finally:
        subprocess.run([*as_postgres, pg_ctl, "-D", str(data), "-m", "immediate", "stop"],
                       capture_output=True, timeout=60)
        shutil.rmtree(base, ignore_errors=True)


@pytest.mark.postgres
@pytest.mark.slow
def test_a_worker_rides_out_a_postgresql_restart(deployment: Deployment,
                                                  private_postgres: PrivateCluster) -> None:
    deployment.env["RPA_DATABASE_URL"] = private_postgres.url
    config = deployment.config("busy", outage_bot(deployment), deployment.folder / "unused.db")
    deployment.rpa(config, "users", "add", "ops", "--role", "admin")
    store = open_store(private_postgres.url)
    enqueue(store, "outage", "rows", {f"row-{n}": {"n": n} for n in range(ITEMS)})
    worker = deployment.worker(config, "busy")
    try:
        wait_for(lambda: in_hand(store) == WORKER["concurrency"], 60, "both threads hold an item")
        # A restart that takes a while (`pg_ctl restart -m fast` with a slow start):
        # every connection is cut, and for some seconds none can be made.
        private_postgres.stop()
        time.sleep(DOWN_S)
        assert worker.alive(), "the worker exited while the server was down"
        private_postgres.start()
        wait_for(lambda: states(store, "outage") == {State.DONE: ITEMS}, 60, "every item done")
        assert_clean_exit(worker, "busy")
    finally:
        worker.stop()
    assert writes(deployment.ledger) == {f"row-{n}": 1 for n in range(ITEMS)}, "a side effect ran twice"
    events = logged_events(deployment.folder)
    assert events["store_unavailable"] >= 1 and events["store_back"] >= 1, events
    assert events["worker_failed"] == 0, events
    store.close()


@pytest.mark.slow
def test_a_worker_that_meets_an_error_time_will_not_cure_exits_1_in_one_line(
        deployment: Deployment) -> None:
    db = deployment.folder / "rpa.db"
    config = deployment.config("busy", outage_bot(deployment), db)
    deployment.rpa(config, "users", "add", "ops", "--role", "admin")
    worker = deployment.worker(config, "busy")
    try:
        wait_for(lambda: "SIGTERM stops" in worker.stderr.read_text(), 60, "the worker started")
        with sqlite3.connect(db, timeout=30) as raw:  # not an outage: no backoff helps
            raw.execute("DROP TABLE bot_states")
        code = worker.process.wait(timeout=60)
    finally:
        worker.stop()
    stderr = worker.stderr.read_text()
    assert code == 1, stderr
    assert "Traceback" not in stderr and "Exception in thread" not in stderr, stderr
    assert stderr.splitlines()[-1].startswith("rpa: worker ") and "OperationalError" in stderr
    assert logged_events(deployment.folder)["worker_failed"] >= 1
