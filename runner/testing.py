"""The public test kit: bot authors test their tasks with these, never by patching privates.

    from runner.testing import FakeClock, make_store, run_items, capture_logs

`run_items(bot, task, payloads, ...)` enqueues payloads, works them with a real worker
on a real (SQLite) store and returns the finished items.
"""

from __future__ import annotations

import json
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from pydantic import BaseModel
from sqlalchemy import create_engine, text

from runner.bot import Bot, all_roles, discover_bots
from runner.browser import BrowserPool
from runner.clock import FakeClock
from runner.deployment import Deployment, WorkerSettings, deploy
from runner.exceptions import ExceptionDesk
from runner.item import SystemAccess
from runner.logs import capture_logs
from runner.retry import RetryPolicy
from runner.sessions import BrowserProvider
from runner.states import Role, State, Trigger
from runner.store import Actor, NewItem, Store, WorkItemRecord, open_store
from runner.worker import Worker

__all__ = [
    "BrowserPool",
    "FakeClock",
    "ItemRun",
    "capture_logs",
    "exception_desk",
    "make_store",
    "person",
    "postgres_store",
    "rpa_decide",
    "run_items",
    "run_task_once",
]

POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"


def make_store(path: Path | str | None = None, *, clock: FakeClock | None = None) -> Store:
    """A migrated SQLite store in `path` (a folder or a .db file), or in memory-like temp space."""
    if path is None:
        import tempfile

        path = Path(tempfile.mkdtemp(prefix="rpa-store-")) / "rpa.db"
    path = Path(path)
    if path.suffix != ".db":
        path = path / "rpa.db"
    path.parent.mkdir(parents=True, exist_ok=True)
    store = open_store(f"sqlite:///{path}", clock=clock)
    store.migrate()
    return store


@contextmanager
def postgres_store(
    admin_url: str = POSTGRES_ADMIN_URL, *, clock: FakeClock | None = None
) -> Iterator[Store]:
    """A migrated store in a fresh PostgreSQL database, dropped afterwards."""
    name = f"rpa_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    store = open_store(admin_url.rsplit("/", 1)[0] + f"/{name}", clock=clock)
    try:
        store.migrate()
        yield store
    finally:
        store.close()
        with admin.connect() as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def person(*roles: Role | str, name: str = "tester") -> Actor:
    """A person with these roles (when none are given: all, with those the installed bots declare)."""
    chosen = roles or tuple(all_roles(discover_bots().values()))
    return Actor(name, frozenset(str(r) for r in chosen))


@dataclass(frozen=True)
class ItemRun:
    """The items a `run_items` call finished, by reference."""

    items: Mapping[str, WorkItemRecord]
    store: Store

    def __getitem__(self, reference: str) -> WorkItemRecord:
        return self.items[reference]

    def in_state(self, state: State) -> list[WorkItemRecord]:
        return [item for item in self.items.values() if item.state is state]


def _deployment(
    bot: Bot,
    settings: Mapping[str, Any] | BaseModel | None,
    retry: RetryPolicy | None,
    systems: Mapping[str, SystemAccess] | None,
    artifacts_dir: Path,
) -> Deployment:
    data = settings.model_dump() if isinstance(settings, BaseModel) else dict(settings or {})
    retries = {(bot.name, task.name): retry for task in bot.tasks} if retry else None
    return deploy(
        {bot.name: bot}, settings={bot.name: data}, retry=retries, systems=systems or {},
        artifacts_dir=artifacts_dir,
        worker=WorkerSettings(heartbeat_s=3600, poll_s=0.01, reaper_s=3600),
    )


