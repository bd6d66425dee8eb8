"""Work items on the worker's side: enqueue, claim, leases, checkpoints, the end of an attempt."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import date, datetime, timedelta
from functools import cache
from typing import Any

from sqlalchemy import Connection, and_, bindparam, select, update
from sqlalchemy.dialects import sqlite

from runner.errors import LeaseLost
from runner.redact import redact_text
from runner.states import ErrorKind, State
from runner.store.records import Checkpoint, NewItem, WorkItemRecord
from runner.store.sql.base import SqlBase
from runner.store.sql.breaker import record_success
from runner.store.sql.claim import claim_items, lease_held_by
from runner.store.sql.driver import DriverStatement
from runner.store.sql.engine import outages_as_store_unavailable
from runner.store.sql.rows import item_checkpoints
from runner.store.tables import checkpoints, runs, work_items

_CHUNK = 500


def _complete_statement() -> Any:
    wi = work_items.c
    return (
        update(work_items)
        .where(wi.id == bindparam("p_id"), lease_held_by(bindparam("p_worker")))
        .values(state=State.DONE.value, result=bindparam("p_result", type_=wi.result.type),
                lease_owner=None, lease_expires=None, error_kind=None, error_code=None,
                error_message=None, updated_at=bindparam("p_now", type_=wi.updated_at.type))
    )


# Finishing an item is the one write on every item's path: built once, so SQLAlchemy reuses
# its compiled form, and on SQLite the same statement also goes to the driver directly.
_COMPLETE = _complete_statement()


@cache
def _complete_on_sqlite() -> DriverStatement:
    return DriverStatement(_COMPLETE, sqlite.dialect())


class SqlItems(SqlBase):
    """Enqueue and claim; every later write on an item in progress is its lease holder's."""

    def enqueue(self, items: Iterable[NewItem], *, run_id: int | None = None) -> int:
        """Add items; a (bot, reference) already stored is left as it is. Returns how many were new.

        An item of a run takes the run's business date now, so a run that enqueues before
        midnight decides its items as of its own date however late they are claimed.
        """
        now = self._now()
        as_of = self._run_as_of(run_id) if run_id is not None else None
        created = 0
        batch: list[dict[str, Any]] = []
        for item in items:
            batch.append(
                {
                    "bot": item.bot, "task": item.task, "reference": item.reference,
                    "payload": item.payload, "priority": item.priority, "due": item.due,
                    "state": State.NEW.value, "attempts": 0, "max_attempts": item.max_attempts,
                    "has_checkpoints": False, "today": as_of,
                    "run_id": run_id, "created_at": now, "updated_at": now,
                }
            )
            if len(batch) >= _CHUNK:
                created += self._insert_items(batch)
                batch = []
        if batch:
            created += self._insert_items(batch)
        return created

    def _run_as_of(self, run_id: int) -> date | None:
        with self._tx() as conn:
            return conn.execute(select(runs.c.today).where(runs.c.id == run_id)).scalar_one_or_none()

    def _insert_items(self, batch: list[dict[str, Any]]) -> int:
        statement = (
            self._insert(work_items)
            .on_conflict_do_nothing(index_elements=["bot", "reference"])
            .returning(work_items.c.id)
        )
        with self._tx() as conn:
            return len(conn.execute(statement, batch).all())

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
        now = self._now()
        with self._tx() as conn:
            return claim_items(conn, dialect=self.dialect, worker_id=worker_id, now=now, limit=limit,
                               lease_s=lease_s, as_of=as_of, bots=bots, exclude_bots=exclude_bots)

    def heartbeat(self, worker_id: str, item_ids: Collection[int], *, lease_s: float) -> set[int]:
        """Extend leases still held; returns the ids this worker still owns."""
        if not item_ids:
            return set()
        now = self._now()
        statement = (
            update(work_items)
            .where(work_items.c.id.in_(list(item_ids)), lease_held_by(worker_id))
            .values(lease_expires=now + timedelta(seconds=lease_s))
            .returning(work_items.c.id)
        )
        with self._tx() as conn:
            return {row.id for row in conn.execute(statement)}

    def reap(self) -> list[int]:
        """Return items whose lease expired to `new` (the attempt stays counted).

        An item whose attempts are spent goes to `system_exception` (`LeaseExpired`),
        so an item that kills its worker every time cannot loop for ever.
        """
        now = self._now()
        wi = work_items.c
        expired = and_(wi.state == State.IN_PROGRESS.value, wi.lease_expires < now)
        with self._tx() as conn:
            spent = conn.execute(
                update(work_items)
                .where(expired, wi.attempts >= wi.max_attempts)
                .values(
                    state=State.SYSTEM_EXCEPTION.value, lease_owner=None, lease_expires=None,
                    error_kind=ErrorKind.SYSTEM.value, error_code="LeaseExpired",
                    error_message="the worker's lease expired on the last attempt",
                    updated_at=now,
                )
                .returning(wi.id)
            ).all()
            back = conn.execute(
                update(work_items)
                .where(expired)
                .values(state=State.NEW.value, lease_owner=None, lease_expires=None, updated_at=now)
                .returning(wi.id)
            ).all()
        return sorted(row.id for row in [*spent, *back])

    # -- the leased item ------------------------------------------------------

    def _transition(self, conn: Connection, item_id: int, worker_id: str, **values: Any) -> None:
        values.setdefault("updated_at", self._now())
        result = conn.execute(
            update(work_items).where(work_items.c.id == item_id, lease_held_by(worker_id)).values(**values)
        )
        if result.rowcount != 1:
            raise LeaseLost(f"item {item_id} is no longer leased by {worker_id}")

    def add_checkpoint(
        self, item_id: int, worker_id: str, name: str, receipt: dict[str, Any], attempt: int
    ) -> None:
        """Record a done step; a name already recorded keeps its first receipt."""
        with self._tx() as conn:
            self._transition(conn, item_id, worker_id, has_checkpoints=True)
            conn.execute(
                self._insert(checkpoints)
                .values(item_id=item_id, name=name, receipt=receipt, attempt=attempt,
                        created_at=self._now())
                .on_conflict_do_nothing(index_elements=["item_id", "name"])
            )

    def checkpoints(self, item_id: int) -> dict[str, Checkpoint]:
        with self._tx() as conn:
            return item_checkpoints(conn, item_id)

    def complete(
        self, item_id: int, worker_id: str, result: dict[str, Any], *, bot: str, reset_breaker: bool = True
    ) -> None:
        """Finish an item; a success also ends the bot's run of system exceptions.

        A worker that read the bot's state at claim time and saw no failures and no open
        circuit may pass `reset_breaker=False` to skip that write.
        """
        values = {"p_id": item_id, "p_worker": worker_id, "p_result": result, "p_now": self._now()}
        if self.dialect == "sqlite" and not reset_breaker:
            finished = self._on_driver(_complete_on_sqlite(), values)
        else:
            with self._tx() as conn:
                finished = conn.execute(_COMPLETE, values).rowcount == 1
                if finished and reset_breaker:
                    record_success(conn, bot, item_id)
        if not finished:
            raise LeaseLost(f"item {item_id} is no longer leased by {worker_id}")

    def _on_driver(self, statement: DriverStatement, values: dict[str, Any]) -> bool:
        """One statement in its own transaction on the thread's SQLite connection, past
        SQLAlchemy's statement and event machinery (which costs more than SQLite's own work
        here); True when it changed exactly one row, else it is rolled back."""
        params = statement.parameters(values)
        with outages_as_store_unavailable():
            driver = self._thread_connection().connection.driver_connection
            assert driver is not None, "an open SQLAlchemy connection has a driver connection"
            cursor = driver.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                cursor.execute(statement.sql, params)
                changed = cursor.rowcount
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT" if changed == 1 else "ROLLBACK")
        return bool(changed == 1)

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
        if retry_at is not None:
            state = State.NEW
        else:
            state = State.BUSINESS_EXCEPTION if kind is ErrorKind.BUSINESS else State.SYSTEM_EXCEPTION
        values: dict[str, Any] = {
            "state": state.value, "error_kind": kind.value, "error_code": code,
            "error_message": redact_text(message)[:4000], "not_before": retry_at,
            "lease_owner": None, "lease_expires": None,
        }
        if visible_to is not None:
            values["visible_to"] = visible_to
        with self._tx() as conn:
            self._transition(conn, item_id, worker_id, **values)
            if kind is ErrorKind.BUSINESS:
                bot = conn.execute(select(work_items.c.bot).where(work_items.c.id == item_id)).scalar_one()
                record_success(conn, str(bot), item_id)

    def defer(self, item_id: int, worker_id: str, *, until: datetime, message: str) -> None:
        """Wait for a system to come back; the attempt is given back."""
        with self._tx() as conn:
            self._transition(
                conn, item_id, worker_id, state=State.DEFERRED.value, not_before=until,
                attempts=work_items.c.attempts - 1, lease_owner=None, lease_expires=None,
                error_kind=ErrorKind.SYSTEM.value, error_code="SystemUnavailable",
                error_message=redact_text(message)[:4000],
            )

    def release(self, item_id: int, worker_id: str) -> None:
        """Give an item back untouched (shutdown); the attempt is given back."""
        with self._tx() as conn:
            self._transition(
                conn, item_id, worker_id, state=State.NEW.value,
                attempts=work_items.c.attempts - 1, lease_owner=None, lease_expires=None,
            )

    def restrict(self, item_id: int, worker_id: str, role: str) -> None:
        """Make an item visible only to people with `role` (and the system)."""
        with self._tx() as conn:
            self._transition(conn, item_id, worker_id, visible_to=str(role))
