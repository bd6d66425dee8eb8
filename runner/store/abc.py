"""What the rest of the runner may ask of a store, by concern.

Code outside `runner/store` names these protocols (`Store`, or the narrow one it needs),
never an implementation; `runner.store.open_store` builds one. The SQL implementation is
`runner.store.sql.SqlStore`, one module per protocol; `tests/runner/test_store_contract.py`
is the contract every implementation passes.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from datetime import date, datetime
from typing import Any, Protocol

from runner.states import ErrorKind, State, Trigger
from runner.store.records import (
    Actor,
    AlertRecord,
    ArtifactRecord,
    AuditRecord,
    BotStateRecord,
    Checkpoint,
    DueCounts,
    NewItem,
    RunRecord,
    ScheduleChange,
    UserRecord,
    WorkItemRecord,
)


class NowSource(Protocol):
    """The store's clock: aware UTC datetimes (a FakeClock in tests)."""

    def now(self) -> datetime: ...


class ItemStore(Protocol):
    """Work items from enqueue to their end on the worker's side: claims, leases, checkpoints.

    Every transition of an item in progress checks the lease: a worker that lost it gets
    `LeaseLost` and writes nothing.
    """

    def enqueue(self, items: Iterable[NewItem], *, run_id: int | None = None) -> int:
        """Add items; a (bot, reference) already stored is left as it is. Returns how many were new."""
        ...

    def claim(
        self,
        worker_id: str,
        *,
        limit: int = 1,
        lease_s: float,
        as_of: date,
        bots: Collection[str] | None = None,
        exclude_bots: Collection[str] = (),
    ) -> list[WorkItemRecord]:
        """Lease up to `limit` waiting items, highest priority first; counts an attempt each."""
        ...

    def heartbeat(self, worker_id: str, item_ids: Collection[int], *, lease_s: float) -> set[int]:
        """Extend leases still held; returns the ids this worker still owns."""
        ...

    def reap(self) -> list[int]:
        """Return items whose lease expired to `new`, or to `system_exception` when spent."""
        ...

    def add_checkpoint(
        self, item_id: int, worker_id: str, name: str, receipt: dict[str, Any], attempt: int
    ) -> None:
        """Record a done step; a name already recorded keeps its first receipt."""
        ...

    def checkpoints(self, item_id: int) -> dict[str, Checkpoint]: ...

    def complete(
        self, item_id: int, worker_id: str, result: dict[str, Any], *, bot: str, reset_breaker: bool = True
    ) -> None:
        """Finish an item; a success also ends the bot's run of system exceptions."""
        ...

    def fail(
        self,
        item_id: int,
        worker_id: str,
        *,
        kind: ErrorKind,
        code: str,
        message: str,
        retry_at: datetime | None = None,
        visible_to: str | None = None,
    ) -> None:
        """Record an error: back to `new` at `retry_at`, or into the exception queue."""
        ...

    def defer(self, item_id: int, worker_id: str, *, until: datetime, message: str) -> None:
        """Wait for a system to come back; the attempt is given back."""
        ...

    def release(self, item_id: int, worker_id: str) -> None:
        """Give an item back untouched (shutdown); the attempt is given back."""
        ...

    def restrict(self, item_id: int, worker_id: str, role: str) -> None:
        """Make an item visible only to people with `role` (and the system)."""
        ...