def run_items(
    bot: Bot,
    task: str,
    payloads: Mapping[str, BaseModel | Mapping[str, Any]] | Iterable[tuple[str, Any]],
    *,
    as_of: date = date(2024, 11, 18),
    settings: Mapping[str, Any] | BaseModel | None = None,
    store: Store | None = None,
    retry: RetryPolicy | None = None,
    systems: Mapping[str, SystemAccess] | None = None,
    browsers: BrowserProvider | None = None,
    artifacts_dir: Path | None = None,
    max_clock_jumps: int = 10,
) -> ItemRun:
    """Enqueue `payloads` (reference → payload) for `bot`/`task` and work them to the end.

    Retries happen at once: when nothing is ready, the fake clock jumps an hour past
    each backoff or deferral, at most `max_clock_jumps` times in all (an item whose
    system stays down stays deferred).
    """
    clock = FakeClock(as_of)
    store = store or make_store(clock=clock)
    store.clock = clock
    artifacts_dir = artifacts_dir or Path(store.url.removeprefix("sqlite:///")).parent / "artifacts"
    deployment = _deployment(bot, settings, retry, systems, artifacts_dir)
    pairs = payloads.items() if isinstance(payloads, Mapping) else payloads
    max_attempts = deployment.max_attempts(bot.name)
    new_items = [
        NewItem(bot.name, task, reference,
                data.model_dump(mode="json") if isinstance(data, BaseModel) else dict(data),
                max_attempts=max_attempts(task))
        for reference, data in pairs
    ]
    store.enqueue(new_items)
    worker = Worker(store, deployment, clock, browsers=browsers)
    jumps = 0
    while True:
        if worker.run_batch():
            continue
        waiting = store.list_items(Actor.worker("test"), bot=bot.name, states=[State.NEW, State.DEFERRED])
        if not waiting or jumps == max_clock_jumps:
            break
        jumps += 1
        clock.advance(3600)  # past any backoff or deferral
    records = store.list_items(Actor.worker("test"), bot=bot.name, limit=None)
    return ItemRun({record.reference: store.get_item(Actor.worker("test"), record.id)
                    for record in records}, store)


def exception_desk(
    bot: Bot,
    store: Store,
    *,
    actor: Actor | None = None,
    as_of: date = date(2024, 11, 18),
    settings: Mapping[str, Any] | BaseModel | None = None,
    systems: Mapping[str, SystemAccess] | None = None,
    browsers: BrowserProvider | None = None,
) -> ExceptionDesk:
    """The exception desk a person works, for `bot`'s items (resolve/reject run its hooks)."""
    deployment = _deployment(bot, settings, None, systems, Path("var/artifacts"))
    return ExceptionDesk(store, deployment, actor or person(), clock=FakeClock(as_of), browsers=browsers)


def run_task_once(
    bot: Bot,
    task: str,
    *,
    as_of: date = date(2024, 11, 18),
    settings: Mapping[str, Any] | BaseModel | None = None,
    store: Store | None = None,
    systems: Mapping[str, SystemAccess] | None = None,
    browsers: BrowserProvider | None = None,
) -> tuple[Store, int]:
    """Run a task's collector once; returns the store and how many items it enqueued."""
    from runner.orchestrator import run_task

    clock = FakeClock(as_of)
    store = store or make_store(clock=clock)
    deployment = _deployment(bot, settings, None, systems, Path("var/artifacts"))
    run = run_task(store, deployment, clock, bot.name, task, trigger=Trigger.MANUAL,
                   actor=Actor.scheduler(), browsers=browsers)
    assert run is not None
    if run.error:
        raise AssertionError(f"the collector failed: {run.error}")
    return store, run.enqueued


def rpa_decide(bot: str, data: Mapping[str, Any], folder: Path) -> subprocess.CompletedProcess[str]:
    """Run the real `rpa decide BOT --input FILE` on `data` (written to `folder`) and return it.

    What a caseworker sees: the decision on stdout, or one line on stderr and exit 2.
    """
    path = folder / "decide-input.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    rpa = Path(sys.executable).with_name("rpa")
    return subprocess.run([str(rpa), "decide", bot, "--input", str(path)],
                          capture_output=True, text=True, cwd=folder, timeout=60, check=False)
