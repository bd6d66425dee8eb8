"""What a bot's code is handed: the item it performs, the collector it fills, a person's action."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel
from pydantic_core import to_jsonable_python

from runner.files import write_private
from runner.store import DECISION, Actor, Checkpoint, NewItem, Store, WorkItemRecord

T = TypeVar("T")


class ItemLease(Protocol):
    """The worker's lease on the item (runner/lease.py): store calls for the item go through it."""

    def check(self) -> None: ...

    def call(self, fn: Callable[[], T], *, what: str) -> T: ...


@dataclass(frozen=True)
class SystemAccess:
    """Where a target system is and how to log in (from orchestrator.yaml and the secrets)."""

    name: str
    url: str
    username: str | None = None
    password: str | None = None


class _Context:
    """What collectors, items and hooks share: bot, task, business date, settings, systems."""

    def __init__(
        self,
        *,
        bot: str,
        task: str,
        as_of: date,
        settings: BaseModel,
        log: Any,
        systems: Mapping[str, SystemAccess],
        open_browser: Callable[[], Any] | None,
    ) -> None:
        self.bot = bot
        self.task = task
        self.as_of = as_of
        self.settings = settings
        self.log = log
        self.systems = systems
        self._open_browser = open_browser
        self._browser: Any = None

    @property
    def browser(self) -> Any:
        """A fresh Playwright browser context for this item (opened on first use)."""
        if self._browser is None:
            if self._open_browser is None:
                raise RuntimeError(f"task {self.bot}/{self.task} has no browser; set Task(browser=True)")
            self._browser = self._open_browser()
        return self._browser

    def system(self, name: str) -> SystemAccess:
        try:
            return self.systems[name]
        except KeyError:
            raise KeyError(f"system {name!r} is not under `systems:` in orchestrator.yaml") from None


def _jsonable(value: Any) -> Any:
    return to_jsonable_python(value)


def _as_json(value: BaseModel | Mapping[str, Any] | None) -> dict[str, Any]:
    """A decision or receipt as stored: a model as its JSON dump, a mapping made JSON-safe."""
    if isinstance(value, BaseModel):
        return dict(value.model_dump(mode="json"))
    return dict(_jsonable(dict(value or {})))


class Collector(_Context):
    """Handed to a task's `collect`: enqueue work items; the same reference twice is a no-op."""

    def __init__(self, store: Store, *, run_id: int, max_attempts: Callable[[str], int],
                 **context: Any) -> None:
        super().__init__(**context)
        self.run_id = run_id
        self._store = store
        self._max_attempts = max_attempts
        self._pending: list[NewItem] = []
        self.enqueued = 0
        self.offered = 0

    def enqueue(
        self,
        reference: str,
        payload: BaseModel | Mapping[str, Any],
        *,
        task: str | None = None,
        priority: int = 0,
        due: date | None = None,
    ) -> None:
        task = task or self.task
        data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else _jsonable(payload)
        self._pending.append(
            NewItem(self.bot, task, str(reference), data, priority, due, self._max_attempts(task))
        )
        self.offered += 1
        if len(self._pending) >= 500:
            self.flush()

    def items(self, *, task: str | None = None, reference_prefix: str | None = None) -> list[WorkItemRecord]:
        """This bot's work items (e.g. a batch's rows, to see whether all have ended)."""
        return self._store.list_items(Actor.worker(f"collector:{self.bot}"), bot=self.bot, task=task,
                                      reference_prefix=reference_prefix, limit=None)

    def flush(self) -> None:
        if self._pending:
            self.enqueued += self._store.enqueue(self._pending, run_id=self.run_id)
            self._pending = []