class QueueStore(Protocol):
    """The queue as an actor sees it (restricted items only for their role), and a
    person's actions on exceptions (ops; audited)."""

    def list_items(
        self,
        actor: Actor,
        *,
        bot: str | None = None,
        task: str | None = None,
        states: Collection[State] | None = None,
        code: str | None = None,
        reference: str | None = None,
        reference_prefix: str | None = None,
        search: str | None = None,
        run_ids: Collection[int] | None = None,
        assignee: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        after_id: int | None = None,
        limit: int | None = 1000,
        offset: int = 0,
    ) -> list[WorkItemRecord]: ...

    def get_item(self, actor: Actor, item_id: int) -> WorkItemRecord:
        """One item with its checkpoints; NotFound also when the actor may not see it."""
        ...

    def count_by_state(self, *, run_ids: Collection[int] | None = None) -> dict[tuple[str, str], int]:
        """(bot, state) → count, for traffic lights and `--wait`."""
        ...

    def outcomes(self, *, run_ids: Collection[int] | None = None) -> list[tuple[str, str, str | None, bool]]:
        """(bot, state, code, acted) per item, for run summaries."""
        ...

    def due_counts(self, as_of: date, *, soon_days: int = 1) -> dict[str, DueCounts]:
        """Per bot, its open items (neither done, resolved nor rejected) past their due date,
        and those due from `as_of` through `soon_days` later; bots with neither are left out."""
        ...

    def retry_item(
        self,
        actor: Actor,
        item_id: int,
        *,
        reason: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> WorkItemRecord:
        """Send an exception back to the queue, optionally with a corrected payload."""
        ...

    def assign_item(self, actor: Actor, item_id: int, *, to: str | None) -> WorkItemRecord:
        """Assign an exception to a person (`to=None`: release it); ops, audited."""
        ...

    def close_item(self, actor: Actor, item_id: int, *, state: State, text: str) -> WorkItemRecord:
        """Resolve (done by hand; `text` is the note) or reject (`text` is the reason)."""
        ...


class RunStore(Protocol):
    """Runs: one execution of a task, keyed per firing so replicas never start it twice."""

    def start_run(
        self,
        *,
        bot: str,
        task: str,
        trigger: Trigger,
        actor: Actor,
        as_of: date | None,
        run_key: str | None = None,
    ) -> RunRecord | None:
        """A new run; None when a run with the same key exists (another replica took it)."""
        ...

    def finish_run(self, run_id: int, *, enqueued: int, error: str | None = None) -> None: ...

    def get_run(self, run_id: int) -> RunRecord: ...

    def list_runs(self, *, bot: str | None = None, limit: int = 50) -> list[RunRecord]: ...

    def last_finished_runs(self) -> dict[tuple[str, str], RunRecord]:
        """(bot, task) → the task's latest run that has finished (or failed), for traffic lights."""
        ...

    def change_schedule(self, actor: Actor, *, bot: str, task: str, kind: str, at: datetime,
                        reason: str | None = None) -> ScheduleChange:
        """Skip the firing at `at` (kind "skip") or add a one-off run at `at` ("extra");
        operator, audited."""
        ...

    def schedule_changes(self, *, since: datetime | None = None,
                         bot: str | None = None) -> list[ScheduleChange]:
        """Changes at or after `since`, soonest first."""
        ...

    def is_skipped(self, bot: str, task: str, fire_time: datetime) -> bool:
        """Whether an operator skipped this one firing."""
        ...


class UserStore(Protocol):
    """People, their roles, and the audit trail of what every actor did."""

    def add_user(self, actor: Actor | None, name: str, roles: Collection[str]) -> UserRecord:
        """Add a user or replace their roles. Only an admin may, except for the first user."""
        ...

    def get_user(self, name: str) -> UserRecord: ...

    def list_users(self) -> list[UserRecord]: ...

    def audit_trail(
        self, actor: Actor, *, item_id: int | None = None, limit: int = 500
    ) -> list[AuditRecord]: ...


class CredentialStore(Protocol):
    """How people log in to the console: password hashes, API tokens (stored as hashes) and
    the failed logins a lock-out counts. Hashing is runner.passwords'; the store keeps hashes only."""

    def set_password(self, actor: Actor | None, name: str, password_hash: str) -> None:
        """Set a user's password hash: an admin, or the user themself (`actor=None`: bootstrap,
        allowed only while no user has a password). Audited as `password_set`."""
        ...

    def password_hash(self, name: str) -> str | None:
        """The user's password hash; None when the user has none or does not exist."""
        ...

    def add_token(self, actor: Actor, name: str, token_hash: str) -> int:
        """Store a new API token's hash for `name` (an admin, or the user themself); its id.
        Audited as `token_created`."""
        ...

    def user_for_token(self, token_hash: str) -> UserRecord | None:
        """The user whose unrevoked token has this hash, else None."""
        ...

    def revoke_tokens(self, actor: Actor, name: str) -> int:
        """Revoke every token of `name` (an admin, or the user themself); how many. Audited."""
        ...

    def record_login(self, name: str, *, ok: bool) -> None:
        """Remember a login attempt for `name` (a success clears the failures)."""
        ...

    def login_failures(self, name: str, since: datetime) -> int:
        """Failed logins for `name` since `since` (and since its last success)."""
        ...

    def record_lockout(self, name: str, *, failures: int) -> None:
        """Audit that logins for `name` are refused for a while after `failures` failed ones
        (as `login_locked`, by the actor `console`)."""
        ...

    def end_session(self, sid_hash: str, *, user: str, expires: datetime) -> None:
        """Remember that the console session with this id hash logged out; a copy of its cookie
        is refused by every console until `expires`, when the cookie is dead anyway (and the row
        may go)."""
        ...

    def session_ended(self, sid_hash: str) -> bool:
        """Whether the console session with this id hash logged out."""
        ...


class AlertStore(Protocol):
    """Alerts, newest first; messages are stored masked."""

    def add_alert(self, *, bot: str | None, kind: str, message: str) -> AlertRecord: ...

    def list_alerts(self, *, limit: int = 100) -> list[AlertRecord]: ...

    def ack_alert(self, actor: Actor, alert_id: int) -> AlertRecord:
        """Acknowledge an alert (operator or ops); audited."""
        ...


class BreakerStore(Protocol):
    """Bots' paused state and circuit breaker; both survive restarts."""

    def bot_states(self) -> dict[str, BotStateRecord]: ...

    def set_paused(self, actor: Actor, bot: str, paused: bool, reason: str | None = None) -> None:
        """Pause or resume a bot (operator or admin)."""
        ...

    def record_failure(self, bot: str, item_id: int, *, threshold: int) -> bool:
        """Count a system exception; True when it is the one that opened the bot's circuit."""
        ...

    def take_probe(self, bot: str, *, cooldown_s: float, worker_id: str, as_of: date,
                   lease_s: float) -> WorkItemRecord | None:
        """After the cool-down, lease one probe item of a bot whose circuit is open."""
        ...


class ArtifactStore(Protocol):
    """Files linked from items (screenshots, traces, letters); the files live on disk."""

    def add_artifact(self, item_id: int, *, kind: str, path: str, attempt: int, size: int) -> None: ...

    def list_artifacts(self, actor: Actor, item_id: int) -> list[ArtifactRecord]:
        """Artifacts of an item the actor may see; traces only for those who may read them."""
        ...

    def expired_artifacts(self, before: datetime) -> list[ArtifactRecord]: ...

    def delete_artifacts(self, ids: Sequence[int]) -> None: ...


class Store(
    ItemStore, QueueStore, RunStore, UserStore, CredentialStore, AlertStore, BreakerStore,
    ArtifactStore, Protocol,
):
    """The whole store: every concern over one database."""

    url: str
    dialect: str  # "sqlite" or "postgresql"
    clock: NowSource

    def migrate(self) -> None:
        """Bring the schema to the newest revision."""
        ...

    def close(self) -> None: ...
