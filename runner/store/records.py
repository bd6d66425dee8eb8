"""Read models the store returns: frozen records, never live rows."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from runner.states import ErrorKind, State, Trigger


@dataclass(frozen=True)
class Actor:
    """Who acts: a person with roles, or the system (a worker or the scheduler)."""

    name: str
    roles: frozenset[str] = frozenset()  # Role members and the roles bots declare
    system: bool = False

    def has(self, *roles: str) -> bool:
        return self.system or bool(self.roles.intersection(roles))

    def may_see(self, visible_to: str | None) -> bool:
        """Restricted items (e.g. certificates with records) are for their role only."""
        return visible_to is None or self.system or visible_to in self.roles

    @classmethod
    def worker(cls, worker_id: str) -> Actor:
        return cls(f"worker:{worker_id}", system=True)

    @classmethod
    def scheduler(cls) -> Actor:
        return cls("scheduler", system=True)


@dataclass(frozen=True)
class ItemError:
    kind: ErrorKind
    code: str
    message: str


@dataclass(frozen=True)
class Checkpoint:
    name: str
    receipt: dict[str, Any]
    attempt: int
    created_at: datetime


@dataclass(frozen=True)
class WorkItemRecord:
    id: int
    bot: str
    task: str
    reference: str
    payload: dict[str, Any]
    priority: int
    due: date | None
    state: State
    attempts: int
    max_attempts: int
    not_before: datetime | None
    lease_owner: str | None
    lease_expires: datetime | None
    run_id: int | None
    as_of: date | None
    result: dict[str, Any] | None
    error: ItemError | None
    visible_to: str | None
    has_checkpoints: bool
    created_at: datetime
    updated_at: datetime
    checkpoints: tuple[Checkpoint, ...] = field(default=())
    assigned_to: str | None = None  # the person working the exception (console: assign to me)

    def summary(self) -> dict[str, Any]:
        """The row shape of `rpa queue ls --json` (one object per item; the CLI masks it)."""
        return {
            "id": self.id,
            "bot": self.bot,
            "task": self.task,
            "reference": self.reference,
            "state": self.state.value,
            "attempts": self.attempts,
            "code": self.error.code if self.error else None,
            "due": self.due.isoformat() if self.due else None,
        }


@dataclass(frozen=True)
class DueCounts:
    """A bot's open items against their due dates (the overview's traffic lights)."""

    overdue: int = 0
    due_soon: int = 0


@dataclass(frozen=True)
class ScheduleChange:
    """An operator's change beside the YAML schedule: skip one firing, or one extra run."""

    id: int
    bot: str
    task: str
    kind: str  # "skip" or "extra"
    at: datetime
    actor: str
    reason: str | None
    created_at: datetime


@dataclass(frozen=True)
class RunRecord:
    id: int
    bot: str
    task: str
    trigger: Trigger
    run_key: str | None
    state: str
    as_of: date | None
    actor: str
    enqueued: int
    error: str | None
    started_at: datetime
    finished_at: datetime | None


@dataclass(frozen=True)
class AlertRecord:
    id: int
    bot: str | None
    kind: str
    message: str
    created_at: datetime
    acked_by: str | None = None
    acked_at: datetime | None = None


@dataclass(frozen=True)
class UserRecord:
    name: str
    roles: frozenset[str]
    created_at: datetime

    def actor(self) -> Actor:
        return Actor(self.name, self.roles)


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    actor: str
    action: str
    item_id: int | None
    bot: str | None
    reason: str | None
    details: dict[str, Any] | None


@dataclass(frozen=True)
class BotStateRecord:
    bot: str
    paused: bool
    reason: str | None
    paused_at: datetime | None
    consecutive_failures: int
    circuit_open: bool
    probe_item_id: int | None


@dataclass(frozen=True)
class ArtifactRecord:
    id: int
    item_id: int
    kind: str
    path: str
    attempt: int
    size: int
    created_at: datetime


@dataclass(frozen=True)
class NewItem:
    """What a collector asks to enqueue."""

    bot: str
    task: str
    reference: str
    payload: dict[str, Any]
    priority: int = 0
    due: date | None = None
    max_attempts: int = 3
