"""Engines with the durability of docs/store.md, and database outages mapped to ours."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Engine, create_engine, event
from sqlalchemy import exc as sqlalchemy_exc
from sqlalchemy.engine import make_url

from runner.errors import StoreUnavailable
from runner.files import make_private_file

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
def outages_as_store_unavailable() -> Iterator[None]:
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
