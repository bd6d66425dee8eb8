"""The store on SQLAlchemy 2: SQLite (embedded default) and PostgreSQL (scale-out).

Both dialects share every query but the claim: PostgreSQL locks candidate rows with
`FOR UPDATE SKIP LOCKED`, SQLite takes its single writer lock with `BEGIN IMMEDIATE`.
"""

from __future__ import annotations

import json
import sqlite3
import threading
from collections.abc import Collection, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import (
    Connection,
    Engine,
    Row,
    and_,
    bindparam,
    case,
    create_engine,
    delete,
    event,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.exc import IntegrityError

from runner.errors import InvalidTransition, LeaseLost, NotFound, StoreUnavailable
from runner.files import make_private_file
from runner.inputs import user_name
from runner.permissions import Action, allowed, require
from runner.redact import mask_cprs
from runner.states import ErrorKind, Role, State, Trigger
from runner.store.abc import NowSource
from runner.store.records import (
    Actor,
    AlertRecord,
    ArtifactRecord,
    AuditRecord,
    BotStateRecord,
    Checkpoint,
    ItemError,
    NewItem,
    RunRecord,
    UserRecord,
    WorkItemRecord,
)
from runner.store.tables import (
    alerts,
    artifacts,
    audit,
    bot_states,
    checkpoints,
    runs,
    users,
    work_items,
)

DECISION = "decision"
WAITING = (State.NEW.value, State.DEFERRED.value)
EXCEPTIONS = (State.BUSINESS_EXCEPTION.value, State.SYSTEM_EXCEPTION.value)
FINAL = (State.DONE.value, State.RESOLVED.value, State.REJECTED.value, *EXCEPTIONS)
_CHUNK = 500


class _UtcNow:
    def now(self) -> datetime:
        return datetime.now(UTC)


# How long a SQLite statement waits for another writer's lock before it gives up: far
# longer than any of our transactions (milliseconds), short enough that a worker learns
# within seconds that the file is locked and backs off (runner/outage.py).
SQLITE_BUSY_TIMEOUT_S = 10.0
PG_CONNECT_TIMEOUT_S = 10

_SQLITE_OUTAGE_WORDS = ("locked", "busy", "disk i/o", "unable to open")


def is_outage(error: BaseException) -> bool:
    """Whether a database error means the store is away for a while (a lock, a timeout, a
    lost connection) rather than a mistake in what was asked (a missing table, a constraint)."""
    if isinstance(error, sqlalchemy_exc.TimeoutError):  # no pooled connection came free
        return True
    if isinstance(error, sqlalchemy_exc.DBAPIError):
        if error.connection_invalidated or isinstance(error, sqlalchemy_exc.InterfaceError):
            return True
        error = error.orig if error.orig is not None else error
    if isinstance(error, sqlite3.OperationalError):
        return any(word in str(error).lower() for word in _SQLITE_OUTAGE_WORDS)
    # psycopg: a refused or dropped connection, an admin shutdown, a lock or statement timeout
    return type(error).__module__.startswith("psycopg") and isinstance(error, _psycopg_operational())


def _psycopg_operational() -> type[BaseException]:
    import psycopg

    return psycopg.OperationalError


@contextmanager
def _outages_as_store_unavailable() -> Iterator[None]:
    """Map the driver's outage errors to ours at the edge (no driver's type leaves the store);
    others pass unchanged."""
    try:
        yield
    except (sqlalchemy_exc.SQLAlchemyError, sqlite3.Error) as error:
        if not is_outage(error):
            raise
        origin = getattr(error, "orig", None) or error
        first = (str(origin).strip().splitlines() or [type(origin).__name__])[0]
        raise StoreUnavailable(f"{type(origin).__name__}: {first}") from error


def _sqlite_pragmas(synchronous: str) -> Any:
    def on_connect(dbapi_conn: Any, _record: Any) -> None:
        dbapi_conn.isolation_level = None  # we issue BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute(f"PRAGMA synchronous={synchronous.upper()}")
        cursor.execute(f"PRAGMA busy_timeout={int(SQLITE_BUSY_TIMEOUT_S * 1000)}")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()

    return on_connect


def make_engine(url: str, *, sqlite_synchronous: str = "normal") -> Engine:
    """An engine with the durability settings of docs/store.md."""
    if url.startswith("sqlite"):
        if sqlite_synchronous.lower() not in ("normal", "full"):
            raise ValueError("sqlite_synchronous must be 'normal' or 'full'")
        _private_sqlite_file(url)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_S}
        )
        event.listen(engine, "connect", _sqlite_pragmas(sqlite_synchronous))
        # One writer at a time: every transaction takes the write lock up front, so a
        # read-then-write never fails half-way with SQLITE_BUSY.
        event.listen(engine, "begin", lambda conn: conn.exec_driver_sql("BEGIN IMMEDIATE"))
        return engine
    # A host that drops packets would otherwise hold a connect for the system's TCP
    # timeout (minutes); past this it is an outage like any other, retried with backoff.
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10,
                         connect_args={"connect_timeout": PG_CONNECT_TIMEOUT_S})


