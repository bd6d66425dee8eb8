"""What every part of the SQL store shares: one engine, its transactions, the clock."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, insert
from sqlalchemy.dialects import postgresql, sqlite

from runner.clock import SystemClock
from runner.states import State
from runner.store.abc import NowSource
from runner.store.records import Actor
from runner.store.sql.engine import make_engine, outages_as_store_unavailable
from runner.store.tables import audit

DECISION = "decision"  # the name of an item's first checkpoint
WAITING = (State.NEW.value, State.DEFERRED.value)
EXCEPTIONS = (State.BUSINESS_EXCEPTION.value, State.SYSTEM_EXCEPTION.value)
CLOSED = (State.DONE.value, State.RESOLVED.value, State.REJECTED.value)  # nothing left to do


class SqlBase:
    """One engine for every concern; on SQLite one kept-open connection per thread."""

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
        self.clock: NowSource = clock or SystemClock()
        self._local = threading.local()
        self._lock = threading.Lock()
        self._connections: list[Connection] = []

    def migrate(self) -> None:
        """Bring the schema to the newest Alembic revision."""
        from runner.store.migrate import upgrade

        with outages_as_store_unavailable():  # a locked or restarting database is not a bad file
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
        with outages_as_store_unavailable():
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
        """INSERT … ON CONFLICT in the dialect's own form."""
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
        """One audit entry, in the transaction of the action it records."""
        conn.execute(
            insert(audit).values(
                at=self._now(), actor=actor.name, action=action, item_id=item_id, bot=bot,
                reason=reason, details=details,
            )
        )