class Item(_Context):
    """Handed to a task's `process`: the payload, the stored decision, checkpoints.

    A retry resumes after the last checkpoint: `decision()` returns the decision of the
    first attempt, and `step()` does not repeat a step that has a checkpoint. Every write
    goes through the worker's lease: once the lease is lost (e.g. the store was away past
    it) the item raises LeaseLost and changes nothing more, as another worker may own it.
    """

    def __init__(
        self,
        store: Store,
        record: WorkItemRecord,
        payload: BaseModel,
        *,
        worker_id: str,
        marks: dict[str, Checkpoint],
        artifacts_dir: Path,
        max_attempts: Callable[[str], int],
        lease: ItemLease | None = None,
        roles: Collection[str] = (),
        **context: Any,
    ) -> None:
        super().__init__(**context)
        self.roles = frozenset(roles)
        self.id = record.id
        self.reference = record.reference
        self.attempt = record.attempts
        self.run_id = record.run_id
        self.record = record
        self.payload = payload
        self._store = store
        self._worker_id = worker_id
        self._marks = marks
        self._artifacts_dir = artifacts_dir
        self._max_attempts = max_attempts
        self._lease = lease

    def _write(self, fn: Callable[[], T], what: str) -> T:
        return fn() if self._lease is None else self._lease.call(fn, what=what)

    # -- decision and checkpoints ------------------------------------------

    def decision(self, decide: Callable[[], BaseModel | Mapping[str, Any]]) -> dict[str, Any]:
        """The item's decision: taken once, stored first (a model as its JSON), reused by every retry."""
        mark = self._marks.get(DECISION)
        if mark is not None:
            return dict(mark.receipt)
        decided = _as_json(decide())
        self._record(DECISION, decided)
        return dict(decided)

    def done(self, name: str) -> bool:
        return name in self._marks

    def receipt(self, name: str) -> dict[str, Any] | None:
        mark = self._marks.get(name)
        return dict(mark.receipt) if mark else None

    def checkpoint(self, name: str, /, **receipt: Any) -> None:
        """Record that a step is done, with the target system's receipt."""
        self._record(name, _jsonable(receipt))

    def _record(self, name: str, data: dict[str, Any]) -> None:
        if name in self._marks:
            return
        self._write(lambda: self._store.add_checkpoint(self.id, self._worker_id, name, data,
                                                       self.attempt), "checkpoint")
        self._marks[name] = Checkpoint(name, data, self.attempt, self._store.clock.now())

    def step(self, name: str, action: Callable[[], BaseModel | Mapping[str, Any] | None]) -> dict[str, Any]:
        """Run `action` unless a checkpoint says it is done; returns its receipt (a model as its JSON)."""
        mark = self._marks.get(name)
        if mark is not None:
            self.log.info("step_skipped", step=name)
            return dict(mark.receipt)
        if self._lease is not None:
            self._lease.check()  # no side effect on a lease that may be another worker's
        self._record(name, _as_json(action()))
        return self.receipt(name) or {}

    @property
    def acted(self) -> bool:
        """Whether any step changed a target system (any checkpoint but the decision)."""
        return any(name != DECISION for name in self._marks)

    # -- more work, privacy, artifacts --------------------------------------

    def enqueue(
        self,
        task: str,
        reference: str,
        payload: BaseModel | Mapping[str, Any],
        *,
        priority: int = 0,
        due: date | None = None,
    ) -> int:
        """Enqueue items of another task of this bot (e.g. a batch's rows); returns how many were new."""
        data = payload.model_dump(mode="json") if isinstance(payload, BaseModel) else _jsonable(payload)
        item = NewItem(self.bot, task, reference, data, priority, due, self._max_attempts(task))
        return self._write(lambda: self._store.enqueue([item], run_id=self.run_id), "enqueue")

    def restrict_to(self, role: str) -> None:
        """Make this item visible only to people with `role`, one the bot declares (`Bot.roles`)."""
        if role not in self.roles:
            declared = ", ".join(sorted(self.roles)) or "none"
            raise ValueError(f"bot {self.bot} restricts an item to {role!r}, a role it does not declare "
                             f"(Bot.roles: {declared})")
        self._write(lambda: self._store.restrict(self.id, self._worker_id, role), "restrict")

    def save_artifact(self, kind: str, filename: str, data: bytes) -> Path:
        """Keep a file produced for this item (e.g. a letter) under var/artifacts."""
        if self._lease is not None:
            self._lease.check()
        path = write_private(self._artifacts_dir / str(self.id) / filename, data)  # 0600, folders 0700
        self._write(lambda: self._store.add_artifact(self.id, kind=kind, path=str(path),
                                                     attempt=self.attempt, size=len(data)), "artifact")
        return path


class RunSummary(_Context):
    """Handed to a bot's `summarize`: the items of the runs just made, for `extra` in `rpa run --json`."""

    def __init__(self, items: list[WorkItemRecord], run_ids: list[int], **context: Any) -> None:
        super().__init__(**context)
        self.items = items
        self.run_ids = run_ids


class PersonAction(_Context):
    """Handed to a bot's `on_resolved`/`on_rejected` hook: the item and what the person said."""

    def __init__(self, record: WorkItemRecord, payload: BaseModel | None, *, actor: Actor,
                 text: str, **context: Any) -> None:
        super().__init__(**context)
        self.record = record
        self.reference = record.reference
        self.payload = payload
        self.actor = actor
        self.text = text