def _private_sqlite_file(url: str) -> None:
    # Created by us before SQLite opens it, the file is 0600 whatever the umask, and
    # SQLite gives the -wal and -shm files the database file's mode.
    database = make_url(url).database
    if database and database != ":memory:" and not database.startswith("file:"):
        make_private_file(Path(database))


_SQLITE_COMPLETE = (
    "UPDATE work_items SET state = 'done', result = ?, lease_owner = NULL, lease_expires = NULL,"
    " error_kind = NULL, error_code = NULL, error_message = NULL, updated_at = ?"
    " WHERE id = ? AND lease_owner = ? AND state = 'in_progress'"
)


def _hot_statements() -> tuple[Any, Any]:
    """Statements on every item's path, built once: SQLAlchemy then reuses their compiled form."""
    wi, bs = work_items.c, bot_states.c
    complete = (
        update(work_items)
        .where(wi.id == bindparam("p_id"), wi.lease_owner == bindparam("p_worker"),
               wi.state == State.IN_PROGRESS.value)
        .values(state=State.DONE.value, result=bindparam("p_result", type_=work_items.c.result.type),
                lease_owner=None, lease_expires=None, error_kind=None, error_code=None,
                error_message=None, updated_at=bindparam("p_now", type_=wi.updated_at.type))
    )
    # A success ends a run of failures; a successful probe item also closes the circuit.
    is_probe = and_(bs.circuit_open.is_(True), bs.probe_item_id == bindparam("p_id"))
    success = (
        update(bot_states)
        .where(bs.bot == bindparam("p_bot"), or_(bs.consecutive_failures > 0, is_probe))
        .values(
            consecutive_failures=0,
            paused=case((is_probe, False), else_=bs.paused),
            reason=case((is_probe, None), else_=bs.reason),
            paused_at=case((is_probe, None), else_=bs.paused_at),
            circuit_open=case((is_probe, False), else_=bs.circuit_open),
            probe_item_id=case((is_probe, None), else_=bs.probe_item_id),
        )
    )
    return complete, success


class SqlStore:
    """Durable work items, runs, alerts, users, audit and bot state."""

    def __init__(
        self,
        url: str,
        *,
        clock: NowSource | None = None,
        sqlite_synchronous: str = "normal",
    ) -> None:
        self.url = url
        self.engine = make_engine(url, sqlite_synchronous=sqlite_synchronous)
        self.dialect = self.engine.dialect.name
        self.clock: NowSource = clock or _UtcNow()
        self._complete_statement, self._success_statement = _hot_statements()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[Connection] = []

    # -- plumbing -------------------------------------------------------------

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from runner.store.migrate import upgrade

        with _outages_as_store_unavailable():  # a locked or restarting database is not a bad file
            upgrade(self.engine)

    def close(self) -> None:
        with self._lock:
            for conn in self._connections:
                conn.close()
            self._connections.clear()
        self.engine.dispose()

    @contextmanager
    def _tx(self) -> Iterator[Connection]:
        """One transaction; StoreUnavailable when the database is locked, slow or gone."""
        with _outages_as_store_unavailable():
            if self.dialect != "sqlite":
                with self.engine.begin() as conn:
                    yield conn
                return
            with self._thread_connection().begin() as transaction:
                yield transaction.connection

    def _thread_connection(self) -> Connection:
        """SQLite: one connection per thread, kept open; a pool checkout per transaction
        would cost more than the transaction itself."""
        conn: Connection | None = getattr(self._local, "conn", None)
        if conn is None or conn.closed:
            conn = self._local.conn = self.engine.connect()
            with self._lock:
                self._connections.append(conn)
        return conn

    def _now(self) -> datetime:
        return self.clock.now()

    def _insert(self, table: Any) -> Any:
        return (postgresql.insert if self.dialect == "postgresql" else sqlite.insert)(table)

    def _audit(
        self,
        conn: Connection,
        actor: Actor,
        action: str,
        *,
        item_id: int | None = None,
        bot: str | None = None,
        reason: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        conn.execute(
            insert(audit).values(
                at=self._now(), actor=actor.name, action=action, item_id=item_id, bot=bot,
                reason=reason, details=details,
            )
        )

    # -- enqueue and claim ----------------------------------------------------

    def enqueue(self, items: Iterable[NewItem], *, run_id: int | None = None) -> int:
        """Add items; a (bot, reference) already stored is left as it is. Returns how many were new."""
        now = self._now()
        created = 0
        batch: list[dict[str, Any]] = []
        for item in items:
            batch.append(
                {
                    "bot": item.bot, "task": item.task, "reference": item.reference,
                    "payload": item.payload, "priority": item.priority, "due": item.due,
                    "state": State.NEW.value, "attempts": 0, "max_attempts": item.max_attempts,
                    "has_checkpoints": False,
                    "run_id": run_id, "created_at": now, "updated_at": now,
                }
            )
            if len(batch) >= _CHUNK:
                created += self._insert_items(batch)
                batch = []
        if batch:
            created += self._insert_items(batch)
        return created

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
        today: date,
        bots: Collection[str] | None = None,
        exclude_bots: Collection[str] = (),
    ) -> list[WorkItemRecord]:
        """Lease up to `limit` waiting items, highest priority first; counts an attempt each."""
        now = self._now()
        wi = work_items.c
        # One indexed walk per waiting state (state, priority DESC, id): an OR of the two
        # states would make the database sort every waiting item on every claim.
        waiting = [
            and_(wi.state == State.NEW.value, or_(wi.not_before.is_(None), wi.not_before <= now)),
            and_(wi.state == State.DEFERRED.value, wi.not_before <= now),
        ]
        with self._tx() as conn:
            found: list[tuple[int, int]] = []
            for ready in waiting:
                candidates = select(wi.id, wi.priority).where(ready)
                if bots is not None:
                    candidates = candidates.where(wi.bot.in_(list(bots)))
                if exclude_bots:
                    candidates = candidates.where(wi.bot.not_in(list(exclude_bots)))
                candidates = candidates.order_by(wi.priority.desc(), wi.id).limit(limit)
                if self.dialect == "postgresql":
                    candidates = candidates.with_for_update(skip_locked=True)
                found.extend((row.id, row.priority) for row in conn.execute(candidates))
            chosen = [item_id for item_id, _ in sorted(found, key=lambda f: (-f[1], f[0]))[:limit]]
            if not chosen:
                return []
            rows = conn.execute(self._lease(chosen, worker_id, now, lease_s, today)).all()
        return sorted((self._item(row) for row in rows), key=lambda r: (-r.priority, r.id))

    def _lease(self, ids: list[int], worker_id: str, now: datetime, lease_s: float, today: date) -> Any:
        wi = work_items.c
        return (
            update(work_items)
            .where(wi.id.in_(ids), wi.state.in_(WAITING))
            .values(
                state=State.IN_PROGRESS.value,
                attempts=wi.attempts + 1,
                lease_owner=worker_id,
                lease_expires=now + timedelta(seconds=lease_s),
                not_before=None,
                today=func.coalesce(wi.today, today),
                updated_at=now,
            )
            .returning(*work_items.c)
        )

    def heartbeat(self, worker_id: str, item_ids: Collection[int], *, lease_s: float) -> set[int]:
        """Extend leases still held; returns the ids this worker still owns."""
        if not item_ids:
            return set()
        now = self._now()
        statement = (
            update(work_items)
            .where(
                work_items.c.id.in_(list(item_ids)),
                work_items.c.lease_owner == worker_id,
                work_items.c.state == State.IN_PROGRESS.value,
            )
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

    def _owned(self, item_id: int, worker_id: str) -> Any:
        return and_(
            work_items.c.id == item_id,
            work_items.c.lease_owner == worker_id,
            work_items.c.state == State.IN_PROGRESS.value,
        )

    def _transition(self, conn: Connection, item_id: int, worker_id: str, **values: Any) -> None:
        values.setdefault("updated_at", self._now())
        result = conn.execute(update(work_items).where(self._owned(item_id, worker_id)).values(**values))
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
            return self._checkpoints(conn, item_id)

    def _checkpoints(self, conn: Connection, item_id: int) -> dict[str, Checkpoint]:
        rows = conn.execute(
            select(checkpoints).where(checkpoints.c.item_id == item_id).order_by(checkpoints.c.id)
        )
        return {
            row.name: Checkpoint(row.name, dict(row.receipt), row.attempt, row.created_at)
            for row in rows
        }

    def complete(
        self, item_id: int, worker_id: str, result: dict[str, Any], *, bot: str, reset_breaker: bool = True
    ) -> None:
        """Finish an item; a success also ends the bot's run of system exceptions.

        A worker that read the bot's state at claim time and saw no failures and no open
        circuit may pass `reset_breaker=False` to skip that write.
        """
        if self.dialect == "sqlite" and not reset_breaker:
            self._sqlite_complete(item_id, worker_id, result)
            return
        with self._tx() as conn:
            finished = conn.execute(
                self._complete_statement,
                {"p_id": item_id, "p_worker": worker_id, "p_result": result, "p_now": self._now()},
            )
            if finished.rowcount != 1:
                raise LeaseLost(f"item {item_id} is no longer leased by {worker_id}")
            if reset_breaker:
                self._breaker_success(conn, bot, item_id)

    def _sqlite_complete(self, item_id: int, worker_id: str, result: dict[str, Any]) -> None:
        """The runner's hottest write, on the thread's SQLite connection without SQLAlchemy.

        SQLAlchemy's statement and event machinery costs more than SQLite's own work
        here; the values are written in exactly the forms SQLAlchemy writes and reads.
        """
        moment = self._now().astimezone(UTC).replace(tzinfo=None)
        params = (json.dumps(result), f"{moment:%Y-%m-%d %H:%M:%S.%f}", item_id, worker_id)
        with _outages_as_store_unavailable():
            driver = self._thread_connection().connection.driver_connection
            assert driver is not None, "an open SQLAlchemy connection has a driver connection"
            cursor = driver.cursor()
            cursor.execute("BEGIN IMMEDIATE")
            try:
                cursor.execute(_SQLITE_COMPLETE, params)
                finished = cursor.rowcount
            except BaseException:
                cursor.execute("ROLLBACK")
                raise
            cursor.execute("COMMIT" if finished == 1 else "ROLLBACK")
        if finished != 1:
            raise LeaseLost(f"item {item_id} is no longer leased by {worker_id}")

    def _breaker_success(self, conn: Connection, bot: str, item_id: int) -> None:
        conn.execute(self._success_statement, {"p_bot": bot, "p_id": item_id})

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
            "error_message": mask_cprs(message)[:4000], "not_before": retry_at,
            "lease_owner": None, "lease_expires": None,
        }
        if visible_to is not None:
            values["visible_to"] = visible_to
        with self._tx() as conn:
            self._transition(conn, item_id, worker_id, **values)
            if kind is ErrorKind.BUSINESS:
                self._breaker_success(conn, self._bot_of(conn, item_id), item_id)

    def _bot_of(self, conn: Connection, item_id: int) -> str:
        return str(conn.execute(select(work_items.c.bot).where(work_items.c.id == item_id)).scalar_one())

    def defer(self, item_id: int, worker_id: str, *, until: datetime, message: str) -> None:
        """Wait for a system to come back; the attempt is given back."""
        with self._tx() as conn:
            self._transition(
                conn, item_id, worker_id, state=State.DEFERRED.value, not_before=until,
                attempts=work_items.c.attempts - 1, lease_owner=None, lease_expires=None,
                error_kind=ErrorKind.SYSTEM.value, error_code="SystemUnavailable",
                error_message=mask_cprs(message)[:4000],
            )

    def release(self, item_id: int, worker_id: str) -> None:
        """Give an item back untouched (shutdown); the attempt is given back."""
        with self._tx() as conn:
            self._transition(
                conn, item_id, worker_id, state=State.NEW.value,
                attempts=work_items.c.attempts - 1, lease_owner=None, lease_expires=None,
            )

    def restrict(self, item_id: int, worker_id: str, role: Role) -> None:
        """Make an item visible only to people with `role` (and the system)."""
        with self._tx() as conn:
            self._transition(conn, item_id, worker_id, visible_to=role.value)

    # -- reading items --------------------------------------------------------

    def _visible(self, actor: Actor) -> Any:
        if actor.system:
            return work_items.c.id.is_not(None)
        roles = [role.value for role in actor.roles]
        return or_(work_items.c.visible_to.is_(None), work_items.c.visible_to.in_(roles))

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
        limit: int | None = 1000,
        offset: int = 0,
    ) -> list[WorkItemRecord]:
        wi = work_items.c
        query = select(work_items).where(self._visible(actor))
        if bot:
            query = query.where(wi.bot == bot)
        if task:
            query = query.where(wi.task == task)
        if states:
            query = query.where(wi.state.in_([s.value for s in states]))
        if code:
            query = query.where(wi.error_code == code)
        if reference:
            query = query.where(wi.reference == reference)
        if reference_prefix:
            query = query.where(wi.reference.startswith(reference_prefix, autoescape=True))
        if search:
            query = query.where(or_(wi.reference.contains(search), wi.error_code.contains(search)))
        if run_ids is not None:
            query = query.where(wi.run_id.in_(list(run_ids)))
        query = query.order_by(wi.id).offset(offset)
        if limit is not None:
            query = query.limit(limit)
        with self._tx() as conn:
            return [self._item(row) for row in conn.execute(query)]

    def get_item(self, actor: Actor, item_id: int) -> WorkItemRecord:
        """One item with its checkpoints; NotFound also when the actor may not see it."""
        with self._tx() as conn:
            row = conn.execute(
                select(work_items).where(work_items.c.id == item_id, self._visible(actor))
            ).one_or_none()
            if row is None:
                raise NotFound(f"no work item {item_id}")
            marks = tuple(self._checkpoints(conn, item_id).values())
        return self._item(row, marks)

    def count_by_state(self, *, run_ids: Collection[int] | None = None) -> dict[tuple[str, str], int]:
        """(bot, state) → count, for traffic lights and `--wait`."""
        wi = work_items.c
        query = select(wi.bot, wi.state, func.count()).group_by(wi.bot, wi.state)
        if run_ids is not None:
            query = query.where(wi.run_id.in_(list(run_ids)))
        with self._tx() as conn:
            return {(row[0], row[1]): int(row[2]) for row in conn.execute(query)}

    def outcomes(self, *, run_ids: Collection[int] | None = None) -> list[tuple[str, str, str | None, bool]]:
        """(bot, state, code, acted) per item, for run summaries."""
        wi = work_items.c
        query = select(wi.bot, wi.state, wi.error_code, wi.result)
        if run_ids is not None:
            query = query.where(wi.run_id.in_(list(run_ids)))
        with self._tx() as conn:
            return [
                (row.bot, row.state, row.error_code, bool((row.result or {}).get("acted")))
                for row in conn.execute(query)
            ]

    # -- a person's actions on exceptions -------------------------------------

    def _exception_row(self, conn: Connection, actor: Actor, item_id: int) -> Row[Any]:
        require(actor, Action.HANDLE_EXCEPTIONS)
        row = conn.execute(
            select(work_items).where(work_items.c.id == item_id, self._visible(actor))
        ).one_or_none()
        if row is None:
            raise NotFound(f"no work item {item_id}")
        if row.state not in EXCEPTIONS:
            raise InvalidTransition(f"item {item_id} is {row.state}, not in the exception queue")
        return row

    def retry_item(
        self,
        actor: Actor,
        item_id: int,
        *,
        reason: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> WorkItemRecord:
        """Send an exception back to the queue, optionally with a corrected payload."""
        with self._tx() as conn:
            row = self._exception_row(conn, actor, item_id)
            values: dict[str, Any] = {
                "state": State.NEW.value, "attempts": 0, "not_before": None,
                "error_kind": None, "error_code": None, "error_message": None,
                "updated_at": self._now(),
            }
            details: dict[str, Any] = {"from_state": row.state, "code": row.error_code}
            if payload is not None:
                values["payload"] = payload
                values["today"] = None  # a new decision is taken with a new business date
                details.update(old_payload=row.payload, new_payload=payload)
                conn.execute(
                    delete(checkpoints).where(
                        checkpoints.c.item_id == item_id, checkpoints.c.name == DECISION
                    )
                )
            conn.execute(update(work_items).where(work_items.c.id == item_id).values(**values))
            self._audit(conn, actor, "retry", item_id=item_id, bot=row.bot, reason=reason,
                        details=details)
        return self.get_item(actor, item_id)

    def close_item(self, actor: Actor, item_id: int, *, state: State, text: str) -> WorkItemRecord:
        """Resolve (done by hand; `text` is the note) or reject (`text` is the reason)."""
        if state not in (State.RESOLVED, State.REJECTED):
            raise ValueError("close_item takes RESOLVED or REJECTED")
        if not text or not text.strip():
            needed = "a note" if state is State.RESOLVED else "a reason"
            raise InvalidTransition(f"{state.value} needs {needed}")
        with self._tx() as conn:
            row = self._exception_row(conn, actor, item_id)
            conn.execute(
                update(work_items)
                .where(work_items.c.id == item_id)
                .values(state=state.value, updated_at=self._now())
            )
            action = "resolve" if state is State.RESOLVED else "reject"
            self._audit(conn, actor, action, item_id=item_id, bot=row.bot, reason=text.strip(),
                        details={"from_state": row.state, "code": row.error_code})
        return self.get_item(actor, item_id)

    def audit_trail(self, actor: Actor, *, item_id: int | None = None, limit: int = 500) -> list[AuditRecord]:
        query = select(audit).order_by(audit.c.id.desc()).limit(limit)
        if item_id is not None:
            self.get_item(actor, item_id)  # visibility check
            query = query.where(audit.c.item_id == item_id)
        with self._tx() as conn:
            return [
                AuditRecord(r.id, r.at, r.actor, r.action, r.item_id, r.bot, r.reason, r.details)
                for r in conn.execute(query)
            ]

    # -- runs -----------------------------------------------------------------

    def start_run(
        self,
        *,
        bot: str,
        task: str,
        trigger: Trigger,
        actor: Actor,
        today: date | None,
        run_key: str | None = None,
    ) -> RunRecord | None:
        """A new run; None when a run with the same key exists (another replica took it)."""
        values = {
            "bot": bot, "task": task, "trigger": trigger.value, "run_key": run_key,
            "state": "running", "today": today, "actor": actor.name, "enqueued": 0,
            "started_at": self._now(),
        }
        try:
            with self._tx() as conn:
                run_id = conn.execute(insert(runs).values(**values).returning(runs.c.id)).scalar_one()
        except IntegrityError:
            return None
        return self.get_run(run_id)

    def finish_run(self, run_id: int, *, enqueued: int, error: str | None = None) -> None:
        with self._tx() as conn:
            conn.execute(
                update(runs)
                .where(runs.c.id == run_id)
                .values(
                    state="failed" if error else "finished", enqueued=enqueued,
                    error=mask_cprs(error) if error else None, finished_at=self._now(),
                )
            )

    def get_run(self, run_id: int) -> RunRecord:
        with self._tx() as conn:
            row = conn.execute(select(runs).where(runs.c.id == run_id)).one_or_none()
        if row is None:
            raise NotFound(f"no run {run_id}")
        return self._run(row)

    def list_runs(self, *, bot: str | None = None, limit: int = 50) -> list[RunRecord]:
        query = select(runs).order_by(runs.c.id.desc()).limit(limit)
        if bot:
            query = query.where(runs.c.bot == bot)
        with self._tx() as conn:
            return [self._run(row) for row in conn.execute(query)]

    # -- alerts, users, bot state, artifacts ----------------------------------

    def add_alert(self, *, bot: str | None, kind: str, message: str) -> AlertRecord:
        with self._tx() as conn:
            alert_id = conn.execute(
                insert(alerts)
                .values(bot=bot, kind=kind, message=mask_cprs(message), created_at=self._now())
                .returning(alerts.c.id)
            ).scalar_one()
            row = conn.execute(select(alerts).where(alerts.c.id == alert_id)).one()
        return AlertRecord(row.id, row.bot, row.kind, row.message, row.created_at)

    def list_alerts(self, *, limit: int = 100) -> list[AlertRecord]:
        with self._tx() as conn:
            rows = conn.execute(select(alerts).order_by(alerts.c.id.desc()).limit(limit))
            return [AlertRecord(r.id, r.bot, r.kind, r.message, r.created_at) for r in rows]

    def add_user(self, actor: Actor | None, name: str, roles: Collection[Role]) -> UserRecord:
        """Add a user or replace their roles. Only an admin may, except for the first user.

        InputError when `name` is not a valid user name (runner.inputs.user_name).
        """
        user_name(name)
        with self._tx() as conn:
            has_users = conn.execute(select(func.count()).select_from(users)).scalar_one() > 0
            if has_users:
                require(actor, Action.MANAGE_USERS)
            role_values = sorted(Role(r).value for r in roles)
            exists = conn.execute(select(users.c.name).where(users.c.name == name)).first()
            if exists:
                conn.execute(update(users).where(users.c.name == name).values(roles=role_values))
            else:
                conn.execute(insert(users).values(name=name, roles=role_values, created_at=self._now()))
            bootstrap = Actor(name, frozenset(Role(r) for r in role_values))
            self._audit(conn, actor or bootstrap, "user_set", reason=None,
                        details={"user": name, "roles": role_values})
        return self.get_user(name)

    def get_user(self, name: str) -> UserRecord:
        with self._tx() as conn:
            row = conn.execute(select(users).where(users.c.name == name)).one_or_none()
        if row is None:
            raise NotFound(f"no user {name!r}; an admin adds one with `rpa users add {name} --role ...`")
        return UserRecord(row.name, frozenset(Role(r) for r in row.roles), row.created_at)

    def list_users(self) -> list[UserRecord]:
        with self._tx() as conn:
            rows = conn.execute(select(users).order_by(users.c.name))
            return [UserRecord(r.name, frozenset(Role(x) for x in r.roles), r.created_at) for r in rows]

    def bot_states(self) -> dict[str, BotStateRecord]:
        with self._tx() as conn:
            return {row.bot: self._bot_state(row) for row in conn.execute(select(bot_states))}

    def _ensure_bot_state(self, conn: Connection, bot: str) -> None:
        conn.execute(
            self._insert(bot_states)
            .values(bot=bot, paused=False, consecutive_failures=0, circuit_open=False)
            .on_conflict_do_nothing(index_elements=["bot"])
        )

    def set_paused(self, actor: Actor, bot: str, paused: bool, reason: str | None = None) -> None:
        """Pause or resume a bot (operator or admin); survives restarts."""
        require(actor, Action.PAUSE_BOTS)
        with self._tx() as conn:
            self._ensure_bot_state(conn, bot)
            values: dict[str, Any] = {"paused": paused, "reason": reason,
                                      "paused_at": self._now() if paused else None}
            if not paused:
                values.update(circuit_open=False, consecutive_failures=0, probe_item_id=None)
            conn.execute(update(bot_states).where(bot_states.c.bot == bot).values(**values))
            self._audit(conn, actor, "pause" if paused else "resume", bot=bot, reason=reason)

    def record_failure(self, bot: str, item_id: int, *, threshold: int) -> bool:
        """Count a system exception; True when it is the one that opened the bot's circuit."""
        with self._tx() as conn:
            self._ensure_bot_state(conn, bot)
            row = conn.execute(select(bot_states).where(bot_states.c.bot == bot)).one()
            failures = row.consecutive_failures + 1
            opens = failures >= threshold and not row.circuit_open
            values: dict[str, Any] = {"consecutive_failures": failures}
            if row.circuit_open and row.probe_item_id == item_id:
                values.update(paused_at=self._now(), probe_item_id=None)  # probe failed: cool down again
            if opens:
                values.update(paused=True, circuit_open=True, paused_at=self._now(),
                              reason=f"circuit breaker: {failures} consecutive system exceptions")
            conn.execute(update(bot_states).where(bot_states.c.bot == bot).values(**values))
            if opens:
                self._audit(conn, Actor("circuit_breaker", system=True), "pause", bot=bot,
                            reason=values["reason"])
            return opens

    def take_probe(self, bot: str, *, cooldown_s: float, worker_id: str, today: date,
                   lease_s: float) -> WorkItemRecord | None:
        """After the cool-down, lease one probe item of a bot whose circuit is open."""
        now = self._now()
        with self._tx() as conn:
            row = conn.execute(select(bot_states).where(bot_states.c.bot == bot)).one_or_none()
            if row is None or not row.circuit_open or row.probe_item_id is not None:
                return None
            if row.paused_at and row.paused_at + timedelta(seconds=cooldown_s) > now:
                return None
        items = self.claim(worker_id, limit=1, lease_s=lease_s, today=today, bots=[bot])
        if not items:
            return None
        with self._tx() as conn:
            conn.execute(
                update(bot_states).where(bot_states.c.bot == bot).values(probe_item_id=items[0].id)
            )
        return items[0]

    def add_artifact(self, item_id: int, *, kind: str, path: str, attempt: int, size: int) -> None:
        with self._tx() as conn:
            conn.execute(
                insert(artifacts).values(item_id=item_id, kind=kind, path=path, attempt=attempt,
                                         size=size, created_at=self._now())
            )

    def list_artifacts(self, actor: Actor, item_id: int) -> list[ArtifactRecord]:
        """Artifacts of an item the actor may see; traces only for ops and admin."""
        self.get_item(actor, item_id)
        query = select(artifacts).where(artifacts.c.item_id == item_id).order_by(artifacts.c.id)
        if not allowed(actor, Action.READ_TRACES):
            query = query.where(artifacts.c.kind != "trace")
        with self._tx() as conn:
            return [self._artifact(row) for row in conn.execute(query)]

    def expired_artifacts(self, before: datetime) -> list[ArtifactRecord]:
        query = select(artifacts).where(artifacts.c.created_at < before)
        with self._tx() as conn:
            return [self._artifact(row) for row in conn.execute(query)]

    def delete_artifacts(self, ids: Sequence[int]) -> None:
        with self._tx() as conn:
            conn.execute(delete(artifacts).where(artifacts.c.id.in_(list(ids))))

    # -- row mapping ----------------------------------------------------------

    @staticmethod
    def _item(row: Row[Any], marks: tuple[Checkpoint, ...] = ()) -> WorkItemRecord:
        error = (
            ItemError(ErrorKind(row.error_kind), row.error_code, row.error_message or "")
            if row.error_kind
            else None
        )
        return WorkItemRecord(
            id=row.id, bot=row.bot, task=row.task, reference=row.reference,
            payload=dict(row.payload), priority=row.priority, due=row.due, state=State(row.state),
            attempts=row.attempts, max_attempts=row.max_attempts, not_before=row.not_before,
            lease_owner=row.lease_owner, lease_expires=row.lease_expires, run_id=row.run_id,
            today=row.today, result=row.result, error=error, visible_to=row.visible_to,
            has_checkpoints=row.has_checkpoints,
            created_at=row.created_at, updated_at=row.updated_at, checkpoints=marks,
        )

    @staticmethod
    def _run(row: Row[Any]) -> RunRecord:
        return RunRecord(
            id=row.id, bot=row.bot, task=row.task, trigger=Trigger(row.trigger),
            run_key=row.run_key, state=row.state, today=row.today, actor=row.actor,
            enqueued=row.enqueued, error=row.error, started_at=row.started_at,
            finished_at=row.finished_at,
        )

    @staticmethod
    def _bot_state(row: Row[Any]) -> BotStateRecord:
        return BotStateRecord(
            bot=row.bot, paused=row.paused, reason=row.reason, paused_at=row.paused_at,
            consecutive_failures=row.consecutive_failures, circuit_open=row.circuit_open,
            probe_item_id=row.probe_item_id,
        )

    @staticmethod
    def _artifact(row: Row[Any]) -> ArtifactRecord:
        return ArtifactRecord(row.id, row.item_id, row.kind, row.path, row.attempt, row.size,
                              row.created_at)
